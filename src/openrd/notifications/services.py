"""The writers of notifications: one door for every event, and the inbox's own changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.core import audit
from openrd.notifications.contexts import encode
from openrd.notifications.kinds import KINDS, get_kind
from openrd.notifications.models import EmailChoice, Notification, OutboxMessage, Subscription
from openrd.notifications.tasks import deliver_outbox


def language_of(user: User) -> str:
    """The person's language when the account records one, else the site's (ja)."""
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def wants_email(user: User, kind: str) -> bool:
    choice = EmailChoice.objects.filter(user=user, kind=kind).values_list("by_email", flat=True)
    stored = choice.first()
    return get_kind(kind).email_default if stored is None else stored


def notify(
    recipients: Iterable[User],
    kind: str,
    context: Mapping[str, Any],
    *,
    dedupe_key: str | None = None,
    now: datetime | None = None,
    email: bool = True,
) -> list[Notification]:
    """Write one inbox item per recipient and one outbox e-mail per recipient who
    wants this kind by e-mail, inside the caller's transaction; delivery is
    enqueued only once that transaction commits, so a rolled-back change sends
    nothing. With ``dedupe_key`` a recipient already notified under that key is
    skipped, which makes periodic jobs safe to repeat. ``email=False`` writes the
    inbox items only (the person was written to at their address already)."""
    get_kind(kind)
    moment = now or timezone.now()
    data = encode(dict(context))
    made: list[Notification] = []
    outbox: list[int] = []
    seen: set[int] = set()
    with transaction.atomic():
        for user in recipients:
            if user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            if dedupe_key is not None:
                try:
                    # A savepoint: a concurrent duplicate must not spoil the caller's transaction.
                    with transaction.atomic():
                        item = Notification.objects.create(
                            recipient=user, kind=kind, context=data, dedupe_key=dedupe_key
                        )
                except IntegrityError:
                    continue
            else:
                item = Notification.objects.create(recipient=user, kind=kind, context=data)
            made.append(item)
            if email and user.email and wants_email(user, kind):
                message = OutboxMessage.objects.create(
                    notification=item,
                    to_email=user.email,
                    language=language_of(user),
                    next_attempt_at=moment,
                )
                outbox.append(message.pk)
        if outbox:
            # robust: a queue that is down must not fail the request that already
            # committed; the periodic "deliver what is due" task sends it later.
            transaction.on_commit(lambda: deliver_outbox.enqueue(ids=outbox), robust=True)
    return made


def send_to_address(
    address: str,
    kind: str,
    context: Mapping[str, Any],
    *,
    language: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Write one outbox e-mail to an address that need not belong to an account
    (an invitation), inside the caller's transaction; delivery is enqueued only
    once that transaction commits. The context is dropped once the message is sent."""
    get_kind(kind)
    with transaction.atomic():
        message = OutboxMessage.objects.create(
            to_email=address,
            kind=kind,
            context=encode(dict(context)),
            language=language or settings.LANGUAGE_CODE,
            next_attempt_at=now or timezone.now(),
        )
        ids = [message.pk]
        transaction.on_commit(lambda: deliver_outbox.enqueue(ids=ids), robust=True)
    return message


@transaction.atomic
def mark_read(notification: Notification, *, now: datetime | None = None) -> Notification:
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_read(user: User, *, now: datetime | None = None) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def email_choices(user: User) -> dict[str, bool]:
    """Every kind with whether it also goes by e-mail to this person."""
    stored = dict(EmailChoice.objects.filter(user=user).values_list("kind", "by_email"))
    return {code: stored.get(code, kind.email_default) for code, kind in KINDS.items()}


@transaction.atomic
def set_email_choices(user: User, *, by_email: Iterable[str], actor: User) -> dict[str, bool]:
    """``by_email`` is the set of kinds the person wants by e-mail; every other kind
    stays in the inbox only."""
    wanted = set(by_email)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValidationError({"kinds": _("Unknown kind of notification.")})
    before = email_choices(user)
    for code in KINDS:
        EmailChoice.objects.update_or_create(
            user=user, kind=code, defaults={"by_email": code in wanted}
        )
    after = email_choices(user)
    audit.record(
        "notifications.email_choices.changed", actor=actor, obj=user, before=before, after=after
    )
    return after


@transaction.atomic
def subscribe(user: User, topic: str, *, actor: User) -> Subscription:
    subscription, created = Subscription.objects.get_or_create(user=user, topic=topic)
    if created:
        audit.record(
            "notifications.subscribed", actor=actor, obj=subscription, after={"topic": topic}
        )
    return subscription


@transaction.atomic
def unsubscribe(user: User, topic: str, *, actor: User) -> None:
    deleted, _count = Subscription.objects.filter(user=user, topic=topic).delete()
    if deleted:
        audit.record(
            "notifications.unsubscribed",
            actor=actor,
            object_type="notifications.subscription",
            object_id=f"{user.pk}:{topic}",
            before={"topic": topic},
        )
