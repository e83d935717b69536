"""Keyset pages on a real table: a deferred page (keys first, then rows by key)
walks the same rows in the same order, with the same cursors, as a plain one."""

from __future__ import annotations

import pytest
from django.db.models import Value
from django.http import QueryDict

from openrd.accounts.models import Organisation
from openrd.accounts.tests.factories import OrganisationFactory
from openrd.core.listing import Listing, ListParams, keyset_page, paginate

pytestmark = pytest.mark.django_db


def walk(*, deferred: object, order: tuple[str, ...]) -> list[tuple[list[str], str | None]]:
    rows = Organisation.objects.select_related("parent").filter(code__startswith="ks-")
    if deferred == "unfiltered":
        deferred = Organisation.objects.select_related("parent")
    pages, cursor = [], None
    while True:
        items, cursor = keyset_page(rows, order, "name", cursor, 3, deferred=deferred)
        pages.append(([o.code for o in items], cursor))
        if cursor is None:
            return pages


@pytest.mark.parametrize("order", [("name_ja", "pk"), ("-name_ja", "-pk")])
def test_a_deferred_walk_equals_a_plain_one(order):
    parent = OrganisationFactory(code="ks-parent", name_ja="親")
    for i, name in enumerate(["い", "あ", "う", "あ", "え", "お", "い"]):
        OrganisationFactory(code=f"ks-{i}", name_ja=name, parent=parent)
    plain = walk(deferred=False, order=order)
    assert walk(deferred=True, order=order) == plain
    assert walk(deferred="unfiltered", order=order) == plain
    assert [len(codes) for codes, _ in plain] == [3, 3, 2]
    assert sorted(c for codes, _ in plain for c in codes) == sorted(
        Organisation.objects.filter(code__startswith="ks-").values_list("code", flat=True)
    )


def test_a_deferred_page_reads_keys_then_rows(django_assert_num_queries):
    for i in range(5):
        OrganisationFactory(code=f"ks-{i}", name_ja=f"名{i}")
    rows = Organisation.objects.filter(code__startswith="ks-")
    with django_assert_num_queries(2):
        items, cursor = keyset_page(rows, ("name_ja", "pk"), "name", None, 3, deferred=True)
    assert [o.name_ja for o in items] == ["名0", "名1", "名2"]
    assert cursor
    with django_assert_num_queries(1):  # past the last row: no second query
        assert keyset_page(
            rows.filter(code="none"), ("name_ja", "pk"), "name", None, 3, deferred=True
        ) == ([], None)


def test_a_page_read_by_key_elsewhere_takes_its_rows_from_there_without_the_filter(
    django_assert_num_queries,
):
    for i in range(4):
        OrganisationFactory(code=f"ks-{i}", name_ja=f"名{i}")
    rows = Organisation.objects.filter(code__startswith="ks-")
    by_key = Organisation.objects.annotate(read_by_key=Value(True))
    with django_assert_num_queries(2) as asked:
        items, _ = keyset_page(rows, ("name_ja", "pk"), "name", None, 3, deferred=by_key)
    assert [(o.name_ja, o.read_by_key) for o in items] == [
        ("名0", True),
        ("名1", True),
        ("名2", True),
    ]
    # The filter that chose the keys is not asked again.
    assert "ks-" not in asked.captured_queries[1]["sql"]


# ---------------------------------------------------------------- numbered pages

NAMES = Listing(sorts={"name": ("name_ja",)}, default_sort="name", per_page=2)


def search_page(page: int, *, deferred: bool):
    rows = Organisation.objects.filter(code__startswith="ks-", name_ja__contains="量子")
    params = ListParams(page=page, sort="name", q="量子")
    return paginate(rows, NAMES, params, QueryDict(), deferred=deferred)


@pytest.mark.parametrize("page", [1, 2, 3, 9])
def test_a_deferred_search_page_equals_a_plain_one(page):
    for i, name in enumerate(["量子A", "古典", "量子B", "量子C", "量子D", "量子E", "光"]):
        OrganisationFactory(code=f"ks-{i}", name_ja=name)
    plain, deferred = search_page(page, deferred=False), search_page(page, deferred=True)
    assert [o.name_ja for o in deferred.items] == [o.name_ja for o in plain.items]
    assert (deferred.number, deferred.num_pages, deferred.count) == (
        plain.number, plain.num_pages, plain.count,
    )  # fmt: skip
    assert plain.count == 5
    assert plain.number == min(page, 3)  # past the end: the last page


def test_a_deferred_search_page_counts_with_its_keys(django_assert_num_queries):
    for i in range(5):
        OrganisationFactory(code=f"ks-{i}", name_ja=f"量子{i}")
    # The keys with the count, then the rows: no COUNT query of its own.
    with django_assert_num_queries(2) as asked:
        page = search_page(2, deferred=True)
    assert not any("COUNT(*) AS" in q["sql"] for q in asked.captured_queries)
    assert ([o.name_ja for o in page.items], page.count, page.num_pages) == (
        ["量子2", "量子3"],
        5,
        3,
    )
