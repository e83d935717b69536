"""The signed-in person's notifications over the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from openrd.accounts.api_auth import api_auth
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut, ValidationErrorOut
from openrd.notifications import queries, services
from openrd.notifications.presenters import notification_dict
from openrd.notifications.queries import PAGE_SIZE

router = Router(tags=["notifications"], auth=api_auth)


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    subject: str
    text: str
    created_at: datetime
    read_at: datetime | None
    unread: bool


class NotificationPageOut(Schema):
    count: int = Field(description="Notifications matching the filter, on all pages")
    unread: int = Field(description="Unread notifications of the user, whatever the filter")
    page: int
    pages: int
    items: list[NotificationOut]


class InboxQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    unread: bool = Field(False, description="Only notifications not yet read")
    page: int = Field(1, ge=1, description=f"Page number ({PAGE_SIZE} a page)")


class ReadAllOut(Schema):
    marked: int = Field(description="How many notifications were unread and are now read")


@router.get(
    "/me/notifications",
    response={200: NotificationPageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="The signed-in user's notifications, unread first",
    description=f"{PAGE_SIZE} a page; `unread=true` lists only unread ones. 401 without "
    "credentials; 422 for a malformed filter or a page number below 1. A page past the "
    "last answers an empty `items` list.",
)
def list_notifications(request: HttpRequest, filters: Query[InboxQuery]) -> dict[str, Any]:
    rows = queries.inbox(request.user, unread_only=filters.unread)
    paginator = Paginator(rows, PAGE_SIZE)
    items = (
        [notification_dict(n) for n in paginator.page(filters.page).object_list]
        if filters.page <= paginator.num_pages
        else []
    )
    return {
        "count": paginator.count,
        "unread": queries.unread_count(request.user),
        "page": filters.page,
        "pages": paginator.num_pages,
        "items": items,
    }


@router.post(
    "/me/notifications/read-all",
    response={200: ReadAllOut, **WRITE_ERRORS},
    summary="Mark every notification of the signed-in user as read",
    description="200 with the number marked (0 when none was unread); 401 without "
    "credentials; 403 with a read-only token.",
)
def read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": services.mark_all_read(request.user)}  # type: ignore[arg-type]


@router.post(
    "/me/notifications/{id}/read",
    response={200: NotificationOut, **WRITE_ERRORS},
    summary="Mark one notification as read",
    description="200 with the notification (already read: unchanged, still 200); 401 without "
    "credentials; 403 with a read-only token; 404 when it is not one of the user's own; "
    "422 for an id that is not a number.",
)
def read_one(request: HttpRequest, id: int) -> dict[str, Any]:
    item = services.mark_read(queries.own_notification(request.user, id))
    return notification_dict(item)
