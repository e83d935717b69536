"""The version pointers of a proposal (latest submitted, latest endorsed, first
submitted) equal what its versions say after every step, whoever writes the
versions; and the institution's and the agency's lists, read through them,
show what the versions show."""

from __future__ import annotations

import contextlib
import importlib
import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrd.core.refusals import Refused
from openrd.proposals import services
from openrd.proposals.models import Endorsement, Proposal, ProposalStatus, ProposalVersion
from openrd.proposals.queries import (
    AGENCY,
    INSTITUTION,
    agency_proposals,
    institution_proposals,
    listed_proposals,
)
from openrd.proposals.services.common import refresh_latest_versions
from openrd.proposals.tests.conftest import PDF, World

pytestmark = pytest.mark.django_db

FILLED = services.DraftChanges(
    fields={"title_ja": "量子センサの実証", "abstract_ja": "概要", "effort_percent": 40},
    budget=[(2026, 10_000_000)],
)
migration = importlib.import_module("openrd.proposals.migrations.0005_proposal_latest_versions")


def _draft(world: World, now: datetime | None = None) -> Proposal:
    p = services.create_proposal(actor=world.applicant, call=world.call, changes=FILLED, now=now)
    services.attach_document(
        p, actor=world.applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    return p


def pointers(p: Proposal) -> tuple[Any, Any, Any]:
    return Proposal.objects.values_list(
        "latest_version", "latest_endorsed_version", "first_submitted_at"
    ).get(pk=p.pk)


def expected(p: Proposal) -> tuple[Any, Any, Any]:
    """The pointers as the versions themselves say."""
    versions = list(ProposalVersion.objects.filter(proposal=p).order_by("number"))
    endorsed = [v for v in versions if v.endorsement == Endorsement.ENDORSED]
    return (
        versions[-1].pk if versions else None,
        endorsed[-1].pk if endorsed else None,
        versions[0].submitted_at if versions else None,
    )


COPIES = (
    "latest_submitted_at", "latest_title_ja", "latest_title_en",
    "endorsed_submitted_at", "endorsed_title_ja", "endorsed_title_en", "agency",
)  # fmt: skip


def copies(p: Proposal) -> dict[str, Any]:
    """What the lists read of the versions, as copied onto the proposal."""
    return Proposal.objects.values(*COPIES).get(pk=p.pk)


def expected_copies(p: Proposal) -> dict[str, Any]:
    """The copies as the versions (and the call) themselves say."""
    versions = list(ProposalVersion.objects.filter(proposal=p).order_by("number"))
    endorsed = [v for v in versions if v.endorsement == Endorsement.ENDORSED]
    out: dict[str, Any] = {"agency": Proposal.objects.get(pk=p.pk).call.agency_id}
    for prefix, version in (("latest", versions[-1:]), ("endorsed", endorsed[-1:])):
        content = version[0].content if version else {}
        out[f"{prefix}_submitted_at"] = version[0].submitted_at if version else None
        out[f"{prefix}_title_ja"] = content.get("title_ja", "")
        out[f"{prefix}_title_en"] = content.get("title_en", "")
    return out


def test_the_pointers_follow_submit_return_resubmit_endorse_withdraw(world):
    t0 = timezone.now()
    p = _draft(world, t0)
    assert pointers(p) == (None, None, None)
    v1 = services.submit_proposal(p, actor=world.applicant, idempotency_key="k1", now=t0)
    assert pointers(p) == (v1.pk, None, t0)
    services.return_proposal(p, actor=world.officer, comment="予算を見直してください")
    assert pointers(p) == (v1.pk, None, t0)
    t1 = t0 + timedelta(hours=2)
    p.refresh_from_db()
    services.save_draft(
        p,
        actor=world.applicant,
        revision=p.revision,
        changes=services.DraftChanges({"title_ja": "量子センサの実証（改）"}),
    )
    v2 = services.submit_proposal(p, actor=world.applicant, idempotency_key="k2", now=t1)
    assert pointers(p) == (v2.pk, None, t0)  # the first submission stays the first
    services.endorse_proposal(p, actor=world.officer, now=t1 + timedelta(hours=1))
    assert pointers(p) == (v2.pk, v2.pk, t0)
    assert copies(p) == expected_copies(p) | {"endorsed_title_ja": "量子センサの実証（改）"}
    services.withdraw_proposal(p, actor=world.applicant)
    assert pointers(p) == (v2.pk, v2.pk, t0)
    # And the audiences read them: the officer v2's title, the agency the endorsed v2.
    for user, mode in ((world.officer, INSTITUTION), (world.nedo_staff, AGENCY)):
        (row,) = listed_proposals(user, mode)
        assert (row.shown_title, row.shown_updated_at) == ("量子センサの実証（改）", t1)
    (row,) = listed_proposals(world.officer, INSTITUTION)
    assert row.shown_created_at == t0
    (row,) = listed_proposals(world.nedo_staff, AGENCY)
    assert row.shown_created_at == t1  # the agency never learns of v1


def test_a_refused_step_leaves_the_pointers_as_they_were(world):
    bare = services.create_proposal(actor=world.applicant, call=world.call, changes=FILLED)
    with pytest.raises(Refused):  # the required plan is not attached
        services.submit_proposal(bare, actor=world.applicant, idempotency_key="k0")
    assert pointers(bare) == (None, None, None)
    p = _draft(world)
    v1 = services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    services.endorse_proposal(p, actor=world.officer)
    for refused in (
        lambda: services.return_proposal(p, actor=world.officer, comment="遅すぎる差戻し"),
        lambda: services.endorse_proposal(p, actor=world.officer),
    ):
        with pytest.raises(Refused):
            refused()
        assert pointers(p) == (v1.pk, v1.pk, v1.submitted_at)


def test_the_lists_read_the_proposals_table_alone(world):
    # No subquery, and no join to the versions: the copied columns are enough.
    for user, mode in ((world.officer, INSTITUTION), (world.nedo_staff, AGENCY)):
        for sort in ("-shown_updated_at", "shown_title"):
            sql = str(listed_proposals(user, mode, q="量子").order_by(sort).query)
            assert sql.upper().count("SELECT") == 1, sql
            assert "proposalversion" not in sql, sql


def test_a_bulk_load_sets_the_pointers_with_one_refresh(world, django_assert_num_queries):
    p = Proposal.objects.create(
        call=world.call,
        agency=world.call.agency,
        applicant=world.applicant,
        institution=world.startup,
        status=ProposalStatus.ENDORSED,
    )
    disclosure = world.applicant.disclosure_versions.latest("number")
    at = timezone.now() - timedelta(days=1)
    rows = ProposalVersion.objects.bulk_create(
        ProposalVersion(
            proposal=p, number=n, submitted_at=at + timedelta(hours=n),
            submitted_by=world.applicant, idempotency_key=f"bulk{n}",
            content={"title_ja": f"版{n}"}, disclosure=disclosure,
            endorsement=Endorsement.ENDORSED if n == 2 else Endorsement.RETURNED,
            receipt_sequence=p.pk, receipt_number=f"BULK-{p.pk}-v{n}",
        )
        for n in (1, 2)
    )  # fmt: skip
    assert pointers(p) == (None, None, None)  # bulk_create writes the versions only
    other = _draft(world)
    with django_assert_num_queries(1):
        refresh_latest_versions(p.pk, other.pk)
    assert pointers(p) == expected(p) == (rows[1].pk, rows[1].pk, at + timedelta(hours=1))
    assert copies(p) == expected_copies(p)
    assert copies(p)["endorsed_title_ja"] == "版2"
    assert pointers(other) == expected(other) == (None, None, None)


def test_the_migration_fills_the_pointers_of_existing_proposals(world):
    p = _draft(world)
    v1 = services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    services.endorse_proposal(p, actor=world.officer)
    untouched = _draft(world)
    Proposal.objects.update(latest_version=None, latest_endorsed_version=None)
    assert pointers(p) == (None, None, v1.submitted_at)
    with connection.cursor() as cursor:
        migration.fill(None, SimpleNamespace(execute=cursor.execute))
    assert pointers(p) == (v1.pk, v1.pk, v1.submitted_at)
    assert pointers(untouched) == (None, None, None)


def test_the_migration_fills_the_list_columns_of_existing_proposals(world):
    from django.apps import apps

    p = _draft(world)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    services.endorse_proposal(p, actor=world.officer)
    untouched = _draft(world)
    filled = copies(p)
    Proposal.objects.update(
        agency=world.startup, latest_submitted_at=None, latest_title_ja="",
        endorsed_submitted_at=None, endorsed_title_ja="",
    )  # fmt: skip
    assert copies(p) != filled
    columns = importlib.import_module("openrd.proposals.migrations.0007_list_columns")
    columns.fill(apps, SimpleNamespace(connection=connection))
    assert copies(p) == filled == expected_copies(p)
    assert filled["endorsed_title_ja"] == "量子センサの実証"
    assert copies(untouched) == expected_copies(untouched)
    assert copies(untouched)["latest_submitted_at"] is None


# ---------------------------------------------------------------- any sequence

STEPS = ("edit", "submit", "repeat", "return", "endorse", "withdraw")


def _step(world: World, p: Proposal, name: str, now: datetime, keys: list[str]) -> None:
    a, o = world.applicant, world.officer
    p.refresh_from_db()
    if name == "edit":
        changes = services.DraftChanges({"title_ja": f"題名 {now.isoformat()}"})
        services.save_draft(p, actor=a, revision=p.revision, changes=changes, now=now)
    elif name in {"submit", "repeat"}:
        if name == "submit" or not keys:
            keys.append(uuid.uuid4().hex)
        services.submit_proposal(p, actor=a, idempotency_key=keys[-1], now=now)
    elif name == "return":
        services.return_proposal(p, actor=o, comment="理由", now=now)
    elif name == "endorse":
        services.endorse_proposal(p, actor=o, now=now)
    else:
        services.withdraw_proposal(p, actor=a, now=now)


def _titles(rows: Any) -> dict[int, str]:
    return {row.pk: row.shown_title_ja for row in rows}


def _pks(rows: Any, ids: list[int]) -> set[int]:
    return set(rows.filter(pk__in=ids).values_list("pk", flat=True))


def _check(world: World, made: list[Proposal]) -> None:
    officer_sees, agency_sees = set(), set()
    officer_titles, agency_titles = {}, {}
    for p in made:
        assert pointers(p) == expected(p)
        assert copies(p) == expected_copies(p)
        versions = list(ProposalVersion.objects.filter(proposal=p).order_by("number"))
        endorsed = [v for v in versions if v.endorsement == Endorsement.ENDORSED]
        p.refresh_from_db()
        if versions and p.status != ProposalStatus.DRAFT:
            officer_sees.add(p.pk)
            officer_titles[p.pk] = versions[-1].content["title_ja"]
        if endorsed:
            agency_sees.add(p.pk)
            agency_titles[p.pk] = endorsed[-1].content["title_ja"]
    ids = [p.pk for p in made]
    assert _pks(institution_proposals(world.officer), ids) == officer_sees
    assert _pks(agency_proposals(world.nedo_staff), ids) == agency_sees
    listed = listed_proposals(world.officer, INSTITUTION).filter(pk__in=ids)
    assert _titles(listed) == officer_titles
    assert _titles(listed_proposals(world.nedo_staff, AGENCY).filter(pk__in=ids)) == agency_titles


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.integers(0, 1), st.sampled_from(STEPS)), min_size=1, max_size=10))
def test_after_any_sequence_of_steps_the_pointers_equal_the_versions(world, steps):
    start = timezone.now()
    made = [_draft(world, start), _draft(world, start)]
    keys: list[list[str]] = [[], []]
    for i, (which, name) in enumerate(steps):
        # A refused step writes nothing; the pointers must hold all the same.
        with contextlib.suppress(Refused):
            _step(world, made[which], name, start + timedelta(minutes=i + 1), keys[which])
        _check(world, made)
