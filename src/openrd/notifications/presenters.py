"""One shape of a notification for the inbox page and the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from openrd.notifications.delivery import render
from openrd.notifications.kinds import get_kind
from openrd.notifications.models import Notification


def notification_dict(item: Notification) -> dict[str, Any]:
    """The item in the active language, rendered from the same templates as its e-mail."""
    lang = get_language() or "ja"
    subject, text, _html = render(item, lang)
    kind = get_kind(item.kind)
    return {
        "id": item.pk,
        "kind": item.kind,
        "kind_label": kind.label,
        "subject": subject,
        "text": text.strip(),
        "created_at": item.created_at,
        "read_at": item.read_at,
        "unread": item.read_at is None,
    }
