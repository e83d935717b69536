"""Fixity checks: a flipped byte, a missing file and an intact one (openrd.repository.fixity)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.files.storage import default_storage

from openrd.core.models import AuditEntry
from openrd.repository.fixity import check_fixity, latest_checks
from openrd.repository.models import FixityCheck, OutputFile
from openrd.repository.tasks import check_fixity as check_fixity_task

NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)


def deposit_two(repo: Any) -> tuple[OutputFile, OutputFile]:
    output = repo.deposit(
        publish=False,
        files=[("a.csv", b"site,count\nA,1\n", "open"), ("b.csv", b"site,count\nB,2\n", "open")],
    )
    first, second = output.files.select_related("stored").order_by("name")
    return first, second


def test_intact_files_pass_and_nothing_is_audited(repo: Any) -> None:
    deposit_two(repo)
    checks = check_fixity(now=NOW)
    assert len(checks) == 2
    assert all(c.ok and c.problem == "" and c.checked_at == NOW for c in checks)
    assert not AuditEntry.objects.filter(action="repository.fixity_failed").exists()


def test_a_flipped_byte_is_detected_and_audited(repo: Any) -> None:
    damaged, intact = deposit_two(repo)
    path = default_storage.path(damaged.stored.storage_name)
    with open(path, "r+b") as handle:
        handle.seek(3)
        byte = handle.read(1)
        handle.seek(3)
        handle.write(bytes([byte[0] ^ 0x01]))
    checks = {c.stored_id: c for c in check_fixity(now=NOW)}
    assert not checks[damaged.stored_id].ok
    assert "SHA-256" in checks[damaged.stored_id].problem
    assert checks[intact.stored_id].ok
    entry = AuditEntry.objects.get(action="repository.fixity_failed")
    assert entry.after["sha256"] == damaged.stored.sha256
    assert entry.after["files"] == [[damaged.output_id, "a.csv"]]


def test_a_missing_file_is_reported_missing(repo: Any) -> None:
    missing, _intact = deposit_two(repo)
    default_storage.delete(missing.stored.storage_name)
    [check] = check_fixity([missing.stored], now=NOW)
    assert (check.ok, check.problem) == (False, "missing")
    assert AuditEntry.objects.filter(action="repository.fixity_failed").count() == 1


def test_the_same_bytes_in_two_versions_are_checked_once(repo: Any) -> None:
    output = repo.deposit()
    from openrd.repository import services

    services.new_version(output, actor=repo.pi)
    assert OutputFile.objects.count() == 2
    assert len(check_fixity(now=NOW)) == 1


def test_the_task_records_a_check_per_file_and_latest_checks_reads_them(repo: Any) -> None:
    first, second = deposit_two(repo)
    assert check_fixity_task.call() == {"checked": 2, "failed": 0}
    check_fixity(now=datetime(2030, 1, 1, tzinfo=UTC))
    assert FixityCheck.objects.count() == 4
    latest = latest_checks([first.stored_id, second.stored_id])
    assert {c.checked_at.year for c in latest.values()} == {2030}
