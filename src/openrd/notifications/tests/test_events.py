"""Who receives what when proposals, calls and pledges change (and nothing on refusal)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openrd.core.fiscal import format_wareki_date, to_tokyo
from openrd.core.refusals import Refused
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.tasks import send_pledge_reminders
from openrd.notifications.delivery import render
from openrd.notifications.models import Notification, OutboxMessage
from openrd.notifications.services import subscribe
from openrd.programs.services import close_call, open_call
from openrd.programs.tests.call_data import make_call as make_draft_call
from openrd.proposals import services
from openrd.proposals.tasks import send_deadline_reminders
from openrd.proposals.tests.conftest import PDF, World, add_co_investigator

pytestmark = pytest.mark.django_db


def received(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def draft(w: World):
    p = services.create_proposal(
        actor=w.applicant,
        call=w.call,
        changes=services.DraftChanges(
            fields={"title_ja": "量子センサの実証", "abstract_ja": "概要", "effort_percent": 40},
            budget=[(2026, 10_000_000), (2027, 8_000_000)],
        ),
    )
    add_co_investigator(p, w.co_investigator)
    services.attach_document(
        p, actor=w.applicant, document_code="plan", upload=PDF, filename="plan.pdf"
    )
    return p


def test_submission_sends_a_receipt_to_the_applicant_and_a_request_to_the_officers(world):
    world.applicant.email = "applicant@example.jp"
    world.applicant.save()
    p = draft(world)
    at = timezone.now().replace(microsecond=0)
    version = services.submit_proposal(p, actor=world.applicant, idempotency_key="k1", now=at)
    assert received("proposal.submitted") == ["applicant"]
    assert received("proposal.endorsement_requested") == ["officer"]
    receipt = Notification.objects.get(kind="proposal.submitted")
    assert receipt.context["version"] == version.number == 1
    assert receipt.context["submitted_at"] == {"__datetime__": at.isoformat()}
    _subject, text, _html = render(receipt, "ja")
    assert "第1版" in text
    assert f"{format_wareki_date(at, 'ja')} {to_tokyo(at):%H:%M:%S}（日本時間）" in text
    request = Notification.objects.get(kind="proposal.endorsement_requested")
    assert "承認または差戻し" in render(request, "ja")[1]
    assert OutboxMessage.objects.get(notification=receipt).to_email == "applicant@example.jp"
    # A repeated submission (same key) makes no second receipt.
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    assert Notification.objects.filter(kind="proposal.submitted").count() == 1


def test_a_refused_submission_notifies_nobody(world):
    p = services.create_proposal(actor=world.applicant, call=world.call)
    with pytest.raises(Refused):
        services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    assert not Notification.objects.exists()


def test_endorsement_and_return_tell_the_applicant_only(world):
    p = draft(world)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="a")
    services.return_proposal(p, actor=world.officer, comment="予算の根拠を追記してください")
    [returned] = Notification.objects.filter(kind="proposal.returned")
    assert returned.recipient == world.applicant
    assert returned.context["comment"] == "予算の根拠を追記してください"
    services.save_draft(p, actor=world.applicant, changes=services.DraftChanges(
        fields={"abstract_ja": "概要（改訂）"}), revision=p.revision)  # fmt: skip
    services.submit_proposal(p, actor=world.applicant, idempotency_key="b")
    services.endorse_proposal(p, actor=world.officer)
    assert received("proposal.endorsed") == ["applicant"]
    # Endorsing again is refused: no second notification.
    with pytest.raises(Refused):
        services.endorse_proposal(p, actor=world.officer)
    assert received("proposal.endorsed") == ["applicant"]


def test_opening_a_call_notifies_the_programs_followers_only(world):
    follower, other = world.co_investigator, world.stranger
    subscribe(follower, "program:moonshot", actor=follower)
    subscribe(other, "program:sbir", actor=other)
    call = make_draft_call()  # a Moonshot call
    open_call(call, actor=None)
    assert received("call.opened") == ["co"]
    assert Notification.objects.get().context["cap_yen"] == 3_000_000_000
    close_call(call, actor=None)
    with pytest.raises(Refused):
        open_call(call, actor=None)
    assert received("call.opened") == ["co"]


def test_deadline_reminders_at_seven_days_and_one_day_once_each(world):
    p = draft(world)
    submitted = draft(world)
    services.submit_proposal(submitted, actor=world.applicant, idempotency_key="s")
    closes = world.call.closes_at
    eight_days_before = closes - timedelta(days=8)
    assert send_deadline_reminders(eight_days_before) == 0
    six_days_before = closes - timedelta(days=6)
    assert send_deadline_reminders(six_days_before) == 1
    assert send_deadline_reminders(six_days_before + timedelta(hours=1)) == 0
    assert send_deadline_reminders(closes - timedelta(hours=2)) == 1
    assert send_deadline_reminders(closes - timedelta(hours=1)) == 0
    reminders = Notification.objects.filter(kind="proposal.deadline_reminder")
    assert {n.recipient for n in reminders} == {world.applicant}
    assert sorted(n.dedupe_key for n in reminders) == [
        f"proposals:deadline:{p.pk}:1d",
        f"proposals:deadline:{p.pk}:7d",
    ]


def test_a_pledge_older_than_a_year_is_reminded_once(world):
    pledged = DisclosureVersion.objects.get(person=world.applicant).pledged_at
    assert send_pledge_reminders(pledged + timedelta(days=364)) == 0
    assert send_pledge_reminders(pledged + timedelta(days=366)) == 1
    assert send_pledge_reminders(pledged + timedelta(days=367)) == 0
    assert received("integrity.pledge_due") == ["applicant"]
