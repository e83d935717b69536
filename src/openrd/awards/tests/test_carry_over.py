"""Carrying budget over into the next fiscal year (繰越): the service and the award page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import budget, services
from openrd.awards.models import AwardBudget
from openrd.core.models import AuditEntry
from openrd.core.refusals import Refused
from openrd.programs.models import Program

pytestmark = pytest.mark.django_db

REASON = "装置の納期遅延のため"


@pytest.fixture
def staff(loaded_programs):
    person = UserFactory(username="jst-staff")
    assign_role(person, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jst"))
    return person


@pytest.fixture
def award(staff):
    return services.create_award(
        actor=staff,
        program=Program.objects.get(code="sip"),
        grant_number="SIP3-01",
        title_ja="スマートエネルギーマネジメントシステムの構築",
        pi_name_ja="研究 花子",
        institution=Organisation.objects.get(code="jst"),
        starts_on=date(2023, 4, 1),
        ends_on=date(2026, 3, 31),
        budget=[(2023, 100_000_000), (2024, 80_000_000), (2025, 50_000_000)],
    )


def carried(award) -> dict[int, int]:
    return dict(award.budget_lines.values_list("fiscal_year", "carried_over_yen"))


def test_carrying_over_raises_the_next_years_carried_over_amount_with_an_audit_entry(award, staff):
    line = budget.carry_over(
        award, from_fiscal_year=2023, amount_yen=30_000_000, actor=staff, reason=REASON
    )
    assert (line.fiscal_year, line.carried_over_yen) == (2024, 30_000_000)
    budget.carry_over(award, from_fiscal_year=2024, amount_yen="1,000,000", actor=staff,
                      reason=REASON)  # fmt: skip
    assert carried(award) == {2023: 0, 2024: 30_000_000, 2025: 1_000_000}
    entry = AuditEntry.objects.filter(action="awards.budget.carried_over").order_by("seq").first()
    assert entry.before == {"fiscal_year": 2024, "carried_over_yen": 0}
    assert entry.after["carried_over_yen"] == 30_000_000
    assert (entry.after["from_fiscal_year"], entry.after["amount_yen"]) == (2023, 30_000_000)
    assert entry.after["reason"] == REASON
    assert entry.actor_id == staff.pk


def test_what_was_carried_out_already_cannot_be_carried_again(award, staff):
    budget.carry_over(award, from_fiscal_year=2023, amount_yen=60_000_000, actor=staff,
                      reason=REASON)  # fmt: skip
    with pytest.raises(Refused) as refused:
        budget.carry_over(award, from_fiscal_year=2023, amount_yen=40_000_001, actor=staff,
                          reason=REASON)  # fmt: skip
    assert refused.value.decision.codes() == ["award.carry_over_more_than_available"]
    # What was carried into FY2024 can be carried on into FY2025.
    budget.carry_over(award, from_fiscal_year=2024, amount_yen=140_000_000, actor=staff,
                      reason=REASON)  # fmt: skip
    assert carried(award) == {2023: 0, 2024: 60_000_000, 2025: 140_000_000}


def test_only_the_programs_agency_carries_over(award):
    other_agency_staff = UserFactory()
    assign_role(
        other_agency_staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="amed")
    )
    for person in (UserFactory(), other_agency_staff):
        with pytest.raises(PermissionDenied):
            budget.carry_over(award, from_fiscal_year=2023, amount_yen=1, actor=person,
                              reason=REASON)  # fmt: skip
    assert carried(award) == {2023: 0, 2024: 0, 2025: 0}


def test_a_refused_carry_over_saves_nothing(award, staff):
    services.change_award_status(award, "completed", actor=staff, reason="理由")
    before = AuditEntry.objects.count()
    with pytest.raises(Refused) as refused:
        budget.carry_over(award, from_fiscal_year=2025, amount_yen=0, actor=staff, reason="")
    assert refused.value.decision.codes() == [
        "award.carry_over_award_not_running",
        "award.carry_over_next_year_outside_period",
        "award.carry_over_amount_not_positive",
        "award.carry_over_reason_missing",
    ]
    assert carried(award) == {2023: 0, 2024: 0, 2025: 0}
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("year", "amount", "field"),
    [
        ("2023", "-5", "amount_yen"),
        ("2023", "abc", "amount_yen"),
        ("令和5", "1", "from_fiscal_year"),
    ],
)
def test_bad_input_is_an_error_by_field(award, staff, year, amount, field):
    with pytest.raises(ValidationError) as error:
        budget.carry_over(award, from_fiscal_year=year, amount_yen=amount, actor=staff,
                          reason=REASON)  # fmt: skip
    assert set(error.value.message_dict) == {field}
    assert carried(award) == {2023: 0, 2024: 0, 2025: 0}


# ---------------------------------------------------------------- the award page


def url(award, lang="ja") -> str:
    return f"/{lang}/awards/{award.pk}/"


def test_staff_see_each_years_budget_carried_in_and_out_and_the_form(client, award, staff):
    budget.carry_over(award, from_fiscal_year=2023, amount_yen=30_000_000, actor=staff,
                      reason=REASON)  # fmt: skip
    client.force_login(staff)
    page = client.get(url(award, "en")).content.decode()
    assert 'id="carry-over"' in page
    assert 'name="from_fiscal_year"' in page
    row_2023 = page.split('data-year="2023"')[1].split("</tr>")[0]
    row_2024 = page.split('data-year="2024"')[1].split("</tr>")[0]
    # FY2023: ¥100M, nothing in, ¥30M out, ¥70M left; FY2024: ¥80M, ¥30M in, ¥110M left.
    assert [c in row_2023 for c in ("¥100 million", "¥30 million", "¥70 million")] == [True] * 3
    assert [c in row_2024 for c in ("¥80 million", "¥30 million", "¥110 million")] == [True] * 3


def test_visitors_and_other_people_see_no_carry_over_form(client, award):
    assert 'id="carry-over"' not in client.get(url(award)).content.decode()
    client.force_login(UserFactory())
    assert 'id="carry-over"' not in client.get(url(award)).content.decode()


def test_a_carry_over_posted_by_anyone_else_is_a_404_with_an_audit_entry(client, award):
    data = {"from_fiscal_year": "2023", "amount_yen": "1000", "reason": REASON}
    assert client.post(url(award), data).status_code == 404
    client.force_login(UserFactory())
    assert client.post(url(award), data).status_code == 404
    assert carried(award) == {2023: 0, 2024: 0, 2025: 0}
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(award.pk)).exists()


def test_staff_carry_over_from_the_page(client, award, staff):
    client.force_login(staff)
    data = {"from_fiscal_year": "2024", "amount_yen": "５，０００，０００", "reason": REASON}
    response = client.post(url(award), data)
    assert response.status_code == 302
    assert response["Location"] == f"/ja/awards/{award.pk}/"
    assert carried(award)[2025] == 5_000_000


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_errors_are_shown_at_their_fields_in_the_users_language_and_nothing_is_saved(
    client, award, staff, lang
):
    client.force_login(staff)
    data = {"from_fiscal_year": "2023", "amount_yen": "100000001", "reason": ""}
    response = client.post(url(award, lang), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_amount_yen_error"' in page
    assert 'id="id_carry_over_reason_error"' in page
    assert 'value="100000001"' in page  # what was typed is kept
    if lang == "en":
        assert "At most ¥100 million can be carried over from FY2023 (Reiwa 5)." in page
    else:
        assert "1億円" in page
        assert "令和5年度" in page
    assert carried(award) == {2023: 0, 2024: 0, 2025: 0}
    assert not AuditEntry.objects.filter(action="awards.budget.carried_over").exists()


def test_bad_amount_on_the_page_is_a_field_error(client, award, staff):
    client.force_login(staff)
    response = client.post(url(award, "en"), {"from_fiscal_year": "2023", "amount_yen": "-1",
                                               "reason": REASON})  # fmt: skip
    assert response.status_code == 422
    assert 'id="id_amount_yen_error"' in response.content.decode()
    assert AwardBudget.objects.filter(award=award, carried_over_yen__gt=0).count() == 0


def test_a_refusal_about_the_award_is_shown_above_the_form(client, award, staff):
    services.change_award_status(award, "completed", actor=staff, reason="理由")
    client.force_login(staff)
    response = client.post(url(award, "en"), {"from_fiscal_year": "2023", "amount_yen": "1",
                                               "reason": REASON})  # fmt: skip
    assert response.status_code == 409
    assert 'data-code="award.carry_over_award_not_running"' in response.content.decode()
    assert carried(award) == {2023: 0, 2024: 0, 2025: 0}
