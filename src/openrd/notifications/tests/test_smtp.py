"""Delivery to a real SMTP server: exactly once, and retried after an outage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import tokyo_datetime
from openrd.notifications import delivery
from openrd.notifications.models import OutboxMessage, OutboxStatus
from openrd.notifications.services import notify
from openrd.notifications.tasks import deliver_outbox

pytestmark = pytest.mark.django_db

CONTEXT = {
    "title": {"ja": "量子センサの実証", "en": ""},
    "call_title": {"ja": "SBIR公募", "en": ""},
    "version": 1,
    "submitted_at": tokyo_datetime(2026, 12, 1, 9, 5, 7),
}


def test_the_task_sends_over_smtp_once_with_a_stable_message_id(smtp_server, immediate_tasks):
    server = smtp_server
    [item] = notify([UserFactory(email="aoi@example.jp")], "proposal.submitted", CONTEXT)
    row = OutboxMessage.objects.get(notification=item)
    deliver_outbox.enqueue(ids=[row.pk])
    deliver_outbox.enqueue(ids=[row.pk])  # a duplicate enqueue sends nothing more
    assert len(server.messages) == 1
    message = server.messages[0]
    assert message["Message-ID"] == row.message_id
    assert message["To"] == "aoi@example.jp"
    assert message.is_multipart()
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert "令和8年12月1日 09:05:07（日本時間）" in text
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


def test_an_outage_schedules_a_retry_and_the_message_goes_out_exactly_once(smtp_server, settings):
    settings.OPENRD_MAIL_RETRY_BASE_SECONDS = 60
    server = smtp_server
    now = timezone.now()
    notify([UserFactory(email="aoi@example.jp")], "proposal.submitted", CONTEXT, now=now)
    server.stop()

    assert delivery.deliver(now=now) == 0
    row = OutboxMessage.objects.get()
    assert row.status == OutboxStatus.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at == now + timedelta(seconds=60)
    assert row.last_error

    server.start()
    assert delivery.deliver(now=now + timedelta(seconds=30)) == 0  # not due yet
    assert delivery.deliver(now=now + timedelta(seconds=61)) == 1
    assert delivery.deliver(now=now + timedelta(hours=1)) == 0
    assert len(server.messages) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 2, "")


def test_after_the_last_attempt_the_row_is_given_up(smtp_server, settings):
    settings.OPENRD_MAIL_MAX_ATTEMPTS = 2
    server = smtp_server
    now = timezone.now()
    notify([UserFactory(email="aoi@example.jp")], "proposal.submitted", CONTEXT, now=now)
    server.stop()
    delivery.deliver(now=now)
    delivery.deliver(now=now + timedelta(days=1))
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 2)
    assert delivery.deliver(now=now + timedelta(days=2)) == 0
