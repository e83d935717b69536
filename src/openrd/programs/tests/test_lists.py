"""The call and program lists: default order, search, filters, pages, the API's
cursor pages, and a query count that does not grow with the rows shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openrd.accounts.models import Organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.programs.models import Call, Program
from openrd.programs.queries import CALL_LISTING, PROGRAM_LISTING
from openrd.programs.services import close_call, open_call
from openrd.programs.tests.call_data import make_call

pytestmark = pytest.mark.django_db


def _open(**overrides):
    call = make_call(**overrides)
    open_call(call, actor=None)
    return call


def bulk_calls(n: int, *, prefix: str = "bulk", status: str = "open", **overrides) -> None:
    """``n`` open calls closing one day apart (fast: one insert)."""
    template = make_call(code=f"{prefix}-template")
    now = timezone.now()
    rows = []
    for i in range(n):
        fields = {
            f.attname: getattr(template, f.attname)
            for f in Call._meta.concrete_fields
            if not f.primary_key
        }
        fields |= {
            "code": f"{prefix}-{i:03}",
            "title_ja": f"{prefix}公募{i:03}",
            "title_en": f"{prefix} call {i:03}",
            "status": status,
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=2 + i),
        } | overrides
        rows.append(Call(**fields))
    Call.objects.bulk_create(rows)
    template.delete()


def _titles(page: str, prefix: str) -> list[str]:
    import re

    return re.findall(rf"{prefix}公募\d+", page)


def test_the_call_list_shows_open_calls_soonest_deadline_first(client, loaded_programs):
    _open(code="late", title_ja="遅い締切の公募", closes_at=timezone.now() + timedelta(days=40))
    _open(code="soon", title_ja="早い締切の公募", closes_at=timezone.now() + timedelta(days=3))
    closed = _open(code="gone", title_ja="終了した公募")
    close_call(closed, actor=None)
    page = client.get("/ja/calls/").content.decode()
    assert "終了した公募" not in page
    assert page.index("早い締切の公募") < page.index("遅い締切の公募")
    # The status filter shows the default it applied.
    assert '<option value="open" selected>' in page
    reverse = client.get("/ja/calls/?sort=-deadline").content.decode()
    assert reverse.index("遅い締切の公募") < reverse.index("早い締切の公募")
    assert "終了した公募" in client.get("/ja/calls/?status=").content.decode()


def test_the_call_list_searches_titles_in_both_languages_and_the_program_name(
    client, loaded_programs
):
    _open(code="q1", title_ja="量子センサの公募", title_en="Quantum sensors")
    _open(code="q2", title_ja="海洋の公募", title_en="Ocean")
    assert "量子センサの公募" in client.get("/ja/calls/?q=量子").content.decode()
    page = client.get("/ja/calls/?q=quantum").content.decode()
    assert "量子センサの公募" in page
    assert "海洋の公募" not in page
    # Both calls are Moonshot calls: the program's name finds them.
    program = Program.objects.get(code="moonshot")
    page = client.get("/ja/calls/", {"q": program.name_ja[:6]}).content.decode()
    assert "量子センサの公募" in page
    assert "海洋の公募" in page
    page = client.get("/ja/calls/?q=量子+海洋").content.decode()
    assert "量子センサの公募" not in page  # every word must match


def test_the_call_list_pages_keep_the_filters(client, loaded_programs):
    bulk_calls(CALL_LISTING.per_page + 5)
    first = client.get("/ja/calls/?program=moonshot").content.decode()
    assert len(_titles(first, "bulk")) == CALL_LISTING.per_page
    assert '<nav class="pagination"' in first
    assert 'href="?program=moonshot&amp;page=2" rel="next"' in first
    assert 'aria-current="page"' in first
    second = client.get("/ja/calls/?program=moonshot&page=2").content.decode()
    assert _titles(second, "bulk") == [f"bulk公募{i:03}" for i in range(25, 30)]
    # Past the end: the last page; nonsense: the first.
    assert client.get("/ja/calls/?page=99").content.decode().count("bulk公募") == 5
    nonsense = client.get("/ja/calls/?page=abc&sort=evil")
    assert nonsense.status_code == 200
    assert _titles(nonsense.content.decode(), "bulk")[0] == "bulk公募000"


@pytest.mark.parametrize("path", ["/ja/calls/", "/en/calls/"])
def test_the_call_list_query_count_does_not_grow_with_rows(
    client, loaded_programs, django_assert_max_num_queries, path
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bulk_calls(3, prefix="few")
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    bulk_calls(27, prefix="more")
    with django_assert_max_num_queries(len(few)):
        page = client.get(path).content.decode()
    assert page.count('class="card"') == CALL_LISTING.per_page


def test_the_program_list_searches_pages_and_keeps_the_follow_button(
    client, loaded_programs, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as few:
        page = client.get("/ja/programs/").content.decode()
    # The follow control is still on every card.
    assert page.count('class="follow cluster"') == page.count('class="card"') > 0
    owner = Organisation.objects.first()
    Program.objects.bulk_create(
        Program(code=f"p-{i:03}", kind="other", name_ja=f"追加プログラム{i:03}",
                name_en=f"Extra {i}", owner=owner)
        for i in range(PROGRAM_LISTING.per_page + 30)
    )  # fmt: skip
    with django_assert_max_num_queries(len(few)):
        page = client.get("/ja/programs/").content.decode()
    assert page.count('class="card"') == PROGRAM_LISTING.per_page
    assert page.count('class="follow cluster"') == PROGRAM_LISTING.per_page
    assert 'rel="next"' in page
    found = client.get("/ja/programs/?q=追加プログラム007").content.decode()
    assert found.count('class="card"') == 1


def test_the_calls_api_pages_by_cursor(client, loaded_programs):
    bulk_calls(7)
    seen: list[str] = []
    url = "/api/v1/calls?limit=3&sort=-deadline"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [c["code"] for c in response.json()]
        cursor = response.headers.get("X-Next-Cursor")
        if cursor:
            assert response.headers["Link"].endswith('; rel="next"')
            assert "sort=-deadline" in response.headers["Link"]
        url = f"/api/v1/calls?limit=3&sort=-deadline&cursor={cursor}" if cursor else ""
    assert seen == [f"bulk-{i:03}" for i in reversed(range(7))]


def test_the_calls_api_searches_and_refuses_a_foreign_cursor(client, loaded_programs):
    bulk_calls(4)
    assert [c["code"] for c in client.get("/api/v1/calls?q=call+002").json()] == ["bulk-002"]
    cursor = client.get("/api/v1/calls?limit=1").headers["X-Next-Cursor"]
    response = client.get(f"/api/v1/calls?limit=1&sort=title&cursor={cursor}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"
    assert client.get("/api/v1/calls?limit=0").status_code == 422
    assert client.get("/api/v1/calls?limit=201").status_code == 422
    assert client.get("/api/v1/calls?sort=secret").status_code == 422


def test_the_programs_api_pages_and_the_schema_documents_it(client, loaded_programs):
    total = Program.objects.count()
    first = client.get("/api/v1/programs?limit=2")
    assert len(first.json()) == 2
    rest = client.get(f"/api/v1/programs?limit=200&cursor={first.headers['X-Next-Cursor']}")
    assert len(rest.json()) == total - 2
    assert "X-Next-Cursor" not in rest.headers
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/programs", "/api/v1/calls", "/api/v1/proposals"):
        op = schema["paths"][path]["get"]
        names = {p["name"] for p in op["parameters"]}
        assert {"limit", "cursor", "sort", "q"} <= names
        assert "X-Next-Cursor" in op["responses"]["200"]["headers"]


def test_the_programs_api_query_count_does_not_grow_with_programs(
    client, loaded_programs, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        shown = len(client.get("/api/v1/programs?limit=200").json())
    owner = Organisation.objects.first()
    Program.objects.bulk_create(
        Program(code=f"api-{i:03}", kind="other", name_ja=f"API追加{i:03}",
                name_en=f"API extra {i}", owner=owner)
        for i in range(30)
    )  # fmt: skip
    with django_assert_max_num_queries(len(few)):
        body = client.get("/api/v1/programs?limit=200").json()
    assert len(body) == shown + 30


def test_the_calls_api_query_count_does_not_grow_with_a_full_page(
    client, loaded_programs, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bulk_calls(3, prefix="few")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/calls?limit=50", HTTP_ACCEPT_LANGUAGE="en").json()) == 3
    bulk_calls(40, prefix="many")
    with django_assert_max_num_queries(len(few)):
        body = client.get("/api/v1/calls?limit=50", HTTP_ACCEPT_LANGUAGE="en").json()
    assert len(body) == 43
