"""Reads of a person's own notifications (nobody else's are ever visible)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from openrd.accounts.models import Role, User
from openrd.accounts.queries import is_active_user
from openrd.notifications.models import Notification, Subscription

# Inbox page size, on the page and in the API.
PAGE_SIZE = 20


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The person's notifications, unread first, newest first within each."""
    if not is_active_user(user):
        return Notification.objects.none()
    # Each item is rendered with its recipient: fetched with the rows, not once a row.
    rows = Notification.objects.filter(recipient=user).select_related("recipient")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")


def unread_count(user: Any) -> int:
    if not is_active_user(user):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def own_notification(user: Any, pk: int) -> Notification:
    """One of the person's notifications; anyone else's is a 404 like a missing one."""
    return get_object_or_404(inbox(user), pk=pk)


def subscribers(topic: str) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, pk__in=Subscription.objects.filter(topic=topic).values("user_id")
    )


def is_subscribed(user: Any, topic: str) -> bool:
    if not is_active_user(user):
        return False
    return Subscription.objects.filter(user=user, topic=topic).exists()


def follower_count(topic: str) -> int:
    """How many active people follow the topic: the people a notification would reach."""
    return subscribers(topic).count()


def followed_topics(user: Any, kind: str) -> list[str]:
    """The topics of one kind (``program`` for ``program:sbir``) the person follows."""
    if not is_active_user(user):
        return []
    rows = Subscription.objects.filter(user=user, topic__startswith=f"{kind}:")
    return list(rows.order_by("topic").values_list("topic", flat=True))


@dataclass(frozen=True)
class Followed:
    """One topic a person follows, as the settings page lists it."""

    topic: str
    label: str
    url: str = ""


# How the topics of a kind read (``program:sbir`` -> the program's name and page).
# The apps that own the followed things register it, so this app can list what
# a person follows without importing the apps above it.
TopicDescriber = Callable[[list[str]], dict[str, Followed]]
_describers: dict[str, TopicDescriber] = {}


def register_topic_kind(kind: str, describe: TopicDescriber) -> None:
    _describers[kind] = describe


def follows(user: Any, kind: str) -> list[Followed]:
    """What the person follows of one kind, by label. A topic nobody describes
    (its object is gone) still shows, by its code, so it can be unfollowed."""
    topics = followed_topics(user, kind)
    describe = _describers.get(kind)
    described = describe(topics) if describe and topics else {}
    rows = [described.get(t) or Followed(t, t.removeprefix(f"{kind}:")) for t in topics]
    return sorted(rows, key=lambda row: row.label)


def officers_of(organisation_id: int) -> QuerySet[User]:
    """Active institution officers of one organisation (who endorse its proposals)."""
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.INSTITUTION_OFFICER,
        role_assignments__organisation_id=organisation_id,
    ).distinct()
