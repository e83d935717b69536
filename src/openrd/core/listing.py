"""Paging, sorting and searching of lists, for the pages and the API.

A list declares what it may be sorted by (``Listing``); the query string is read
against that declaration (``parse``), so an unknown sort or a bad page number
falls back to the default instead of failing, and a page past the end shows the
last page (a bookmarked "page 9" of a list that shrank still shows rows).

Pages use offsets: people jump to "page 7 of 40" and see the total, which a
cursor cannot give, and the lists a person pages through by hand stay within a
few hundred pages, where an indexed ``ORDER BY … LIMIT … OFFSET`` is cheap. The
API uses keyset cursors instead (``keyset_page``): a client walking 100,000
rows asks for "the rows after this one", which costs the same on the last page
as on the first, and rows inserted meanwhile neither repeat nor vanish.

The parsing, the query strings, the page windows and the cursors are pure
functions, testable without a database.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Window

MAX_SEARCH_LENGTH = 100
API_DEFAULT_LIMIT = 50
API_MAX_LIMIT = 200


@dataclass(frozen=True)
class Listing:
    """What a list may be sorted and filtered by.

    ``sorts`` maps a public sort name to the fields it orders by, ascending;
    ``-name`` sorts the other way. The primary key is appended as the last
    field so the order is total (pages never repeat or skip a row).
    """

    sorts: Mapping[str, tuple[str, ...]]
    default_sort: str
    filters: tuple[str, ...] = ()
    per_page: int = 25
    tie_breaker: str = "pk"

    def __post_init__(self) -> None:
        assert self.default_sort.lstrip("-") in self.sorts, self.default_sort


@dataclass(frozen=True)
class ListParams:
    page: int = 1
    sort: str = ""
    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)


def parse_page(raw: str | None) -> int:
    """A page number from the query string; anything but a positive integer is 1."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return 1
    return max(1, int(text))


def parse_sort(listing: Listing, raw: str | None) -> str:
    """The sort asked for if the list declares it, else the list's default."""
    text = (raw or "").strip()
    if text.lstrip("-") in listing.sorts and text.count("-") <= 1:
        return text
    return listing.default_sort


def parse_search(raw: str | None) -> str:
    """The search words, trimmed, with runs of spaces (full-width too) made one."""
    return " ".join((raw or "").split())[:MAX_SEARCH_LENGTH]


def parse(listing: Listing, query: Mapping[str, Any], *, page_param: str = "page") -> ListParams:
    return ListParams(
        page=parse_page(query.get(page_param)),
        sort=parse_sort(listing, query.get("sort")),
        q=parse_search(query.get("q")),
        filters={
            name: str(query.get(name) or "").strip()
            for name in listing.filters
            if (query.get(name) or "").strip()
        },
    )


def order_fields(listing: Listing, sort: str) -> list[str]:
    """The ``order_by`` arguments of a sort: each field in the sort's direction,
    then the tie-breaker in the same direction."""
    descending = sort.startswith("-")
    fields = [*listing.sorts[sort.lstrip("-")], listing.tie_breaker]
    out = []
    for f in fields:
        flipped = f[1:] if f.startswith("-") else f"-{f}"
        out.append(flipped if descending else f)
    return out


def search_q(words: str, fields: Sequence[str]) -> Q:
    """Rows where every word appears in at least one of ``fields``."""
    condition = Q()
    for word in words.split():
        any_field = Q()
        for f in fields:
            any_field |= Q(**{f"{f}__icontains": word})
        condition &= any_field
    return condition


# ------------------------------------------------------------------ query strings


def _pairs(query: Any) -> list[tuple[str, str]]:
    if hasattr(query, "lists"):
        return [(k, v) for k, values in query.lists() for v in values]
    return [(k, str(v)) for k, v in dict(query).items()]


def query_string(query: Any, **changes: Any) -> str:
    """``query`` (a QueryDict or a mapping) with ``changes`` applied, as ``?…``;
    a change to None or "" removes the parameter, and empty parameters are dropped,
    so links stay short and the same list always has the same address."""
    pairs = [(k, v) for k, v in _pairs(query) if k not in changes and v != ""]
    pairs += [(k, str(v)) for k, v in changes.items() if v not in (None, "")]
    return "?" + urlencode(pairs) if pairs else "?"


# ------------------------------------------------------------------ pages


def page_window(number: int, num_pages: int, *, around: int = 2) -> list[int | None]:
    """The page numbers to link: the first, the last and ``around`` on each side of
    the current one; None marks a gap (shown as an ellipsis)."""
    shown = {1, num_pages, *range(number - around, number + around + 1)}
    pages = sorted(p for p in shown if 1 <= p <= num_pages)
    out: list[int | None] = []
    for p in pages:
        if out and p - (out[-1] or 0) > 1:
            out.append(None)
        out.append(p)
    return out


@dataclass(frozen=True)
class PageLink:
    number: int | None
    url: str
    current: bool


@dataclass
class Page:
    """One page of a list, with what the pagination partial needs."""

    items: list[Any]
    number: int
    num_pages: int
    count: int
    per_page: int
    query: Any
    page_param: str = "page"

    def _url(self, number: int) -> str:
        return query_string(self.query, **{self.page_param: number if number > 1 else None})

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_url(self) -> str:
        return self._url(self.number - 1)

    @property
    def next_url(self) -> str:
        return self._url(self.number + 1)

    @property
    def links(self) -> list[PageLink]:
        return [
            PageLink(n, self._url(n) if n else "", n == self.number)
            for n in page_window(self.number, self.num_pages)
        ]

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.count else 0

    @property
    def end_index(self) -> int:
        return min(self.number * self.per_page, self.count)


