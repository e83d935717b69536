"""Fixity: are the deposited bytes still the bytes that were deposited?

Each stored file of an output is re-hashed (streaming, ``core.files.stored_problem``)
and the result kept as a ``FixityCheck``; a failure is also written to the
audit log (``repository.fixity_failed``), where the repository's managers
look. Nobody is mailed: a damaged copy is restored from the backup by an
operator, and a mail per file in the middle of the night helps no one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from openrd.core import audit
from openrd.core.files import stored_problem
from openrd.core.models import StoredFile
from openrd.repository.models import FixityCheck, OutputFile


def output_stored_files() -> Iterable[StoredFile]:
    """Every stored file some output (any version, any state) points at, once."""
    return (
        StoredFile.objects.filter(pk__in=OutputFile.objects.values("stored_id"))
        .order_by("pk")
        .iterator(chunk_size=500)
    )


def _problem(stored: StoredFile) -> str | None:
    try:
        return stored_problem(stored.storage_name, sha256=stored.sha256, size=stored.size)
    except OSError as exc:
        # Unreadable is a finding like any other, not a reason to stop checking the rest.
        return f"unreadable: {exc.strerror or exc.__class__.__name__}"[:200]


def check_fixity(
    stored_files: Iterable[StoredFile] | None = None, *, now: datetime | None = None
) -> list[FixityCheck]:
    """Check ``stored_files`` (by default every output's) and record one check each."""
    now = now or timezone.now()
    checks: list[FixityCheck] = []
    for stored in output_stored_files() if stored_files is None else stored_files:
        problem = _problem(stored)
        # One small transaction per file: hashing a large file takes a while,
        # and no lock is held meanwhile.
        with transaction.atomic():
            check = FixityCheck.objects.create(
                stored=stored, checked_at=now, ok=problem is None, problem=problem or ""
            )
            if problem is not None:
                audit.record(
                    "repository.fixity_failed",
                    obj=stored,
                    after={
                        "sha256": stored.sha256,
                        "size": stored.size,
                        "problem": problem,
                        "files": [
                            [output_id, name]
                            for output_id, name in OutputFile.objects.filter(stored=stored)
                            .order_by("output_id", "name")
                            .values_list("output_id", "name")
                        ],
                    },
                )
        checks.append(check)
    return checks


def latest_checks(stored_ids: Iterable[int]) -> dict[int, FixityCheck]:
    """The last check of each of these stored files (for a curator's file list)."""
    latest: dict[int, FixityCheck] = {}
    for check in FixityCheck.objects.filter(stored_id__in=list(stored_ids)).order_by(
        "stored_id", "-checked_at", "-id"
    ):
        latest.setdefault(check.stored_id, check)
    return latest
