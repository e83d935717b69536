"""The proposal list: what each row shows, sorting, filtering, searching and
paging, per audience; a query count that does not grow with the rows; the API's
cursor pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openrd.integrity.models import DisclosureVersion
from openrd.proposals.models import Endorsement, Proposal, ProposalStatus, ProposalVersion
from openrd.proposals.queries import PROPOSAL_LISTING
from openrd.proposals.services.common import refresh_latest_versions
from openrd.proposals.tests.conftest import World

pytestmark = pytest.mark.django_db


def bulk_proposals(
    world: World, n: int, *, prefix: str = "提案", status: str = "draft", versions: bool = False
) -> list[Proposal]:
    """``n`` proposals of the applicant, updated one hour apart (one insert each table);
    with ``versions`` each gets an endorsed version titled "<prefix>版NNN"."""
    now = timezone.now()
    made = Proposal.objects.bulk_create(
        Proposal(call=world.call, agency=world.call.agency, applicant=world.applicant,
                 institution=world.startup,
                 status=status, title_ja=f"{prefix}{i:03}", title_en=f"Proposal {prefix} {i:03}")
        for i in range(n)
    )  # fmt: skip
    for i, p in enumerate(made):
        # auto_now would give them all the same time: set it afterwards.
        Proposal.objects.filter(pk=p.pk).update(updated_at=now - timedelta(hours=i))
    if versions:
        disclosure = DisclosureVersion.objects.filter(person=world.applicant).latest("number")
        extra = {f.name for f in ProposalVersion._meta.concrete_fields}
        rows = []
        for i, p in enumerate(made):
            fields = {
                "proposal": p, "number": 1, "submitted_at": now - timedelta(hours=i),
                "submitted_by": world.applicant, "idempotency_key": f"k{p.pk}",
                "content": {"title_ja": f"{prefix}版{i:03}", "title_en": f"Version {i:03}"},
                "disclosure": disclosure, "endorsement": Endorsement.ENDORSED,
            }  # fmt: skip
            if "receipt_number" in extra:
                fields |= {"receipt_sequence": p.pk, "receipt_number": f"bulk-{p.pk}"}
            rows.append(ProposalVersion(**fields))
        ProposalVersion.objects.bulk_create(rows)
        refresh_latest_versions(*(p.pk for p in made))
    return made


def _titles(page: str, prefix: str) -> list[str]:
    return re.findall(rf">({prefix}\d+)</a>", page)


def test_a_row_shows_title_applicant_institution_call_dates_and_a_status_badge(client, world):
    bulk_proposals(world, 1, prefix="量子提案")
    client.force_login(world.applicant)
    page = client.get("/ja/proposals/").content.decode()
    assert ">量子提案000</a>" in page
    assert "提案 #" not in page
    assert world.applicant.display_name in page
    assert world.startup.name_ja in page
    assert world.call.title_ja in page
    assert "（日本時間）" in page  # the dates, in Japan time
    # The status reads as text, with a glyph hidden from screen readers.
    badge = '<span class="badge badge--draft"><span class="badge__icon" aria-hidden="true">'
    assert badge + "✎</span> 下書き</span>" in page
    english = client.get("/en/proposals/").content.decode()
    assert ">Proposal 量子提案 000</a>" in english


def test_an_english_page_falls_back_to_the_japanese_title(client, world):
    Proposal.objects.create(
        call=world.call,
        agency=world.call.agency,
        applicant=world.applicant,
        institution=world.startup,
        title_ja="和文のみ",
    )
    client.force_login(world.applicant)
    assert ">和文のみ</a>" in client.get("/en/proposals/").content.decode()


def test_sorting_by_each_column_and_the_aria_sort_of_its_header(client, world):
    bulk_proposals(world, 3)
    client.force_login(world.applicant)
    page = client.get("/ja/proposals/").content.decode()
    assert _titles(page, "提案") == ["提案000", "提案001", "提案002"]  # newest change first
    assert 'aria-sort="descending"><a href="?sort=updated">' in page
    page = client.get("/ja/proposals/?sort=updated").content.decode()
    assert _titles(page, "提案") == ["提案002", "提案001", "提案000"]
    assert 'aria-sort="ascending"' in page
    page = client.get("/ja/proposals/?sort=-title").content.decode()
    assert _titles(page, "提案") == ["提案002", "提案001", "提案000"]
    for sort in ("created", "-created", "deadline", "-deadline", "bogus"):
        assert client.get(f"/ja/proposals/?sort={sort}").status_code == 200


def test_filter_by_status_and_search_by_title(client, world):
    bulk_proposals(world, 2, prefix="下書き提案")
    bulk_proposals(world, 1, prefix="取下げ提案", status=ProposalStatus.WITHDRAWN)
    client.force_login(world.applicant)
    page = client.get("/ja/proposals/?status=withdrawn").content.decode()
    assert _titles(page, "取下げ提案") == ["取下げ提案000"]
    assert not _titles(page, "下書き提案")
    assert "✕" in page
    page = client.get("/ja/proposals/?q=下書き提案001").content.decode()
    assert _titles(page, "下書き提案") == ["下書き提案001"]
    bad = client.get("/ja/proposals/?status=nonsense")
    assert bad.status_code == 200
    assert 'class="field field--error"' in bad.content.decode()


def test_each_section_pages_on_its_own_keeping_the_other_parameters(client, world):
    bulk_proposals(world, PROPOSAL_LISTING.per_page + 2)
    client.force_login(world.applicant)
    page = client.get("/ja/proposals/?q=提案").content.decode()
    assert len(_titles(page, "提案")) == PROPOSAL_LISTING.per_page
    assert 'href="?q=%E6%8F%90%E6%A1%88&amp;page_owner=2" rel="next"' in page
    second = client.get("/ja/proposals/?q=提案&page_owner=2").content.decode()
    assert len(_titles(second, "提案")) == 2
    assert len(_titles(client.get("/ja/proposals/?page_owner=999").content.decode(), "提案")) == 2


def test_the_agency_sees_and_searches_the_endorsed_version_never_the_working_copy(client, world):
    bulk_proposals(world, 2, prefix="作業中", status=ProposalStatus.ENDORSED, versions=True)
    client.force_login(world.nedo_staff)
    page = client.get("/ja/proposals/").content.decode()
    assert "作業中版000" in page
    assert "作業中0" not in page
    # A search for the working copy's words finds nothing; the version's words do.
    assert "作業中版" not in client.get("/ja/proposals/?q=作業中001").content.decode()
    assert "作業中版001" in client.get("/ja/proposals/?q=作業中版001").content.decode()


@pytest.mark.parametrize("who", ["applicant", "officer", "nedo_staff"])
def test_the_query_count_does_not_grow_with_rows(client, world, who, django_assert_max_num_queries):
    bulk_proposals(world, 3, prefix="少", status=ProposalStatus.ENDORSED, versions=True)
    client.force_login(getattr(world, who))
    with CaptureQueriesContext(connection) as few:
        assert client.get("/ja/proposals/").status_code == 200
    bulk_proposals(world, 27, prefix="多", status=ProposalStatus.ENDORSED, versions=True)
    with django_assert_max_num_queries(len(few)):
        page = client.get("/ja/proposals/").content.decode()
    # A full first page (30 rows exist), whoever reads it.
    assert page.count("badge--endorsed") == PROPOSAL_LISTING.per_page


def test_the_api_pages_by_cursor_with_a_constant_query_count(
    client, world, django_assert_max_num_queries
):
    from openrd.accounts.services import issue_api_token

    _, raw = issue_api_token(world.applicant, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    bulk_proposals(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/proposals?limit=50", **auth).json()) == 3
    bulk_proposals(world, 27, prefix="次")
    with django_assert_max_num_queries(len(few)):
        first = client.get("/api/v1/proposals?limit=20", **auth)
    assert len(first.json()) == 20
    rest = client.get(f"/api/v1/proposals?limit=20&cursor={first.headers['X-Next-Cursor']}", **auth)
    ids = [p["id"] for p in first.json() + rest.json()]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 30
    found = client.get("/api/v1/proposals?q=次005", **auth).json()
    assert [p["title_ja"] for p in found] == ["次005"]
