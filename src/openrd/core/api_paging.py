"""Keyset paging of the API's lists: ``?limit=&cursor=``, the next page's cursor
in the ``X-Next-Cursor`` and ``Link: <…>; rel="next"`` headers. The answers stay
plain JSON arrays, so clients written before paging keep working on the first
page (see core.listing for why the API pages by cursor)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema

from openrd.core.listing import (
    API_DEFAULT_LIMIT,
    API_MAX_LIMIT,
    MAX_SEARCH_LENGTH,
    BadCursor,
    keyset_page,
    next_link,
    parse_search,
)


class PageQuery(Schema):
    limit: int = Field(
        API_DEFAULT_LIMIT, ge=1, le=API_MAX_LIMIT, description="Items per page (at most 200)"
    )
    cursor: str | None = Field(
        None,
        max_length=1000,
        description="Where the page starts: the X-Next-Cursor header of the previous page "
        "(valid for the same sort only)",
    )
    q: str | None = Field(
        None, max_length=MAX_SEARCH_LENGTH, description="Words that must all appear (titles)"
    )

    @property
    def words(self) -> str:
        return parse_search(self.q)


_HEADERS = {
    "X-Next-Cursor": {
        "description": "The cursor of the next page; absent on the last page",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'The next page\'s address, as <url>; rel="next"; absent on the last page',
        "schema": {"type": "string"},
    },
}
# openapi_extra of a paged list: documents the two headers on its 200 answer.
PAGED_OPENAPI = {"responses": {200: {"headers": _HEADERS}}}


def paged(
    request: HttpRequest,
    response: HttpResponse,
    rows: QuerySet[Any],
    order: Sequence[str],
    sort: str,
    query: PageQuery,
    *,
    deferred: bool | QuerySet[Any] = False,
) -> list[Any]:
    """One page of ``rows`` in ``order``; sets the next page's headers on ``response``.
    ``deferred``: see ``keyset_page``."""
    try:
        items, cursor = keyset_page(rows, order, sort, query.cursor, query.limit, deferred=deferred)
    except BadCursor:
        raise ValidationError(
            {"cursor": _("This cursor does not belong to this list and order: start without one.")}
        ) from None
    link = next_link(request.path, request.GET, cursor)
    if cursor and link:
        response["X-Next-Cursor"] = cursor
        response["Link"] = link
    return items
