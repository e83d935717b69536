"""The listing helper's pure parts: no database."""

from datetime import UTC, datetime
from urllib.parse import parse_qsl

import pytest
from django.http import QueryDict

from openrd.core.listing import (
    BadCursor,
    Listing,
    Page,
    after_q,
    clamp_page,
    decode_cursor,
    encode_cursor,
    order_fields,
    page_window,
    parse,
    parse_page,
    parse_search,
    parse_sort,
    query_string,
    sort_header,
)

LISTING = Listing(
    sorts={"deadline": ("closes_at",), "title": ("title_ja",)},
    default_sort="deadline",
    filters=("status",),
)


@pytest.mark.parametrize("sort", ["deadline", "-deadline", "title", "-title"])
def test_a_declared_sort_is_kept(sort):
    assert parse_sort(LISTING, sort) == sort


@pytest.mark.parametrize("sort", ["", "password", "--title", "title;drop", "-", "closes_at", None])
def test_an_unknown_sort_is_the_default(sort):
    assert parse_sort(LISTING, sort) == "deadline"


@pytest.mark.parametrize(
    ("raw", "page"),
    [("3", 3), ("", 1), (None, 1), ("0", 1), ("-2", 1), ("abc", 1), ("²", 1), ("３", 1),
     ("1e3", 1), ("9999999999", 1), (" 2 ", 2)],
)  # fmt: skip
def test_a_bad_page_is_page_one(raw, page):
    assert parse_page(raw) == page


def test_a_page_past_the_end_is_the_last_page():
    assert clamp_page(99, 51, 25) == (3, 3)
    assert clamp_page(2, 50, 25) == (2, 2)
    # An empty list still has one (empty) page.
    assert clamp_page(5, 0, 25) == (1, 1)


def test_order_fields_flip_with_the_sort_and_end_with_the_tie_breaker():
    assert order_fields(LISTING, "deadline") == ["closes_at", "pk"]
    assert order_fields(LISTING, "-deadline") == ["-closes_at", "-pk"]
    mixed = Listing(sorts={"x": ("a", "-b")}, default_sort="x")
    assert order_fields(mixed, "-x") == ["-a", "b", "-pk"]


def test_parse_reads_page_sort_search_and_declared_filters_only():
    params = parse(
        LISTING, QueryDict("page=2&sort=-title&q=%20量子%E3%80%80センサ&status=open&x=1")
    )
    assert (params.page, params.sort, params.q) == (2, "-title", "量子 センサ")
    assert dict(params.filters) == {"status": "open"}
    assert parse(LISTING, QueryDict("page_owner=4"), page_param="page_owner").page == 4


def test_search_is_trimmed_and_bounded():
    assert parse_search("  a   b ") == "a b"
    assert len(parse_search("x" * 500)) == 100


def test_query_string_round_trip_keeps_the_other_parameters():
    query = QueryDict("q=量子&status=open&page=3&program=sbir&program=sip")
    link = query_string(query, page=4)
    assert QueryDict(link[1:]).getlist("program") == ["sbir", "sip"]
    assert dict(parse_qsl(link[1:])) | {"program": "x"} == {
        "q": "量子", "status": "open", "page": "4", "program": "x"
    }  # fmt: skip
    # None removes a parameter; empty ones are dropped, so one list has one address.
    assert query_string(QueryDict("q=&page=2&sort=title"), page=None) == "?sort=title"
    assert query_string(QueryDict(""), page=None) == "?"


def test_page_links_keep_the_filters_and_mark_the_current_page():
    page = Page(list(range(25)), 2, 5, 120, 25, QueryDict("q=x&page=2"))
    assert page.previous_url == "?q=x"  # page 1 has no page parameter
    assert page.next_url == "?q=x&page=3"
    current = [link for link in page.links if link.current]
    assert [link.number for link in current] == [2]
    assert (page.start_index, page.end_index) == (26, 50)


def test_page_window_shows_ends_and_neighbours_with_gaps():
    assert page_window(1, 1) == [1]
    assert page_window(5, 10) == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert page_window(2, 4) == [1, 2, 3, 4]


def test_sort_header_cycles_and_resets_the_page():
    q = QueryDict("q=x&page=3&sort=title")
    header = sort_header("title", "Title", "title", q)
    assert header.aria_sort == "ascending"
    assert header.url == "?q=x&sort=-title"
    assert sort_header("title", "Title", "-title", q).aria_sort == "descending"
    other = sort_header("deadline", "Deadline", "title", q)
    assert (other.aria_sort, other.url) == ("none", "?q=x&sort=deadline")


def test_a_cursor_round_trips_and_is_bound_to_its_sort():
    at = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)
    token = encode_cursor("-deadline", [at, 42])
    assert decode_cursor(token, "-deadline", 2) == [at.isoformat(), 42]
    with pytest.raises(BadCursor):
        decode_cursor(token, "deadline", 2)
    with pytest.raises(BadCursor):
        decode_cursor(token, "-deadline", 3)


@pytest.mark.parametrize("token", ["", "!!!", "bm90IGpzb24", encode_cursor("x", [[1]])])
def test_a_forged_cursor_is_refused(token):
    with pytest.raises(BadCursor):
        decode_cursor(token, "x", 1)


def test_after_q_is_lexicographic_in_each_direction():
    q = after_q(["-closes_at", "-pk"], ["2026-04-01", 7])
    text = str(q)
    assert "closes_at__lt" in text
    assert "pk__lt" in text
    assert "closes_at', '2026-04-01'" in text
