"""Co-investigators by invitation: inviting, answering, shares, the submission,
the pages and the API, and that the applicant learns nothing about who is registered."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.core.my_tasks import tasks_for
from openrd.core.refusals import Refused
from openrd.notifications.delivery import deliver
from openrd.notifications.models import Notification, OutboxMessage
from openrd.proposals import services
from openrd.proposals.models import MemberStatus, ProposalMember
from openrd.proposals.queries import owned_proposals
from openrd.proposals.tests.conftest import PDF
from openrd.proposals.tests.test_api import call_json
from openrd.proposals.tests.test_services import COMPLETE

pytestmark = pytest.mark.django_db


def complete(world):
    p = services.create_proposal(actor=world.applicant, call=world.call, changes=COMPLETE)
    services.attach_document(
        p, actor=world.applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    return p


def invite(p, world, **fields):
    fields = {"name": "分担 一郎", "erad_number": "33334444"} | fields
    return services.invite_member(p, actor=world.applicant, **fields)


def audit_actions(p):
    return list(
        AuditEntry.objects.filter(object_type="proposals.proposal", object_id=str(p.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# ---------------------------------------------------------------- the path


def test_an_invited_person_appears_only_once_accepted_with_role_and_shares(world):
    p = complete(world)
    invited = invite(p, world)
    assert invited.member.status == MemberStatus.INVITED
    assert invited.member.token_digest != invited.token  # only the digest is stored
    assert list(owned_proposals(world.co_investigator)) == []
    assert services.snapshot_content(p)["co_investigators"] == []

    services.accept_invitation(invited.member, actor=world.co_investigator)
    services.set_member(invited.member, actor=world.applicant, shares=[(2026, 3_000_000)])
    assert list(owned_proposals(world.co_investigator)) == [p]
    version = services.submit_proposal(p, actor=world.applicant, idempotency_key="k")
    assert version.content["co_investigators"] == [
        {
            "name_ja": world.co_investigator.name_ja,
            "name_en": world.co_investigator.name_en,
            "erad_researcher_number": "33334444",
            "role": "co_investigator",
            "shares": [{"fiscal_year": 2026, "amount_yen": 3_000_000}],
        }
    ]
    assert audit_actions(p)[-4:] == [
        "proposals.member.invited",
        "proposals.member.accepted",
        "proposals.member.changed",
        "proposals.proposal.submitted",
    ]
    answer = Notification.objects.get(kind="proposal.invitation_answered")
    assert (answer.recipient, answer.context["accepted"]) == (world.applicant, True)


def test_a_declined_invitation_stays_off_the_proposal_and_the_applicant_is_told(world):
    p = complete(world)
    invited = invite(p, world)
    services.decline_invitation(invited.member, actor=world.co_investigator)
    invited.member.refresh_from_db()
    assert (invited.member.status, invited.member.person) == (MemberStatus.DECLINED, None)
    assert list(owned_proposals(world.co_investigator)) == []
    answer = Notification.objects.get(kind="proposal.invitation_answered")
    assert answer.context["accepted"] is False
    version = services.submit_proposal(p, actor=world.applicant, idempotency_key="k")
    assert version.content["co_investigators"] == []


def test_a_withdrawn_invitation_can_no_longer_be_accepted_and_a_member_can_be_removed(world):
    p = complete(world)
    invited = invite(p, world)
    services.withdraw_member(invited.member, actor=world.applicant)
    with pytest.raises(ValidationError):
        services.accept_invitation(invited.member, actor=world.co_investigator)
    again = invite(p, world)  # withdrawn: no longer live, so the person may be invited again
    services.accept_invitation(again.member, actor=world.co_investigator)
    services.withdraw_member(again.member, actor=world.applicant)
    assert list(owned_proposals(world.co_investigator)) == []
    assert audit_actions(p).count("proposals.member.withdrawn") == 2


def test_an_invitation_awaiting_an_answer_blocks_the_submission_and_names_the_person(world):
    p = complete(world)
    invite(p, world, name="招待 花子")
    with pytest.raises(Refused) as refused:
        services.submit_proposal(p, actor=world.applicant, idempotency_key="k")
    (reason,) = refused.value.decision.reasons
    assert reason.code == "members.pending"
    assert "招待 花子" in reason.message
    assert not p.versions.exists()


def test_shares_over_a_years_budget_are_refused_and_nothing_is_written(world):
    p = complete(world)  # budget: FY2026 10,000,000 / FY2027 8,000,000
    first = invite(p, world)
    other = UserFactory(username="other", erad_researcher_number="55556666")
    second = invite(p, world, name="分担 二郎", erad_number="55556666")
    services.accept_invitation(first.member, actor=world.co_investigator)
    services.accept_invitation(second.member, actor=other)
    services.set_member(first.member, actor=world.applicant, shares=[(2026, 6_000_000)])
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as over:
        services.set_member(second.member, actor=world.applicant, shares=[(2026, 4_000_001)])
    assert list(over.value.message_dict) == ["shares"]
    with pytest.raises(ValidationError) as outside:
        services.set_member(second.member, actor=world.applicant, shares=[(2031, 1)])
    assert "FY2031" in outside.value.message_dict["shares"][0]
    with pytest.raises(ValidationError) as helper:
        services.set_member(
            second.member, actor=world.applicant, role="collaborator", shares=[(2026, 1)]
        )
    assert list(helper.value.message_dict) == ["shares"]
    assert not second.member.shares.exists()
    assert AuditEntry.objects.count() == before
    services.set_member(second.member, actor=world.applicant, shares=[(2026, 4_000_000)])


def test_the_applicant_cannot_invite_themselves_nor_anyone_twice_nor_more_than_the_cap(world):
    p = complete(world)
    with pytest.raises(ValidationError):
        invite(p, world, erad_number="11112222")  # the applicant's own number
    invite(p, world)
    with translation.override("en"), pytest.raises(ValidationError) as twice:
        invite(p, world, erad_number="３３３３４４４４")  # the same number, typed full-width
    assert twice.value.messages == ["This person has already been invited to this proposal."]
    for n in range(services.MAX_CO_INVESTIGATORS - 1):
        invite(p, world, erad_number="", email=f"m{n}@example.jp")
    with pytest.raises(ValidationError) as capped:
        invite(p, world, erad_number="", email="one-more@example.jp")
    assert "50" in capped.value.message_dict["__all__"][0]


def test_bad_invitations_are_field_errors(world):
    p = complete(world)
    with pytest.raises(ValidationError) as exc:
        services.invite_member(
            p, actor=world.applicant, name="", email="not-an-address", erad_number="12"
        )
    assert set(exc.value.message_dict) == {"name", "email", "erad_researcher_number"}
    with pytest.raises(ValidationError) as nowhere:
        services.invite_member(p, actor=world.applicant, name="連絡先 なし")
    assert set(nowhere.value.message_dict) == {"email"}
    assert not ProposalMember.objects.exists()


def test_only_the_user_with_the_named_erad_number_may_accept(world):
    p = complete(world)
    invited = invite(p, world)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.accept_invitation(invited.member, actor=world.stranger)
    assert exc.value.messages == ["This invitation cannot be answered from your account."]
    with pytest.raises(ValidationError):
        services.accept_invitation(invited.member, actor=world.applicant)
    services.accept_invitation(invited.member, actor=world.co_investigator)


def test_no_invitation_changes_once_the_proposal_cannot_change(world):
    p = complete(world)
    invited = invite(p, world, erad_number="", email="later@example.jp")
    services.withdraw_member(invited.member, actor=world.applicant)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k")
    with pytest.raises(Refused):
        invite(p, world)
    assert not ProposalMember.objects.filter(status=MemberStatus.INVITED).exists()


# ---------------------------------------------------------------- delivery


def test_an_email_invitation_goes_to_the_address_with_a_link_that_works_once_signed_in(
    client, world, mailoutbox
):
    p = complete(world)
    invited = invite(p, world, erad_number="", email="Someone@Example.jp")
    (row,) = OutboxMessage.objects.filter(notification=None)
    assert (row.to_email, row.kind) == ("someone@example.jp", "proposal.invitation")
    assert deliver() == 1
    (mail,) = mailoutbox
    link = re.search(r"https?://\S+/ja/invitations/(\S+)/", mail.body)
    assert link is not None
    assert link.group(1) == invited.token
    row.refresh_from_db()
    assert row.context == {}  # the link is not kept once sent

    page = f"/ja/invitations/{invited.token}/"
    assert client.get(page).status_code == 302  # sign in first
    newcomer = UserFactory(username="newcomer")
    client.force_login(newcomer)
    body = client.get(page).content.decode()
    assert "量子センサの実証" in body
    assert world.applicant.display_name in body
    assert client.post(page, {"answer": "accept"}).status_code == 302
    assert list(owned_proposals(newcomer)) == [p]
    assert client.get("/ja/invitations/" + "x" * 43 + "/").status_code == 404


def test_a_registered_user_is_told_in_the_inbox_after_the_commit_and_sees_a_task(world):
    p = complete(world)
    invited = invite(p, world)
    assert not Notification.objects.filter(kind="proposal.invitation_received").exists()
    assert services.notify_matched_invitee(invited.member.pk) == 1
    (told,) = Notification.objects.filter(kind="proposal.invitation_received")
    assert told.recipient == world.co_investigator
    (task,) = [t for t in tasks_for(world.co_investigator) if t.kind == "proposals.invitation"]
    assert task.url == "/ja/invitations/"
    assert [t for t in tasks_for(world.stranger) if t.kind == "proposals.invitation"] == []


def test_a_verified_address_matches_only_when_no_number_is_named(world):
    p = complete(world)
    EmailAddress.objects.create(user=world.stranger, email="s@example.jp", verified=True)
    by_mail = invite(p, world, erad_number="", email="s@example.jp")
    assert services.notify_matched_invitee(by_mail.member.pk) == 1
    both = invite(p, world, name="二人目", erad_number="77778888", email="t@example.jp")
    EmailAddress.objects.create(user=world.officer, email="t@example.jp", verified=True)
    assert services.notify_matched_invitee(both.member.pk) == 0  # the number decides


# ---------------------------------------------------------------- nobody learns


def _invite_page(client, world, p, number):
    data = {"name": "誰か", "email": "", "erad_researcher_number": number, "role": "collaborator"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/ja/proposals/{p.pk}/members/", data, follow=True)
    return response, len(queries)


def _scrub(html, number):
    """The list of invited people and the messages, without ids, tokens and the number."""
    shown = html[html.index('id="members-list-heading"') : html.index('id="invite-heading"')]
    messages = re.findall(r'<div class="notice[^"]*"[^>]*>.*?</div>', html, re.S)
    text = "".join(messages) + shown.replace(number, "NUMBER")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r"(data-member=\"|proposals/|members/|m)\d+", r"\1ID", text)


def test_a_registered_and_an_unregistered_number_look_the_same_to_the_applicant(client, world):
    registered = complete(world)
    unknown = complete(world)
    client.force_login(world.applicant)
    client.get(f"/ja/proposals/{registered.pk}/members/")  # the session's first request
    seen_registered, count_registered = _invite_page(client, world, registered, "33334444")
    seen_unknown, count_unknown = _invite_page(client, world, unknown, "99990000")
    assert seen_registered.status_code == seen_unknown.status_code == 200
    assert "NUMBER" in _scrub(seen_registered.content.decode(), "33334444")
    assert _scrub(seen_registered.content.decode(), "33334444") == _scrub(
        seen_unknown.content.decode(), "99990000"
    )
    assert count_registered == count_unknown
    entries = [
        AuditEntry.objects.get(action="proposals.member.invited", object_id=str(p.pk)).after
        for p in (registered, unknown)
    ]
    assert entries[0].keys() == entries[1].keys()
    assert entries[0]["invited_erad_number"] == "33334444"
    assert {
        k: v for k, v in entries[0].items() if k not in {"member_id", "invited_erad_number"}
    } == {k: v for k, v in entries[1].items() if k not in {"member_id", "invited_erad_number"}}
    api = [
        call_json(client, "get", f"/api/v1/proposals/{p.pk}/co-investigators", world.applicant)
        for p in (registered, unknown)
    ]
    shown = [{k: v for k, v in r.json()[0].items() if k not in {"id", "invited_at"}} for r in api]
    assert shown[0] | {"erad_researcher_number": "N"} == shown[1] | {"erad_researcher_number": "N"}


def test_the_api_answers_the_same_for_a_registered_and_an_unregistered_number(client, world):
    p = complete(world)
    path = f"/api/v1/proposals/{p.pk}/co-investigators"
    answers = [
        call_json(
            client, "post", path, world.applicant, {"name": "誰か", "erad_researcher_number": n}
        )
        for n in ("33334444", "99990000")
    ]
    assert [a.status_code for a in answers] == [201, 201]
    bodies = [
        {
            k: v
            for k, v in a.json().items()
            if k not in {"id", "invited_at", "erad_researcher_number"}
        }
        for a in answers
    ]
    assert bodies[0] == bodies[1]


# ---------------------------------------------------------------- pages and strangers


def test_strangers_get_404_on_every_member_page_and_endpoint(client, world):
    p = complete(world)
    member = invite(p, world).member
    client.force_login(world.stranger)
    for url in (f"/ja/proposals/{p.pk}/members/",):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "x", "email": "x@example.jp"}).status_code == 404
    for url in (
        f"/ja/proposals/{p.pk}/members/{member.pk}/",
        f"/ja/proposals/{p.pk}/members/{member.pk}/withdraw/",
        f"/ja/invitations/answer/{member.pk}/",
    ):
        assert client.post(url, {"answer": "accept", "m1-role": "collaborator"}).status_code == 404
    api = f"/api/v1/proposals/{p.pk}/co-investigators"
    assert call_json(client, "get", api, world.stranger).status_code == 404
    assert call_json(client, "post", api, world.stranger, {"name": "x"}).status_code == 404
    assert call_json(client, "delete", f"{api}/{member.pk}", world.stranger).status_code == 404
    accept = f"/api/v1/me/invitations/{member.pk}/accept"
    assert call_json(client, "post", accept, world.stranger).status_code == 404
    member.refresh_from_db()
    assert member.status == MemberStatus.INVITED


def test_the_members_page_invites_with_field_errors_and_shows_the_badge(client, world):
    p = complete(world)
    client.force_login(world.applicant)
    bad = client.post(f"/en/proposals/{p.pk}/members/", {"name": "", "role": "co_investigator"})
    assert bad.status_code == 422
    assert "Enter the person&#x27;s name." in bad.content.decode()
    assert "Enter the person&#x27;s e-mail address or e-Rad" in bad.content.decode()
    ok = client.post(
        f"/en/proposals/{p.pk}/members/",
        {"name": "Ichiro Buntan", "email": "ichiro@example.jp", "role": "co_investigator"},
        follow=True,
    )
    page = ok.content.decode()
    assert "Ichiro Buntan" in page
    assert "badge--invited" in page
    assert "Awaiting an answer" in page
    member = ProposalMember.objects.get()
    saved = client.post(
        f"/en/proposals/{p.pk}/members/{member.pk}/",
        {f"m{member.pk}-role": "co_investigator", f"m{member.pk}-share_2026": "99999999999"},
    )
    assert saved.status_code == 422
    assert not member.shares.exists()
    editor = client.get(f"/ja/proposals/{p.pk}/").content.decode()
    assert 'id="id_co_investigators"' in editor
    assert "Ichiro Buntan" in editor


def test_the_invitee_answers_from_the_list_of_their_invitations(client, world):
    p = complete(world)
    invited = invite(p, world)
    client.force_login(world.co_investigator)
    page = client.get("/ja/invitations/").content.decode()
    assert "量子センサの実証" in page
    response = client.post(f"/ja/invitations/answer/{invited.member.pk}/", {"answer": "decline"})
    assert response.status_code == 302
    invited.member.refresh_from_db()
    assert invited.member.status == MemberStatus.DECLINED


# ---------------------------------------------------------------- API


def test_the_api_invites_sets_shares_withdraws_and_the_invitee_accepts(client, world):
    p = complete(world)
    path = f"/api/v1/proposals/{p.pk}/co-investigators"
    made = call_json(
        client,
        "post",
        path,
        world.applicant,
        {"name": "分担 一郎", "erad_researcher_number": "33334444"},
    )
    assert made.status_code == 201
    member_id = made.json()["id"]
    mine = call_json(client, "get", "/api/v1/me/invitations", world.co_investigator).json()
    assert [i["id"] for i in mine] == [member_id]
    accepted = call_json(
        client, "post", f"/api/v1/me/invitations/{member_id}/accept", world.co_investigator
    )
    assert accepted.json()["status"] == "accepted"
    over = call_json(
        client, "put", f"{path}/{member_id}", world.applicant,
        {"shares": [{"fiscal_year": 2026, "amount_yen": 10_000_001}]},
    )  # fmt: skip
    assert over.status_code == 422
    assert over.json()["errors"][0]["field"] == "shares"
    ok = call_json(
        client, "put", f"{path}/{member_id}", world.applicant,
        {"shares": [{"fiscal_year": 2026, "amount_yen": 2_000_000}]},
    )  # fmt: skip
    assert ok.json()["shares"] == [{"fiscal_year": 2026, "amount_yen": 2_000_000}]
    shown = call_json(client, "get", f"/api/v1/proposals/{p.pk}", world.applicant).json()
    assert shown["co_investigators"][0]["shares"] == ok.json()["shares"]
    removed = call_json(client, "delete", f"{path}/{member_id}", world.applicant)
    assert removed.json()["status"] == "withdrawn"
    again = call_json(client, "delete", f"{path}/{member_id}", world.applicant)
    assert again.status_code == 422


def test_the_api_decline_and_a_second_answer(client, world):
    p = complete(world)
    member = invite(p, world).member
    url = f"/api/v1/me/invitations/{member.pk}/decline"
    assert call_json(client, "post", url, world.co_investigator).json()["status"] == "declined"
    # Answered: no longer among the user's invitations.
    assert call_json(client, "post", url, world.co_investigator).status_code == 404
