"""Rendering and sending outbox e-mail, each row at most once per successful send.

A row is locked (``SELECT … FOR UPDATE SKIP LOCKED`` where the database has it,
so two workers never take the same row), sent, and marked sent in the same
transaction. A failure leaves it pending with a later ``next_attempt_at``
(exponential back-off). See docs/adr/0019-transactional-outbox.md for the one
window in which a message can go out twice.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from openrd.notifications.contexts import decode
from openrd.notifications.kinds import get_kind
from openrd.notifications.models import Notification, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

# Errors that mean "the mail server did not take it now": try again later.
TRANSIENT = (smtplib.SMTPException, OSError)


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: base, 2×base, 4×base … up to the cap."""
    base = settings.OPENRD_MAIL_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.OPENRD_MAIL_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds)


def render(notification: Notification, lang: str) -> tuple[str, str, str]:
    """Subject, text and HTML of a notification in ``lang``."""
    return render_kind(
        notification.kind, notification.context, lang, recipient=notification.recipient
    )


def render_kind(
    code: str, stored: dict[str, Any], lang: str, *, recipient: Any = None
) -> tuple[str, str, str]:
    """Subject, text and HTML of kind ``code`` with its stored context, in ``lang``."""
    kind = get_kind(code)
    with translation.override(lang):
        context: dict[str, Any] = {
            **decode(stored),
            "recipient": recipient,
            "kind": kind,
            "link": _absolute(stored.get("link")),
        }
        subject = " ".join(render_to_string(kind.template("subject.txt"), context).split())
        text = render_to_string(kind.template("txt"), context)
        html = render_to_string(kind.template("html"), context)
    return subject, text, html


def absolute_link(notification: Notification) -> str:
    """The page the notification is about, in the active language; "" when none."""
    return _absolute(notification.context.get("link"))


def _absolute(target: Any) -> str:
    if not isinstance(target, dict) or "name" not in target:
        return ""
    path = reverse(target["name"], args=target.get("args", []))
    return settings.OPENRD_SITE_URL.rstrip("/") + path


def build_message(row: OutboxMessage) -> EmailMultiAlternatives:
    if row.notification is not None:
        subject, text, html = render(row.notification, row.language)
    else:
        subject, text, html = render_kind(row.kind, row.context, row.language)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_email],
        headers={"Message-ID": row.message_id},
    )
    message.attach_alternative(html, "text/html")
    return message


def _locked_due(pk: int, now: datetime) -> OutboxMessage | None:
    rows = OutboxMessage.objects.select_related("notification__recipient").filter(
        pk=pk, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    )
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    # SQLite has no row locks; its IMMEDIATE transactions serialise writers instead.
    return rows.first()


def deliver(ids: list[int] | None = None, *, now: datetime | None = None) -> int:
    """Send the due pending rows (only ``ids`` when given); the number sent."""
    moment = now or timezone.now()
    due = OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=moment)
    if ids is not None:
        due = due.filter(pk__in=ids)
    smtp = mailers.default
    sent = 0
    try:
        for pk in list(due.values_list("pk", flat=True)[: settings.OPENRD_MAIL_BATCH]):
            sent += _deliver_one(pk, smtp, moment)
    finally:
        smtp.close()
    return sent


def _deliver_one(pk: int, smtp: Any, now: datetime) -> int:
    with transaction.atomic():
        row = _locked_due(pk, now)
        if row is None:
            return 0  # another worker has it, or it was sent meanwhile
        row.attempts += 1
        try:
            smtp.send_messages([build_message(row)])
        except TRANSIENT as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= settings.OPENRD_MAIL_MAX_ATTEMPTS:
                row.status = OutboxStatus.FAILED
                log.error("outbox %s given up after %s attempts: %s", pk, row.attempts, exc)
            else:
                row.next_attempt_at = now + backoff(row.attempts)
                log.warning("outbox %s not sent (attempt %s): %s", pk, row.attempts, exc)
            row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            # A broken connection is reopened for the next row.
            smtp.close()
            return 0
        row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now, ""
        if row.notification_id is None:
            row.context = {}  # an address's message may hold a one-time link: not kept
        row.save(update_fields=["attempts", "status", "sent_at", "last_error", "context"])
        return 1
