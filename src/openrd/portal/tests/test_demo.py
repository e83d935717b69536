from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openrd.accounts.models import User
from openrd.core.fiscal import TOKYO, fiscal_year_of, to_tokyo
from openrd.core.models import AuditEntry
from openrd.portal.demo import load_demo
from openrd.programs.models import Call

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return load_demo()


def _call(program: str) -> Call:
    # The program's latest call: SBIR also has the lifecycle's two past calls.
    return (
        Call.objects.select_related("topic", "agency", "presenting_ministry")
        .filter(program__code=program)
        .latest("opens_at")
    )


def test_the_demo_loads_twice_without_creating_anything_new(demo):
    assert len(demo["calls_created"]) == 5
    calls = Call.objects.count()
    entries = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        again = load_demo()
    assert again["calls_created"] == []
    assert again["users_created"] == []
    assert Call.objects.count() == calls == 7  # the lifecycle's two past SBIR calls too
    assert AuditEntry.objects.count() == entries
    # Cheap on every start: the calls cost one lookup once they exist.
    assert sum("programs_call" in q["sql"] for q in queries.captured_queries) == 1


def test_the_sbir_phase_1_call_is_open_and_run_by_nedo_on_a_meti_topic(demo):
    call = _call("sbir")
    now = timezone.now()
    assert call.status == "open"
    assert call.opens_at < now < call.closes_at
    assert (call.agency.code, call.presenting_ministry.code, call.topic.code) == (
        "nedo",
        "meti",
        "phase1",
    )
    deadline = to_tokyo(call.closes_at)
    assert (deadline.hour, deadline.minute, deadline.second) == (12, 0, 0)
    assert deadline.date() == to_tokyo(now).date() + timedelta(days=60)
    assert call.fiscal_year == fiscal_year_of(call.opens_at.astimezone(TOKYO))
    assert call.code == f"sbir-{call.fiscal_year}-meti-01"
    assert call.cap_per_proposal_yen <= call.total_budget_yen
    assert call.eligibility == {"eligible_org_kinds": ["startup", "company"]}
    documents = {d.code: d.required for d in call.documents.all()}
    assert documents == {"research-plan": True, "budget-sheet": True, "letter-of-support": False}


def test_the_k_program_call_is_open_and_run_by_jst_on_a_vision_1_topic(demo):
    call = _call("k_program")
    assert call.status == "open"
    assert call.opens_at < timezone.now() < call.closes_at
    assert call.agency.code == "jst"
    assert call.topic.code.startswith("vision-1-")
    assert call.topic.kind == "topic"
    assert call.cap_per_proposal_yen == 1_000_000_000


def test_the_moonshot_goal_6_call_closed_ten_days_ago(demo):
    call = _call("moonshot")
    assert call.status == "closed"
    assert call.topic.code == "goal-6"
    assert to_tokyo(call.closes_at).date() == to_tokyo(timezone.now()).date() - timedelta(days=10)
    history = AuditEntry.objects.filter(object_type="programs.call", object_id=str(call.pk))
    assert sorted(history.values_list("action", flat=True)) == [
        "programs.call.closed",
        "programs.call.created",
        "programs.call.opened",
    ]


def test_every_demo_call_has_criteria_weights_adding_up_to_100(demo):
    for call in Call.objects.all():
        assert sum(c.weight for c in call.criteria.all()) == 100, call.code


def test_the_draft_sip_call_is_not_public(client, demo):
    draft = _call("sip")
    assert draft.status == "draft"
    listed = {c["code"] for c in client.get("/api/v1/calls").json()}
    assert draft.code not in listed
    assert {_call("sbir").code, _call("k_program").code, _call("moonshot").code} <= listed
    assert client.get(f"/api/v1/calls/{draft.pk}").status_code == 404
    assert client.get(f"/ja/calls/{draft.pk}/").status_code == 404
    assert draft.title_ja not in client.get("/ja/calls/").content.decode()


def test_the_demo_agency_account_sees_its_draft(client, demo):
    client.force_login(User.objects.get(username="agency"))
    draft = _call("sip")
    assert client.get(f"/api/v1/calls/{draft.pk}").json()["status"] == "draft"


def test_the_open_demo_calls_are_listed_as_open_with_an_apply_link(client, demo):
    open_codes = {c["code"] for c in client.get("/api/v1/calls?status=open").json()}
    assert open_codes == {_call("sbir").code, _call("k_program").code}
    sbir = _call("sbir")
    client.force_login(User.objects.get(username="startup"))  # the demo's SBIR applicant
    page = client.get(f"/ja/calls/{sbir.pk}/").content.decode()
    assert f'href="/ja/proposals/new/?call={sbir.pk}"' in page
    assert "12:00（日本時間）" in page


