"""The people on an award and their shares of its budget: the rule (no database), the
service, the award made from a selected proposal, the staff's form and the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import members, services
from openrd.awards.members import MemberIn
from openrd.awards.models import AwardMember
from openrd.awards.rules import AwardMemberFacts, MemberReason, check_member_shares
from openrd.core.models import AuditEntry
from openrd.programs.models import Program
from openrd.proposals.models import MemberShare, MemberStatus, ProposalMember
from openrd.review import services as review
from openrd.review.models import ReviewAssignment, SelectionOutcome


def pi(name: str = "山本 剛", share: int = 100, person: int | None = None) -> AwardMemberFacts:
    return AwardMemberFacts(name, "pi", share, person)


def co(name: str, share: int, person: int | None = None) -> AwardMemberFacts:
    return AwardMemberFacts(name, "co_investigator", share, person)


# ---------------------------------------------------------------- the rule, no database


def test_a_pi_and_co_investigators_whose_shares_make_100_are_allowed():
    assert check_member_shares([pi(share=60), co("佐藤 健", 25), co("鈴木 花子", 15)]).allowed
    assert check_member_shares([pi(), co("佐藤 健", 0)]).allowed


def test_a_share_out_of_range_is_a_reason_on_its_row():
    decision = check_member_shares([pi(share=120), co("佐藤 健", -20)])
    out = [r for r in decision.reasons if r.code == "award.member.share_out_of_range"]
    assert [(r.row, r.field) for r in out if isinstance(r, MemberReason)] == [
        (0, "share_percent"),
        (1, "share_percent"),
    ]
    assert "award.member.shares_not_100" not in decision.codes()  # 120 − 20 = 100


def test_shares_that_do_not_add_up_to_100_are_refused_for_the_whole_list():
    decision = check_member_shares([pi(share=70), co("佐藤 健", 20)])
    assert decision.codes() == ["award.member.shares_not_100"]
    assert "90" in decision.reasons[0].message
    reason = decision.reasons[0]
    assert isinstance(reason, MemberReason)
    assert reason.row is None


def test_the_pi_missing_is_refused():
    decision = check_member_shares([co("佐藤 健", 100)])
    assert decision.codes() == ["award.member.pi_missing"]
    assert check_member_shares([]).codes() == [
        "award.member.pi_missing",
        "award.member.shares_not_100",
    ]


def test_a_second_pi_is_a_reason_on_the_second_row():
    decision = check_member_shares([pi(share=50), pi("佐藤 健", 50)])
    assert decision.codes() == ["award.member.pi_twice"]
    reason = decision.reasons[0]
    assert isinstance(reason, MemberReason)
    assert (reason.row, reason.field) == (1, "role")


def test_the_same_person_twice_is_refused_by_account_or_by_name():
    by_account = check_member_shares([pi(share=50, person=7), co("山本 剛（再）", 50, person=7)])
    assert by_account.codes() == ["award.member.twice"]
    assert by_account.reasons[0].row == 1  # type: ignore[attr-defined]
    by_name = check_member_shares([pi(share=50), co("山本　剛", 50)])  # a full-width space
    assert by_name.codes() == ["award.member.twice"]
    # Two accounts with the same name are two people.
    assert check_member_shares([pi(share=50, person=7), co("山本 剛", 50, person=8)]).allowed


# ---------------------------------------------------------------- the service


@pytest.fixture
def award(loaded_programs):
    jst = Organisation.objects.get(code="jst")
    staff = UserFactory(username="jst-staff")
    assign_role(staff, Role.AGENCY_STAFF, organisation=jst)
    made = services.create_award(
        actor=staff,
        program=Program.objects.get(code="moonshot"),
        grant_number="MS6-PM1",
        title_ja="超伝導量子回路の集積化技術の開発",
        pi_name_ja="山本 剛",
        pi_name_en="Tsuyoshi Yamamoto",
        institution=jst,
        starts_on=date(2020, 12, 1),
        ends_on=date(2030, 11, 30),
        budget=[(2024, 300_000_000)],
    )
    made.staff = staff  # type: ignore[attr-defined]
    return made


ROWS = [
    MemberIn(name_ja="田中 一郎", name_en="Ichiro Tanaka", role="pi", share_percent="７０"),
    MemberIn(
        name_ja="佐藤 健",
        role="co_investigator",
        share_percent=30,
        institution_name="東北大学",
    ),
]


@pytest.mark.django_db
def test_staff_replace_the_members_with_one_audit_entry_and_the_award_names_the_pi(award):
    made = members.set_members(award, ROWS, actor=award.staff)
    assert [(m.name_ja, m.role, m.share_percent, m.order) for m in made] == [
        ("田中 一郎", "pi", 70, 0),
        ("佐藤 健", "co_investigator", 30, 1),
    ]
    award.refresh_from_db()
    assert (award.pi_name_ja, award.pi_name_en) == ("田中 一郎", "Ichiro Tanaka")
    again = [MemberIn(name_ja="田中 一郎", role="pi", share_percent=100)]
    members.set_members(award, again, actor=award.staff)
    assert list(award.members.values_list("name_ja", "share_percent")) == [("田中 一郎", 100)]
    entries = AuditEntry.objects.filter(action="awards.members.set").order_by("id")
    assert entries.count() == 2
    last = entries.last()
    assert [m["name_ja"] for m in last.before["members"]] == ["田中 一郎", "佐藤 健"]
    assert last.after["members"] == [
        {
            "name_ja": "田中 一郎",
            "name_en": "",
            "institution": "",
            "role": "pi",
            "share_percent": 100,
        }
    ]


@pytest.mark.django_db
def test_a_stranger_may_not_set_members_and_bad_rows_save_nothing(award):
    members.set_members(award, ROWS, actor=award.staff)
    # A researcher, and staff of an agency that does not run Moonshot.
    stranger = UserFactory(username="stranger", roles=[Role.RESEARCHER])
    other = Organisation.objects.create(
        code="other-agency", kind="funding_agency", name_ja="他機関"
    )
    other_staff = UserFactory(username="other-staff")
    assign_role(other_staff, Role.AGENCY_STAFF, organisation=other)
    for outsider in (stranger, other_staff):
        with pytest.raises(PermissionDenied):
            members.set_members(award, ROWS, actor=outsider)
    bad = [
        MemberIn(name_ja=" ", role="pi", share_percent="七十"),
        MemberIn(name_ja="佐藤 健", role="leader", share_percent=30),
    ]
    with pytest.raises(ValidationError) as error:
        members.set_members(award, bad, actor=award.staff)
    assert set(error.value.message_dict) == {
        "members.0.name_ja",
        "members.0.share_percent",
        "members.1.role",
    }
    with pytest.raises(ValidationError) as error:
        members.set_members(
            award,
            [MemberIn(name_ja="田中 一郎", role="pi", share_percent=80)],
            actor=award.staff,
        )
    assert list(error.value.message_dict) == ["members"]
    # The list, the award's PI and the audit log are as they were.
    assert list(award.members.values_list("name_ja", flat=True)) == ["田中 一郎", "佐藤 健"]
    assert AuditEntry.objects.filter(action="awards.members.set").count() == 1


SCORES = {"novelty": "5", "feasibility": "4", "impact": "4"}


@pytest.mark.django_db
def test_a_selected_proposal_brings_its_pi_and_co_investigators_with_their_shares(reviewing):
    staff = reviewing.world.nedo_staff
    p, other = reviewing.proposals
    co_person = reviewing.world.co_investigator
    member, _made = ProposalMember.objects.update_or_create(
        proposal=p,
        person=co_person,
        defaults={"status": MemberStatus.ACCEPTED, "role": "co_investigator"},
    )
    member.shares.all().delete()
    total = sum(p.budget_lines.values_list("amount_yen", flat=True))
    MemberShare.objects.create(member=member, fiscal_year=2026, amount_yen=total // 4)
    ProposalMember.objects.create(  # a collaborator holds no share and is not a member
        proposal=p, person=UserFactory(username="helper"), status="accepted", role="collaborator"
    )
    review.auto_assign(reviewing.round, actor=staff)
    review.open_round(reviewing.round, actor=staff)
    for a in ReviewAssignment.objects.filter(round=reviewing.round, proposal=p):
        review.accept_assignment(
            a, actor=a.reviewer, confirmed_no_conflict=True, accepted_confidentiality=True
        )
        review.save_review(a, actor=a.reviewer, scores=SCORES, comment="良い", submit=True)
    review.close_round(reviewing.round, actor=staff)
    selection = review.decide(
        reviewing.round, p, SelectionOutcome.SELECTED, actor=staff, reason="高評価"
    )
    award = services.award_selected_proposal(
        selection,
        actor=staff,
        starts_on=date(2026, 4, 1),
        ends_on=date(2027, 3, 31),
        budget=[(2026, 10_000_000)],
    )
    share = (total // 4) * 100 // total  # a whole percent, rounded down
    assert [(m.person_id, m.role, m.share_percent) for m in award.members.all()] == [
        (p.applicant_id, "pi", 100 - share),
        (co_person.pk, "co_investigator", share),
    ]
    assert share in (24, 25)
    assert award.members.first().institution_id == p.institution_id
    assert AuditEntry.objects.filter(action="awards.members.set", object_id=str(award.pk)).exists()
    # Without budget shares the principal investigator holds the whole budget.
    ProposalMember.objects.update_or_create(
        proposal=other,
        person=co_person,
        defaults={"status": MemberStatus.ACCEPTED, "role": "co_investigator"},
    )
    MemberShare.objects.filter(member__proposal=other).delete()
    assert [(m.role, m.share_percent) for m in members.members_from_proposal(other)] == [
        ("pi", 100),
        ("co_investigator", 0),
    ]


# ---------------------------------------------------------------- the pages and the API


@pytest.mark.django_db
def test_the_page_shows_members_to_all_and_the_form_to_staff_only(client, award):
    members.set_members(award, ROWS, actor=award.staff)
    page = client.get(f"/en/awards/{award.pk}/").content.decode()
    assert "佐藤 健" in page
    assert "東北大学" in page
    assert "30%" in page
    assert 'id="members-form"' not in page
    stranger = UserFactory(username="stranger", roles=[Role.RESEARCHER])
    client.force_login(stranger)
    assert 'id="members-form"' not in client.get(f"/en/awards/{award.pk}/").content.decode()
    assert client.get(f"/en/awards/{award.pk}/members/").status_code == 404
    posted = client.post(
        f"/en/awards/{award.pk}/members/",
        {"m-0-name_ja": "他人", "m-0-role": "pi", "m-0-share_percent": "100"},
    )
    assert posted.status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", actor=stranger).exists()
    assert list(award.members.values_list("name_ja", flat=True)) == ["田中 一郎", "佐藤 健"]
    client.force_login(award.staff)
    assert 'id="members-form"' in client.get(f"/en/awards/{award.pk}/").content.decode()


@pytest.mark.django_db
def test_the_members_form_shows_field_errors_and_saves_nothing_then_saves(client, award):
    client.force_login(award.staff)
    url = f"/en/awards/{award.pk}/members/"
    bad = {
        "m-0-name_ja": "田中 一郎",
        "m-0-role": "pi",
        "m-0-share_percent": "abc",
        "m-1-name_ja": "佐藤 健",
        "m-1-role": "co_investigator",
        "m-1-share_percent": "30",
        "m-2-name_ja": "",  # a blank row is left out
        "m-2-role": "co_investigator",
        "m-2-share_percent": "",
    }
    response = client.post(url, bad)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_m-0-share_percent_error"' in body
    assert 'value="佐藤 健"' in body  # what was typed stays
    assert not award.members.exists()
    response = client.post(url, bad | {"m-0-share_percent": "60"})
    assert response.status_code == 422
    assert "90 percent" in response.content.decode()
    assert not award.members.exists()
    response = client.post(url, bad | {"m-0-share_percent": "70"})
    assert response.status_code == 302
    assert list(award.members.values_list("name_ja", "share_percent")) == [
        ("田中 一郎", 70),
        ("佐藤 健", 30),
    ]
    kept = award.members.get(role="pi")
    removed = {
        "m-0-member": str(kept.pk),
        "m-0-name_ja": "田中 一郎",
        "m-0-role": "pi",
        "m-0-share_percent": "100",
        "m-1-name_ja": "佐藤 健",
        "m-1-role": "co_investigator",
        "m-1-share_percent": "30",
        "m-1-remove": "on",
    }
    assert client.post(url, removed).status_code == 302
    assert list(AwardMember.objects.filter(award=award).values_list("name_ja", flat=True)) == [
        "田中 一郎"
    ]


@pytest.mark.django_db
def test_the_api_detail_lists_the_members_publicly(client, award):
    members.set_members(award, ROWS, actor=award.staff)
    detail = client.get(f"/api/v1/awards/{award.pk}").json()
    assert detail["members"] == [
        {
            "name_ja": "田中 一郎",
            "name_en": "Ichiro Tanaka",
            "institution": "",
            "role": "pi",
            "share_percent": 70,
        },
        {
            "name_ja": "佐藤 健",
            "name_en": "",
            "institution": "東北大学",
            "role": "co_investigator",
            "share_percent": 30,
        },
    ]
    assert detail["matching_funds"] is None  # Moonshot has none
    assert detail["pi"] == {"name_ja": "田中 一郎", "name_en": "Ichiro Tanaka"}
    listed = client.get("/api/v1/awards?program=moonshot").json()
    assert set(listed[0]) >= {"grant_number", "title_ja", "pi", "institution", "budget"}
