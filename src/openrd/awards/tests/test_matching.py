"""SIP's matching funds: the yearly comparison (no database), recording and removing a
contribution, the award page, the staff's form and the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import matching, services
from openrd.awards.models import MatchingFund
from openrd.awards.rules import matching_status
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.programs.models import Program
from openrd.programs.rules import program_rules

# ---------------------------------------------------------------- the rule, no database


def test_each_year_is_met_or_short_by_the_difference():
    years = matching_status(
        0.5, {2024: 100_000_000, 2025: 80_000_000}, {2024: 50_000_000, 2025: 30_000_000}
    )
    assert [(y.fiscal_year, y.required_yen, y.contributed_yen, y.met) for y in years] == [
        (2024, 50_000_000, 50_000_000, True),
        (2025, 40_000_000, 30_000_000, False),
    ]
    assert years[0].decision.allowed
    assert years[1].decision.codes() == ["award.matching.short"]
    assert years[1].short_yen == 10_000_000


def test_the_requirement_is_rounded_up_to_the_yen_and_cites_the_source():
    (year,) = matching_status(0.5, {2024: 3}, {2024: 1}, source="SIP運用指針")
    assert year.required_yen == 2
    assert year.decision.reasons[0].source == "SIP運用指針"
    (exact,) = matching_status(0.5, {2024: 3}, {2024: 2})
    assert exact.met is True


def test_a_contribution_in_a_year_without_budget_requires_nothing():
    (year,) = matching_status(0.5, {}, {2026: 1_000_000})
    assert (year.required_yen, year.met) == (0, True)


def test_without_a_ratio_years_are_shown_but_not_judged():
    years = matching_status(None, {2024: 100}, {2024: 10})
    assert [(y.required_yen, y.contributed_yen, y.met) for y in years] == [(None, 10, None)]
    assert years[0].decision.allowed


def test_the_short_message_names_the_year_and_amounts_in_english():
    from django.utils import translation

    with translation.override("en"):
        (year,) = matching_status(0.5, {2024: 100_000_000}, {2024: 20_000_000})
    message = year.decision.reasons[0].message
    assert "2024" in message
    assert "short by" in message


# ---------------------------------------------------------------- the services


def _award(program: str, grant_number: str, staff):
    return services.create_award(
        actor=staff,
        program=Program.objects.get(code=program),
        grant_number=grant_number,
        title_ja="スマート物流サービス",
        pi_name_ja="物流 太郎",
        institution=Organisation.objects.get(code="jst"),
        starts_on=date(2024, 4, 1),
        ends_on=date(2026, 3, 31),
        budget=[(2024, 100_000_000), (2025, 80_000_000)],
    )


@pytest.fixture
def sip_award(loaded_programs):
    staff = UserFactory(username="jst-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jst"))
    award = _award("sip", "SIP3-01", staff)
    award.staff = staff  # type: ignore[attr-defined]
    return award


@pytest.mark.django_db
def test_the_sip_preset_asks_half_of_the_public_budget(loaded_programs):
    rules = program_rules(Program.objects.get(code="sip").rules)
    assert matching.ratio_of(rules) == 0.5


@pytest.mark.django_db
def test_recording_and_removing_a_contribution_is_staff_only_and_audited(sip_award):
    staff = sip_award.staff
    fund = matching.record_matching_fund(
        sip_award, fiscal_year=2024, contributor="物流商事株式会社", amount_yen="50,000,000円",
        actor=staff, note="現金",
    )  # fmt: skip
    assert (fund.amount_yen, fund.recorded_by) == (50_000_000, staff)
    entry = AuditEntry.objects.get(action="awards.matching_fund.recorded")
    assert entry.after["amount_yen"] == 50_000_000
    assert entry.object_id == str(sip_award.pk)
    stranger = UserFactory(username="stranger", roles=[Role.RESEARCHER])
    with pytest.raises(PermissionDenied):
        matching.record_matching_fund(
            sip_award, fiscal_year=2024, contributor="他社", amount_yen=1, actor=stranger
        )
    with pytest.raises(PermissionDenied):
        matching.remove_matching_fund(fund, actor=stranger)
    assert MatchingFund.objects.count() == 1
    matching.remove_matching_fund(fund, actor=staff)
    assert not MatchingFund.objects.exists()
    assert AuditEntry.objects.get(action="awards.matching_fund.removed").before["contributor"] == (
        "物流商事株式会社"
    )


@pytest.mark.django_db
def test_bad_contributions_get_field_errors_and_programs_without_matching_refuse(sip_award):
    with pytest.raises(ValidationError) as error:
        matching.record_matching_fund(
            sip_award, fiscal_year=2030, contributor=" ", amount_yen="-1", actor=sip_award.staff,
            note="x" * 1001,
        )  # fmt: skip
    assert set(error.value.message_dict) == {"fiscal_year", "contributor", "amount_yen", "note"}
    moonshot = _award("moonshot", "MS-01", sip_award.staff)
    with pytest.raises(Refused) as refused:
        matching.record_matching_fund(
            moonshot, fiscal_year=2024, contributor="A社", amount_yen=1, actor=sip_award.staff
        )
    assert refused.value.decision.codes() == ["award.matching.not_in_program"]
    assert not MatchingFund.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="awards.matching").exists()
    assert matching.matching_for(moonshot) is None


# ---------------------------------------------------------------- the pages and the API


@pytest.mark.django_db
def test_the_sip_page_and_api_show_each_year_against_the_ratio(client, sip_award):
    matching.record_matching_fund(
        sip_award, fiscal_year=2024, contributor="物流商事", amount_yen=50_000_000,
        actor=sip_award.staff,
    )  # fmt: skip
    detail = client.get(f"/api/v1/awards/{sip_award.pk}").json()
    assert detail["matching_funds"] == [
        {"fiscal_year": 2024, "required_yen": 50_000_000, "contributed_yen": 50_000_000,
         "met": True},
        {"fiscal_year": 2025, "required_yen": 40_000_000, "contributed_yen": 0, "met": False},
    ]  # fmt: skip
    page = client.get(f"/en/awards/{sip_award.pk}/").content.decode()
    assert 'id="matching"' in page
    assert 'data-code="award.matching.short"' in page
    assert 'id="matching-form"' not in page  # a visitor sees no form
    moonshot = _award("moonshot", "MS-01", sip_award.staff)
    assert 'id="matching"' not in client.get(f"/en/awards/{moonshot.pk}/").content.decode()


@pytest.mark.django_db
def test_the_staff_form_records_shows_errors_and_others_get_404(client, sip_award):
    url = f"/en/awards/{sip_award.pk}/matching/"
    client.force_login(UserFactory(username="stranger", roles=[Role.RESEARCHER]))
    assert client.get(url).status_code == 404
    typed = {"fiscal_year": "2024", "contributor": "物流商事", "amount_yen": "1,000"}
    assert client.post(url, typed).status_code == 404
    assert not MatchingFund.objects.exists()
    client.force_login(sip_award.staff)
    assert 'id="matching-form"' in client.get(f"/en/awards/{sip_award.pk}/").content.decode()
    response = client.post(url, typed | {"amount_yen": "千円"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_amount_yen_error"' in body
    assert 'value="物流商事"' in body
    assert not MatchingFund.objects.exists()
    assert client.post(url, typed).status_code == 302
    fund = MatchingFund.objects.get()
    assert fund.amount_yen == 1000
    assert "物流商事" in client.get(url).content.decode()
    assert client.post(url, {"action": "remove", "fund": str(fund.pk)}).status_code == 302
    assert not MatchingFund.objects.exists()
    moonshot = _award("moonshot", "MS-01", sip_award.staff)
    assert client.get(f"/en/awards/{moonshot.pk}/matching/").status_code == 404