def test_demo_accounts_have_verified_reserved_addresses_so_demo_mail_can_be_read(demo, settings):
    from allauth.account.models import EmailAddress

    from openrd.accounts.models import User

    startup = User.objects.get(username="startup")
    assert startup.email == "startup@demo.openrd.example"
    assert EmailAddress.objects.get(user=startup).verified is True


def test_the_demo_has_a_draft_with_an_accepted_co_investigator_and_a_share(demo):
    from openrd.proposals.models import MemberStatus, Proposal

    (title,) = demo["proposals_created"]
    proposal = Proposal.objects.get(title_ja=title)
    (member,) = proposal.members.all()
    assert (proposal.applicant.username, member.person.username) == ("startup", "researcher")
    assert (member.status, member.role) == (MemberStatus.ACCEPTED, "co_investigator")
    first = proposal.call.first_budget_year
    assert list(member.shares.values_list("fiscal_year", "amount_yen")) == [
        (first, 2_000_000),
        (first + 1, 1_500_000),
    ]
    assert load_demo()["proposals_created"] == []


def test_moonshot_goal_6_has_its_twelve_projects_as_awards_with_a_gate_each(demo):
    from openrd.awards.models import Award
    from openrd.awards.my_tasks import GATE
    from openrd.core.my_tasks import tasks_for

    awards = Award.objects.filter(program__code="moonshot", element__parent__code="goal-6")
    assert sorted(demo["awards_created"]) == sorted(a.grant_number for a in awards)
    assert awards.count() == 12
    pm1 = awards.get(grant_number="DEMO-MS6-PM1")
    assert pm1.pi_name_ja == "山本 剛"
    assert pm1.institution.name_en == "NEC Corporation"
    for award in awards:
        assert award.budget_lines.exists()
        assert award.stage_gates.filter(status="continue").count() == 1
    # The PD and the PM find the next gates on their dashboard.
    pd, pm = User.objects.get(username="pd"), User.objects.get(username="pm")
    assert len([t for t in tasks_for(pd) if t.kind == GATE]) == 12
    assert [t.title for t in tasks_for(pm) if t.kind == GATE] == [pm1.title]
    assert load_demo()["awards_created"] == []


def test_the_demo_reviewer_finds_a_review_request_on_the_dashboard(client, demo):
    from openrd.core.my_tasks import tasks_for
    from openrd.review.models import ReviewAssignment
    from openrd.review.my_tasks import REQUEST

    assert demo["review_rounds_created"] == ["書面審査（デモ）"]
    reviewer = User.objects.get(username="reviewer")
    (assignment,) = ReviewAssignment.objects.filter(reviewer=reviewer, status="invited")
    assert assignment.status == "invited"
    assert [t.kind for t in tasks_for(reviewer)] == [REQUEST]
    client.force_login(reviewer)
    assert f"/ja/reviews/{assignment.pk}/" in client.get("/ja/dashboard/").content.decode()
    # The startup's other proposal, the one with a co-investigator, is still a draft.
    assert User.objects.get(username="startup").proposals.filter(status="draft").exists()
    assert load_demo()["review_rounds_created"] == []


def test_the_demo_agency_is_not_flooded_with_overdue_reports_of_projects_older_than_the_record(
    demo,
):
    from openrd.awards.reports import overdue_for_staff

    agency = User.objects.get(username="agency")
    assert not overdue_for_staff(agency, timezone.localdate()).exists()


def test_the_repository_demo_has_open_embargoed_metadata_only_and_withdrawn_outputs(demo, client):
    from openrd.repository.models import Output

    assert len(demo["outputs_created"]) == 6
    rows = Output.objects.filter(award__grant_number="DEMO-MS6-PM3")
    by_access = {o.access_rights for o in rows.filter(status="published")}
    assert by_access == {"open", "embargoed", "metadata_only"}
    assert rows.filter(status="withdrawn").count() == 1
    assert rows.filter(status="submitted").count() == 1
    assert rows.filter(kind="dataset", supports__isnull=False).count() == 1
    curator = User.objects.get(username="curator")
    client.force_login(curator)
    queue = client.get("/ja/outputs/curation/")
    assert queue.status_code == 200
    assert "量子誤り訂正のデコーダ比較" in queue.content.decode()
    assert load_demo()["outputs_created"] == []