def clamp_page(number: int, count: int, per_page: int) -> tuple[int, int]:
    """(page number, number of pages): a page past the end is the last page."""
    num_pages = max(1, math.ceil(count / per_page))
    return min(number, num_pages), num_pages


def paginate(
    rows: QuerySet[Any],
    listing: Listing,
    params: ListParams,
    query: Any,
    *,
    page_param: str = "page",
    deferred: bool = False,
) -> Page:
    """One page of ``rows`` in the order of ``params.sort``: a count and a slice.

    ``deferred``: first the page's keys in order, then its rows by key (one more
    query). For rows with costly computed columns (subqueries), so they are
    computed for the page's rows only, not for every row the sort goes through.
    A deferred page of a text search reads its keys and the count in one query:
    no index serves a search, so the count would read every row a second time."""
    per_page = listing.per_page
    ordered = rows.order_by(*order_fields(listing, params.sort))
    if deferred and params.q:
        start = (params.page - 1) * per_page
        hits = list(
            ordered.annotate(listing_total=Window(Count("pk"))).values_list("pk", "listing_total")[
                start : start + per_page
            ]
        )
        if hits:  # else nothing matched, or the page is past the end: count as below
            count = hits[0][1]
            _, num_pages = clamp_page(params.page, count, per_page)
            found = _by_key(rows, [key for key, _ in hits])
            return Page(found, params.page, num_pages, count, per_page, query, page_param)
    count = rows.count()
    number, num_pages = clamp_page(params.page, count, per_page)
    start = (number - 1) * per_page
    if not count:
        items: list[Any] = []
    elif deferred:
        items = _by_key(rows, list(ordered.values_list("pk", flat=True)[start : start + per_page]))
    else:
        items = list(ordered[start : start + per_page])
    return Page(items, number, num_pages, count, per_page, query, page_param)


def _by_key(rows: QuerySet[Any], keys: list[Any]) -> list[Any]:
    """The rows of ``keys``, in that order (put back here: the query need not sort)."""
    found = {row.pk: row for row in rows.filter(pk__in=keys).order_by()} if keys else {}
    return [found[k] for k in keys if k in found]


# ------------------------------------------------------------------ sortable headers


@dataclass(frozen=True)
class SortHeader:
    label: Any  # a str or a lazily translated one
    url: str
    # The aria-sort of the column: "ascending", "descending" or "none".
    aria_sort: str


def sort_header(
    name: str, label: Any, current: str, query: Any, *, page_param: str = "page"
) -> SortHeader:
    """A column header link: sorts by ``name`` ascending, or the other way when the
    list is already sorted by it ascending; going back to page 1 either way."""
    if current == name:
        state, target = "ascending", f"-{name}"
    elif current == f"-{name}":
        state, target = "descending", name
    else:
        state, target = "none", name
    return SortHeader(label, query_string(query, sort=target, **{page_param: None}), state)


def sort_headers(
    labels: Iterable[tuple[str, Any]], current: str, query: Any, *, page_param: str = "page"
) -> dict[str, SortHeader]:
    return {
        name: sort_header(name, label, current, query, page_param=page_param)
        for name, label in labels
    }


# ------------------------------------------------------------------ keyset cursors (API)


class BadCursor(ValueError):
    """The cursor was not made by this list with this sort."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def encode_cursor(sort: str, values: Sequence[Any]) -> str:
    raw = json.dumps({"s": sort, "v": [_plain(v) for v in values]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, sort: str, width: int) -> list[Any]:
    """The values a cursor carries, checked against the sort it must be for."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(token) from exc
    if not isinstance(data, dict) or data.get("s") != sort:
        raise BadCursor(token)
    values = data.get("v")
    if not isinstance(values, list) or len(values) != width:
        raise BadCursor(token)
    if not all(v is None or isinstance(v, str | int | float) for v in values):
        raise BadCursor(token)
    return values


def after_q(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after ``values`` in ``order`` (``-field`` descending):
    (a > x) or (a = x and b > y) or …, which an index on the fields serves."""
    condition = Q(pk__in=[])
    equal = Q()
    for f, v in zip(order, values, strict=True):
        name = f.lstrip("-")
        op = "lt" if f.startswith("-") else "gt"
        condition |= equal & Q(**{f"{name}__{op}": v})
        equal &= Q(**{name: v})
    return condition


def _value(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, "pk" if part == "pk" else part)
    return obj


def keyset_page(
    rows: QuerySet[Any],
    order: Sequence[str],
    sort: str,
    cursor: str | None,
    limit: int,
    *,
    deferred: bool | QuerySet[Any] = False,
) -> tuple[list[Any], str | None]:
    """Up to ``limit`` rows after ``cursor``, and the cursor of the next page
    (None on the last page). One query: a row more than asked tells if there is more.

    ``deferred``: as for ``paginate``, the page's keys first, then its rows by
    key (one more query), so the joins of the rows are made for the page alone.
    A queryset instead of True is where the rows are read by key: ``rows``
    without the filters that chose the keys, when those are costly to repeat
    (the keys are already the chosen ones)."""
    ordered = rows.order_by(*order)
    if cursor:
        ordered = ordered.filter(after_q(order, decode_cursor(cursor, sort, len(order))))
    if deferred is not False:
        keys = list(ordered.values_list("pk", flat=True)[: limit + 1])
        items = _by_key(rows if deferred is True else deferred, keys)
    else:
        items = list(ordered[: limit + 1])
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    last = items[-1]
    return items, encode_cursor(sort, [_value(last, f.lstrip("-")) for f in order])


def next_link(path: str, query: Any, cursor: str | None) -> str | None:
    """The ``Link`` header value pointing at the next page, or None."""
    if cursor is None:
        return None
    return f'<{path}{query_string(query, cursor=cursor)}>; rel="next"'
