"""Reads of a person's own notifications (nobody else's are ever visible)."""

from __future__ import annotations

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
    rows = Notification.objects.filter(recipient=user)
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


def officers_of(organisation_id: int) -> QuerySet[User]:
    """Active institution officers of one organisation (who endorse its proposals)."""
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.INSTITUTION_OFFICER,
        role_assignments__organisation_id=organisation_id,
    ).distinct()
