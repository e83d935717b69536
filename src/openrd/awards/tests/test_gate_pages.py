"""The PD's and PM's stage gate page and the staff's award status page: who reaches
them, what a refused or bad evaluation answers, and that nothing half-saves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import services
from openrd.awards.models import AwardStatus, GateOutcome
from openrd.core.models import AuditEntry
from openrd.programs.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(loaded_programs):
    jst = Organisation.objects.get(code="jst")
    staff, pd, pm = UserFactory(), UserFactory(), UserFactory()
    assign_role(staff, Role.AGENCY_STAFF, organisation=jst)
    assign_role(pd, Role.PROGRAM_DIRECTOR, organisation=jst)
    award = services.create_award(
        actor=staff,
        program=Program.objects.get(code="moonshot"),
        grant_number="MS6-PM9",
        title_ja="量子誤り訂正の研究",
        pi_name_ja="佐藤 花子",
        institution=jst,
        starts_on=date(2022, 4, 1),
        ends_on=date(2031, 3, 31),
        budget=[(2024, 100_000_000)],
        pm=pm,
        gates=[("第1回評価", "First review", timezone.localdate() + timedelta(days=5))],
    )
    return {"staff": staff, "pd": pd, "pm": pm, "award": award, "gate": award.stage_gates.get()}


def _as(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["pd", "pm"])
def test_the_pd_and_the_awards_pm_record_an_evaluation(client, people, who):
    gate = people["gate"]
    url = f"/ja/awards/gates/{gate.pk}/"
    page = _as(client, people[who]).get(url)
    assert page.status_code == 200
    assert "第1回評価" in page.content.decode()
    done = client.post(url, {"outcome": "continue", "reasons": "計画どおり進捗している。"})
    assert done.status_code == 302
    gate.refresh_from_db()
    assert (gate.status, gate.reasons, gate.decided_by) == (
        GateOutcome.CONTINUE,
        "計画どおり進捗している。",
        people[who],
    )
    assert AuditEntry.objects.filter(action="awards.gate.continue").count() == 1


def test_others_get_404_and_the_attempt_is_audited(client, people):
    gate = people["gate"]
    stranger = UserFactory(roles=[Role.RESEARCHER])
    other_pm = UserFactory()
    assign_role(other_pm, Role.PROGRAM_MANAGER, organisation=Organisation.objects.get(code="jsps"))
    for user in (stranger, other_pm):
        c = _as(client, user)
        assert c.get(f"/ja/awards/gates/{gate.pk}/").status_code == 404
        posted = c.post(f"/ja/awards/gates/{gate.pk}/", {"outcome": "terminate", "reasons": "x"})
        assert posted.status_code == 404
    gate.refresh_from_db()
    assert gate.status == GateOutcome.PENDING
    assert AuditEntry.objects.filter(action="access.denied").count() == 2  # once per person


def test_modify_without_changes_and_no_reasons_answer_beside_the_fields_and_keep_the_text(
    client, people
):
    gate = people["gate"]
    url = f"/en/awards/gates/{gate.pk}/"
    page = _as(client, people["pd"]).post(url, {"outcome": "modify", "reasons": "  "})
    assert page.status_code == 422
    body = page.content.decode()
    assert 'id="id_reasons_error"' in body
    assert 'id="id_changes_error"' in body
    assert "Give the reasons for the evaluation." in body
    kept = client.post(url, {"outcome": "modify", "reasons": "予算を見直す", "changes": ""})
    assert kept.status_code == 422
    assert "予算を見直す" in kept.content.decode()
    unknown = client.post(url, {"outcome": "pending", "reasons": "x"})
    assert unknown.status_code == 422
    assert 'id="id_outcome_error"' in unknown.content.decode()
    gate.refresh_from_db()
    assert gate.status == GateOutcome.PENDING
    assert gate.reasons == ""


def test_terminating_at_a_gate_ends_the_award_and_a_second_evaluation_is_refused(client, people):
    gate, award = people["gate"], people["award"]
    url = f"/ja/awards/gates/{gate.pk}/"
    c = _as(client, people["pd"])
    ended = c.post(url, {"outcome": "terminate", "reasons": "目標の達成が見込めない。"})
    assert ended.status_code == 302
    award.refresh_from_db()
    assert award.status == AwardStatus.TERMINATED
    again = c.post(url, {"outcome": "continue", "reasons": "やはり継続"})
    assert again.status_code == 409
    assert 'data-code="award.gate_decided"' in again.content.decode()


def test_staff_suspend_and_resume_with_a_reason_others_get_404(client, people):
    award = people["award"]
    url = f"/ja/awards/{award.pk}/status/"
    assert _as(client, people["pd"]).get(url).status_code == 404
    c = _as(client, people["staff"])
    page = c.get(url).content.decode()
    assert 'value="suspended"' in page
    assert 'value="spun_out"' not in page
    missing = c.post(url, {"target": "suspended", "reason": ""})
    assert missing.status_code == 422
    assert 'id="id_reason_error"' in missing.content.decode()
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE
    assert c.post(url, {"target": "suspended", "reason": "研究代表者の長期療養"}).status_code == 302
    award.refresh_from_db()
    assert award.status == AwardStatus.SUSPENDED
    entry = AuditEntry.objects.get(action="awards.award.suspended")
    assert "研究代表者の長期療養" in str(entry.after)
    # From suspended the award resumes or ends: completing it is not on the list.
    wrong = c.post(url, {"target": "completed", "reason": "x"})
    assert wrong.status_code == 422
    assert 'id="id_target_error"' in wrong.content.decode()
    assert c.post(url, {"target": "active", "reason": "復帰"}).status_code == 302
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE


def test_the_award_page_links_the_evaluation_for_the_pd_and_the_status_page_for_staff(
    client, people
):
    award, gate = people["award"], people["gate"]
    url = f"/ja/awards/{award.pk}/"
    public = client.get(url).content.decode()
    assert f"/ja/awards/gates/{gate.pk}/" not in public
    assert f"/ja/awards/{award.pk}/status/" not in public
    as_pd = _as(client, people["pd"]).get(url).content.decode()
    assert f"/ja/awards/gates/{gate.pk}/" in as_pd
    assert f"/ja/awards/{award.pk}/status/" not in as_pd
    as_staff = _as(client, people["staff"]).get(url).content.decode()
    assert f"/ja/awards/{award.pk}/status/" in as_staff
