"""notify(): inbox and outbox in the caller's transaction, delivery after commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import tokyo_datetime
from openrd.notifications import delivery
from openrd.notifications.models import EmailChoice, Notification, OutboxMessage, OutboxStatus
from openrd.notifications.services import notify, set_email_choices

pytestmark = pytest.mark.django_db

AT = tokyo_datetime(2026, 12, 1, 18, 20, 0)
CONTEXT = {
    "title": {"ja": "量子センサの実証", "en": "Quantum sensor trial"},
    "call_title": {"ja": "SBIR公募", "en": "SBIR call"},
    "version": 2,
    "submitted_at": AT,
    "link": {"name": "proposals:detail", "args": [7]},
}


def person(name="aoi", email="aoi@example.jp"):
    return UserFactory(username=name, email=email)


def test_notify_writes_an_inbox_item_and_an_outbox_row_then_delivers_after_commit(
    immediate_tasks, django_capture_on_commit_callbacks
):
    aoi = person()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify([aoi], "proposal.submitted", CONTEXT)
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    item = Notification.objects.get()
    assert (item.recipient, item.kind) == (aoi, "proposal.submitted")
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1
    [message] = mail.outbox
    assert message.to == ["aoi@example.jp"]
    assert message.extra_headers["Message-ID"] == row.message_id
    # Japanese by default: era date, the time to the second, Japan time.
    assert "令和8年12月1日 18:20:00（日本時間）" in message.body
    assert "量子センサの実証" in message.subject
    assert "http://127.0.0.1:8000/ja/proposals/7/" in message.body
    html = message.alternatives[0]
    assert html.mimetype == "text/html"
    assert "量子センサの実証" in html.content


def test_a_rolled_back_change_sends_nothing(immediate_tasks, django_capture_on_commit_callbacks):
    aoi = person()

    def failing_change():
        with transaction.atomic():
            notify([aoi], "proposal.submitted", CONTEXT)
            raise RuntimeError("the state change failed after notifying")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        failing_change()
    assert callbacks == []
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_a_person_who_turned_email_off_gets_the_inbox_item_only(django_capture_on_commit_callbacks):
    aoi = person()
    set_email_choices(aoi, by_email=[], actor=aoi)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify([aoi], "proposal.submitted", CONTEXT)
    assert Notification.objects.filter(recipient=aoi).count() == 1
    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert EmailChoice.objects.get(user=aoi, kind="proposal.submitted").by_email is False


def test_a_person_without_an_address_or_inactive_gets_no_mail():
    no_mail, gone = person("a", email=""), person("b", "b@example.jp")
    gone.is_active = False
    gone.save()
    notify([no_mail, gone, no_mail], "proposal.submitted", CONTEXT)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["a"]
    assert not OutboxMessage.objects.exists()


def test_the_same_dedupe_key_notifies_once():
    aoi = person()
    first = notify([aoi], "proposal.submitted", CONTEXT, dedupe_key="event-1")
    again = notify([aoi], "proposal.submitted", CONTEXT, dedupe_key="event-1")
    assert len(first) == 1
    assert again == []
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify([person()], "nope", {})


def test_english_rendering_uses_the_english_date_and_texts():
    aoi = person()
    [item] = notify([aoi], "proposal.submitted", CONTEXT)
    subject, text, _html = delivery.render(item, "en")
    assert subject == "Proposal received: Quantum sensor trial"
    assert "1 December 2026 18:20:00 JST" in text
    assert "/en/proposals/7/" in text


def test_call_opened_shows_the_cap_in_yen_and_the_deadline_with_era():
    aoi = person()
    context = {
        "call_title": {"ja": "SBIR公募", "en": "SBIR call"},
        "program_name": {"ja": "SBIR制度", "en": "SBIR"},
        "closes_at": tokyo_datetime(2027, 1, 15, 12, 0),
        "cap_yen": 150_000_000,
    }
    [item] = notify([aoi], "call.opened", context)
    _s, ja, _h = delivery.render(item, "ja")
    _s, en, _h = delivery.render(item, "en")
    assert "1.5億円" in ja
    assert "令和9年1月15日 12:00（日本時間）" in ja
    assert "¥150 million" in en


def test_backoff_doubles_and_is_capped(settings):
    settings.OPENRD_MAIL_RETRY_BASE_SECONDS = 60
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert delivery.backoff(30) == timedelta(seconds=settings.OPENRD_MAIL_RETRY_MAX_SECONDS)


def test_a_row_not_yet_due_is_not_sent():
    aoi = person()
    now = timezone.now()
    notify([aoi], "proposal.submitted", CONTEXT, now=now + timedelta(hours=1))
    assert delivery.deliver(now=now) == 0
    assert mail.outbox == []
