"""The unread count shown next to the user's name in the header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openrd.notifications.queries import unread_count as count_unread


def unread_count(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    # Lazy: pages that never show the header (downloads, API) make no query.
    return {"notifications_unread": lambda: count_unread(user)}
