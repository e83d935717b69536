"""The shared registry: an officer's decision, reciprocity across agencies, lifting,
publication, and the lock that keeps a submission from slipping past a sanction."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone, translation

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import services as awards
from openrd.core.fiscal import fiscal_year_of
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.integrity.models import Sanction
from openrd.integrity.sanctions import services
from openrd.programs.models import Program
from openrd.proposals import services as proposals
from openrd.proposals.tests.conftest import PDF

pytestmark = pytest.mark.django_db

COMPLETE = proposals.DraftChanges(
    fields={"title_ja": "量子センサの実証", "abstract_ja": "概要", "effort_percent": 40},
    budget=[(2026, 10_000_000), (2027, 8_000_000)],
)
CANARY = "CANARY-7f3a-unpublished-reasons"


def this_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def last_year() -> date:
    """A decision a year ago restricts from this fiscal year (the year after it)."""
    return date(this_fiscal_year() - 1, 6, 1)


def officer_of(code: str, username: str):
    officer = UserFactory(username=username)
    assign_role(officer, Role.INTEGRITY_OFFICER, organisation=Organisation.objects.get(code=code))
    return officer


def sanction(person, *, agency="jst", officer=None, published=False, **overrides) -> Sanction:
    officer = officer or officer_of(agency, f"{agency}-integrity")
    args = {
        "actor": officer,
        "agency": Organisation.objects.get(code=agency),
        "person": person,
        "offence": "misuse",
        "role": "user",
        "severity": "grave",
        "decided_on": last_year(),
        "years": None,
        "reasons": f"研究費の目的外使用 {CANARY}",
        "measures": ["publication", "refund"],
        "refund_yen": "1,200,000",
        "published": published,
        "program_code": "moonshot",
        "program_name_ja": "ムーンショット型研究開発制度",
    } | overrides
    return services.record_sanction(**args)


def ready(world):
    p = proposals.create_proposal(actor=world.applicant, call=world.call, changes=COMPLETE)
    proposals.attach_document(
        p, actor=world.applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    return p


def test_the_officer_records_the_tables_least_period_from_the_year_after(world):
    s = sanction(world.applicant, decided_on=date(2025, 3, 31))
    # Decided in FY2024: the grave-misuse row's 5 years run FY2025–FY2029.
    assert (s.years, s.first_fiscal_year, s.last_fiscal_year) == (5, 2025, 2029)
    assert s.row_code
    assert "競争的研究費" in s.source
    assert s.refund_yen == 1_200_000
    assert s.measures == ["publication", "refund"]
    assert s.person_name_ja == world.applicant.name_ja
    assert AuditEntry.objects.filter(action="integrity.sanction.recorded").count() == 1


def test_only_the_agencys_integrity_officer_decides(world):
    for actor in (world.jst_staff, officer_of("nedo", "nedo-integrity")):
        with pytest.raises(PermissionDenied):
            sanction(world.applicant, agency="jst", officer=actor)
    assert not Sanction.objects.exists()


def test_a_period_outside_the_range_is_refused_and_nothing_is_written(world):
    with pytest.raises(Refused) as refused, translation.override("en"):
        sanction(world.applicant, severity="other", years=5)
    assert [r.code for r in refused.value.reasons] == ["sanctions.years_out_of_range"]
    assert "2 to 4 years" in refused.value.reasons[0].message
    assert not Sanction.objects.exists()


def test_reasons_are_required_and_a_bad_refund_is_named_by_field(world):
    with pytest.raises(ValidationError) as bad:
        sanction(world.applicant, reasons="  ", refund_yen="−5")
    assert set(bad.value.message_dict) == {"reasons", "refund_yen"}
    assert not Sanction.objects.exists()


def test_a_sanction_by_one_agency_refuses_a_submission_to_anothers_call(world):
    # The call is NEDO's (SBIR); the decision is JST's: reciprocity.
    sanction(world.applicant, agency="jst")
    p = ready(world)
    with pytest.raises(Refused) as refused, translation.override("en"):
        proposals.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    restricted = [r for r in refused.value.reasons if r.code == "sanctions.restricted"]
    assert len(restricted) == 1
    last = this_fiscal_year() - 1 + 5
    assert f"FY{last}" in restricted[0].message
    assert f"{last + 1}-03-31" in restricted[0].message
    assert "Japan Science and Technology Agency" in restricted[0].message or "JST" in (
        restricted[0].message
    )
    assert not p.versions.exists()


def test_a_sanction_decided_this_year_restricts_only_from_next_fiscal_year(world):
    sanction(world.applicant, decided_on=timezone.localdate())
    version = proposals.submit_proposal(ready(world), actor=world.applicant, idempotency_key="k")
    assert version.number == 1


def test_a_lifted_sanction_no_longer_refuses(world):
    s = sanction(world.applicant)
    services.lift_sanction(s, actor=s.decided_by, reason="不服申立てを認容")
    version = proposals.submit_proposal(ready(world), actor=world.applicant, idempotency_key="k")
    assert version.number == 1
    with pytest.raises(Refused):
        services.lift_sanction(s, actor=s.decided_by, reason="again")


def test_a_sanction_refuses_an_award_by_another_agency(world):
    sanction(world.applicant, agency="nedo")
    jst = Organisation.objects.get(code="jst")
    staff = UserFactory(username="jst-awards")
    assign_role(staff, Role.AGENCY_STAFF, organisation=jst)
    with pytest.raises(Refused) as refused:
        awards.create_award(
            actor=staff,
            program=Program.objects.get(code="moonshot"),
            grant_number="MS-X-1",
            title_ja="量子の研究",
            pi_name_ja="応募 太郎",
            pi=world.applicant,
            institution=jst,
            starts_on=date(2026, 4, 1),
            ends_on=date(2028, 3, 31),
            budget=[(2026, 10_000_000)],
        )
    assert "sanctions.restricted" in {r.code for r in refused.value.reasons}


def test_the_public_page_and_api_show_published_decisions_only(world):
    published = sanction(world.applicant, published=True)
    other = UserFactory(username="hidden-person", name_ja="非公開 花子")
    sanction(other, officer=published.decided_by)
    client = Client()
    page = client.get("/ja/integrity/sanctions/")
    assert page.status_code == 200
    body = page.content.decode()
    assert world.applicant.name_ja in body
    assert "非公開 花子" not in body
    assert CANARY not in body
    api = client.get("/api/v1/sanctions")
    assert api.status_code == 200
    rows = api.json()
    assert [r["id"] for r in rows] == [published.pk]
    assert rows[0]["agency"] == "jst"
    assert rows[0]["last_fiscal_year"] == published.last_fiscal_year
    assert CANARY not in api.content.decode()
    in_force = client.get("/api/v1/sanctions", {"fiscal_year": published.last_fiscal_year + 1})
    assert in_force.json() == []


def test_the_register_is_shared_by_agencies_and_hidden_from_others(world):
    s = sanction(world.applicant)
    staff = Client()
    staff.force_login(world.nedo_staff)  # another agency's staff: the register is shared
    assert CANARY in staff.get(f"/ja/integrity/sanctions/{s.pk}/").content.decode()
    assert staff.get("/ja/integrity/sanctions/register/").status_code == 200
    own = Client()
    own.force_login(world.applicant)
    assert own.get(f"/ja/integrity/sanctions/{s.pk}/").status_code == 200
    stranger = Client()
    stranger.force_login(world.stranger)
    response = stranger.get(f"/ja/integrity/sanctions/{s.pk}/")
    assert response.status_code == 404
    assert CANARY not in response.content.decode()
    assert stranger.get("/ja/integrity/sanctions/register/").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").count() >= 2


def test_the_officer_previews_then_records_through_the_page(world):
    officer = officer_of("jst", "jst-integrity")
    client = Client()
    client.force_login(officer)
    form = {
        "agency": "jst",
        "person": world.applicant.username,
        "row": "",
        "decided_on": last_year().isoformat(),
        "reasons": "理由",
    }
    assert client.get("/ja/integrity/sanctions/new/").status_code == 200
    missing = client.post("/ja/integrity/sanctions/new/", form | {"record": "1"})
    assert missing.status_code == 422
    assert not Sanction.objects.exists()
    from openrd.integrity.rules.sanctions import table_for

    row = next(r for r in table_for("jst").rows if r.offence == "deceit")
    with translation.override("en"):
        shown = client.post("/en/integrity/sanctions/new/", form | {"row": row.code})
    assert shown.status_code == 200
    assert "5 to 5 years" in shown.content.decode()
    assert not Sanction.objects.exists()
    recorded = client.post("/ja/integrity/sanctions/new/", form | {"row": row.code, "record": "1"})
    assert recorded.status_code == 302
    assert Sanction.objects.get().years == 5
    outside = client.post(
        "/ja/integrity/sanctions/new/", form | {"row": row.code, "years": "3", "record": "1"}
    )
    assert outside.status_code == 409
    assert Sanction.objects.count() == 1
