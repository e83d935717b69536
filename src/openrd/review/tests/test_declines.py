"""The call's agency staff are told when a reviewer declines or declares a conflict,
in the transaction of the decline, with the round and the proposal's number only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.notifications.delivery import render
from openrd.notifications.models import Notification, OutboxMessage
from openrd.review import services
from openrd.review.models import AssignmentStatus, ReviewAssignment

pytestmark = pytest.mark.django_db

NOTE = "共同研究の相手方の配偶者が申請者です"


def invited(reviewing) -> ReviewAssignment:
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    services.open_round(reviewing.round, actor=staff)
    return (
        ReviewAssignment.objects.filter(round=reviewing.round, status=AssignmentStatus.INVITED)
        .select_related("reviewer", "proposal__latest_endorsed_version")
        .order_by("id")
        .first()
    )


def told():
    return Notification.objects.filter(kind="review.declined").select_related("recipient")


def test_a_decline_tells_the_calls_agency_staff_with_the_round_and_the_number(reviewing):
    w = reviewing.world
    a = invited(reviewing)
    services.decline_assignment(a, actor=a.reviewer, reason="出張のため")
    (item,) = told()
    assert item.recipient == w.nedo_staff
    number = a.proposal.latest_endorsed_version.receipt_number
    assert item.context["proposal_number"] == number
    assert item.context["conflict"] is False
    subject, text, _html = render(item, "en")
    assert number in subject
    assert "Document review" in subject
    assert f"/reviews/rounds/{reviewing.round.pk}/" in text  # the round page
    assert "出張のため" not in subject + text
    assert a.reviewer.username not in subject + text


def test_a_declared_conflict_tells_staff_without_the_reviewers_note(reviewing):
    staff = reviewing.world.nedo_staff
    staff.email = "review-office@nedo.example.jp"
    staff.save(update_fields=["email"])
    a = invited(reviewing)
    services.declare_conflict(a, actor=a.reviewer, note=NOTE)
    (item,) = told()
    assert item.context["conflict"] is True
    assert NOTE not in str(item.context)
    for lang in ("ja", "en"):
        subject, text, html = render(item, lang)
        assert NOTE not in subject + text + html
        assert a.reviewer.display_name not in subject + text + html
    assert "declared a conflict of interest" in render(item, "en")[1]
    # The e-mail is queued with the notice, to the staff's address.
    (mail,) = OutboxMessage.objects.filter(notification=item)
    assert mail.to_email == "review-office@nedo.example.jp"


def test_other_agencies_staff_and_the_reviewer_are_not_told(reviewing):
    w = reviewing.world
    pd = UserFactory(username="pd")
    assign_role(pd, Role.PROGRAM_DIRECTOR, organisation=Organisation.objects.get(code="nedo"))
    second = UserFactory(username="nedo2")
    assign_role(second, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    a = invited(reviewing)
    services.decline_assignment(a, actor=a.reviewer)
    assert {n.recipient for n in told()} == {w.nedo_staff, second}


def test_a_refused_decline_tells_no_one(reviewing):
    a = invited(reviewing)
    with pytest.raises(ValidationError):
        services.decline_assignment(a, actor=a.reviewer, reason="x" * 501)
    services.decline_assignment(a, actor=a.reviewer)
    assert told().count() == 1
    # Declining again is refused by the lifecycle: nothing more is sent.
    from openrd.core.refusals import Refused

    with pytest.raises(Refused):
        services.decline_assignment(a, actor=a.reviewer)
    assert told().count() == 1


def test_a_decline_rolled_back_leaves_no_notice(reviewing, monkeypatch):
    a = invited(reviewing)

    def broken(*args, **kwargs):
        raise RuntimeError("the notice failed")

    # The notice is written inside the decline's transaction: if it fails, the
    # decline is undone with it.
    monkeypatch.setattr(services, "notify", broken)
    with pytest.raises(RuntimeError):
        services.decline_assignment(a, actor=a.reviewer)
    assert ReviewAssignment.objects.get(pk=a.pk).status == AssignmentStatus.INVITED


def test_declining_on_the_page_tells_the_staff(client, reviewing):
    a = invited(reviewing)
    client.force_login(a.reviewer)
    response = client.post(f"/ja/reviews/{a.pk}/answer/", {"decision": "conflict", "reason": NOTE})
    assert response.status_code == 302
    (item,) = told()
    assert item.recipient == reviewing.world.nedo_staff
