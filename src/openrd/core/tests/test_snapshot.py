"""The replayed reference-data load leaves what the real load leaves."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction

from openrd.accounts.models import Organisation
from openrd.accounts.services import load_organisations, upsert_organisation
from openrd.core import audit
from openrd.core.audit_chain import verify
from openrd.core.models import AuditEntry
from openrd.core.testing.snapshot import LoadReplay
from openrd.programs.models import Program, ProgramElement, ProgramFigure
from openrd.programs.services import load_presets

pytestmark = pytest.mark.django_db

REFERENCE_MODELS = (
    Organisation,
    Program,
    Program.agencies.through,
    ProgramElement,
    ProgramFigure,
    AuditEntry,
)


def _load() -> None:
    load_organisations()
    load_presets()


def _state() -> dict[str, list[dict[str, Any]]]:
    """Every column of every reference row (audit hashes included), in key order."""
    return {
        model._meta.label: list(
            model._base_manager.order_by("pk").values(
                *[f.attname for f in model._meta.concrete_fields]
            )
        )
        for model in REFERENCE_MODELS
    }


class _Undo(Exception):
    pass


@contextmanager
def _undone() -> Iterator[None]:
    """Run the block in a savepoint rolled back after it."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def _recorded(replay: LoadReplay) -> dict[str, list[dict[str, Any]]]:
    """Run the real load through ``replay``, note its result, and take it back."""
    with _undone():
        assert replay() is False  # the first call is the real load
        real = _state()
    assert not Organisation.objects.exists()
    assert not AuditEntry.objects.exists()
    return real


def test_a_replay_leaves_the_rows_of_a_real_load_and_an_intact_chain():
    replay = LoadReplay(_load)
    real = _recorded(replay)
    assert len(real["programs.Program"]) > 1
    assert len(real["core.AuditEntry"]) > 10

    with _undone():
        assert replay() is True
        assert _state() == real
    assert replay() is True  # the statements compiled by the first replay, sent again
    assert _state() == real
    assert verify(audit.chain_links()) is None
    jst = Organisation.objects.select_related("parent").get(code="jst")
    assert jst.parent is not None
    assert jst.parent.code == "mext"


def test_after_a_replay_new_rows_get_fresh_keys_and_extend_the_chain():
    replay = LoadReplay(_load)
    real = _recorded(replay)
    assert replay() is True

    org = upsert_organisation(
        code="replay-check", name_ja="検証機関", name_en="Check", kind="funding_agency"
    )
    assert org.pk > max(row["id"] for row in real["accounts.Organisation"])
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.object_id == str(org.pk)
    assert entry.seq == len(real["core.AuditEntry"]) + 1
    assert entry.prev_hash == real["core.AuditEntry"][-1]["hash"]
    assert verify(audit.chain_links()) is None


def test_another_starting_state_gets_the_real_load():
    replay = LoadReplay(_load, keep=1)
    real = _recorded(replay)
    audit.record("test.before_the_load")  # the chain head moved

    assert replay() is False
    state = _state()
    assert len(state["core.AuditEntry"]) == len(real["core.AuditEntry"]) + 1
    assert [r["code"] for r in state["accounts.Organisation"]] == [
        r["code"] for r in real["accounts.Organisation"]
    ]
    assert verify(audit.chain_links()) is None

    # Reference data already there: the loaders' upsert, not a second copy.
    assert replay() is False
    assert _state() == state


def test_a_load_that_changes_rows_it_found_is_never_replayed():
    upsert_organisation(code="existing", name_ja="既存", name_en="Existing", kind="funding_agency")
    calls = []

    def rename() -> None:
        calls.append(1)
        Organisation.objects.filter(code="existing").update(name_en="Renamed")

    replay = LoadReplay(rename)
    with _undone():
        assert replay() is False
    assert replay() is False
    assert calls == [1, 1]
    assert replay.snapshots() == []
    assert Organisation.objects.get(code="existing").name_en == "Renamed"