def test_the_mandated_demo_award_has_a_paper_in_each_state_of_compliance(demo, client):
    """The additional Goal 6 call opened after FY2025 began: its award's papers
    fall under the mandate, and the demo researcher is asked to open the draft."""
    from openrd.repository.compliance import compliance_of
    from openrd.repository.models import Output

    assert len(demo["mandated_outputs_created"]) == 4
    award = Output.objects.filter(award__grant_number="DEMO-MS6-ADD-01").first().award
    assert award.call is not None
    assert award.call.fiscal_year >= 2025
    today = to_tokyo(timezone.now()).date()
    statuses = {
        compliance_of(o, today=today).status
        for o in Output.objects.filter(award=award).select_related("award__call", "program")
    }
    assert statuses == {"compliant", "pending", "exception", "non_compliant"}
    client.force_login(User.objects.get(username="researcher"))
    dashboard = client.get("/ja/dashboard/").content.decode()
    assert "多重化読み出し配線の熱負荷" in dashboard  # the pending draft, to open
    assert "量子ビット制御の較正手順" in dashboard  # the late one
    assert load_demo()["mandated_outputs_created"] == []


def test_the_ministry_and_the_command_tower_find_the_strategy_follow_up_on_their_dashboards(
    demo, client
):
    assert len(demo["strategy_values_entered"]) == 1
    client.force_login(User.objects.get(username="ministry"))
    ministry = client.get("/ja/dashboard/").content.decode()
    assert "報告する指標" in ministry
    assert "拠点都市" in ministry  # the hub cities' count, still a draft
    client.force_login(User.objects.get(username="admin"))
    tower = client.get("/ja/dashboard/").content.decode()
    assert "下書きのままの値" in tower
    assert load_demo()["strategy_values_entered"] == []


def test_the_demo_counts_sbir_for_meti_and_mlit_and_its_awards_show_as_spending(demo, client):
    from openrd.strategy import sbir

    assert len(demo["sbir_subsidies_counted"]) == 4
    years = {fy: sbir.spending_year(fy) for fy in sbir.spending_years()}
    assert sum(y.actual_yen for y in years.values()) > 0  # the demo's SBIR awards count
    this_year = fiscal_year_of(to_tokyo(timezone.now()).date())
    page = client.get(f"/ja/strategy/sbir/{this_year}/").content.decode()
    assert "国土交通省" in page
    assert "300億円" in page
    assert load_demo()["sbir_subsidies_counted"] == []


def test_the_demo_follow_up_is_on_the_ministrys_and_the_towers_dashboards_and_frozen(demo, client):
    from openrd.strategy.models import FollowUpReport

    assert len(demo["follow_ups_written"]) == 2
    (report,) = FollowUpReport.objects.all()
    assert "大学発スタートアップ" in report.html_ja
    assert report.intact
    client.force_login(User.objects.get(username="admin"))
    tower = client.get("/ja/dashboard/").content.decode()
    assert "確認するフォローアップ" in tower
    assert "拠点都市の形成" in tower  # METI's submitted follow-up, to review
    client.force_login(User.objects.get(username="ministry"))
    ministry = client.get("/ja/dashboard/").content.decode()
    assert "記入するフォローアップ" in ministry
    assert client.get(f"/ja/strategy/reports/{report.pk}/").status_code == 200
    assert load_demo()["follow_ups_written"] == []


def test_the_demo_startups_are_assessed_and_the_challenges_show_a_proposal_and_a_contract(
    demo, client
):
    from openrd.ecosystem.models import Company, EligibilityAssessment
    from openrd.ecosystem.responses import adoption

    assert len([x for x in demo["ecosystem_loaded"] if x.startswith("company")]) == 3
    sakura = Company.objects.get(organisation__code="sakura-quantum")
    statuses = dict(EligibilityAssessment.objects.filter(company=sakura, current=True)
                    .values_list("rule", "status"))  # fmt: skip
    assert statuses == {"sme": "yes", "sbir": "yes"}
    page = client.get("/ja/ecosystem/challenges/demo-cao-disaster-robots/").content.decode()
    assert "ひかりロボティクス株式会社（架空）" in page  # the contract is public
    (cao,) = [a for a in adoption() if a.owner.code == "cao"]
    assert (cao.closed, cao.with_contract, cao.rate) == (1, 1, 100.0)
    client.force_login(User.objects.get(username="admin"))
    bridge = client.get("/ja/ecosystem/challenges/demo-mlit-bridge-inspection/").content.decode()
    assert "量子センサ搭載ドローン" in bridge  # the proposal, for the owner's side
    assert bridge.index("さくら量子株式会社（架空）", bridge.index("matches-caption")) > 0
    assert "経済 太郎（デモ）" in client.get("/ja/ecosystem/sbir/").content.decode()
