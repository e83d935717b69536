"""The organisations list (public) and the audit log (staff only, read-only)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openrd.accounts.models import Organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core.audit import record
from openrd.core.models import AuditEntry
from openrd.portal.lists import AUDIT_LISTING, ORGANISATION_LISTING

pytestmark = pytest.mark.django_db


def bulk_organisations(n: int, prefix: str = "試験") -> None:
    Organisation.objects.bulk_create(
        Organisation(code=f"{prefix}-{i:03}".encode().hex()[:60], kind="university",
                     name_ja=f"{prefix}大学{i:03}", name_en=f"{prefix} University {i:03}",
                     name_kana=f"しけんだいがく{i:03}", country="JP" if i % 2 else "US")
        for i in range(n)
    )  # fmt: skip


def test_the_organisation_list_is_public_searchable_and_filterable(client):
    bulk_organisations(4)
    page = client.get("/ja/organisations/").content.decode()
    assert "試験大学000" in page
    assert "しけんだいがく000" in page
    assert "試験 University 000" in page
    assert (
        client.get("/ja/organisations/?q=しけんだいがく002").content.decode().count("試験大学") == 1
    )
    assert "試験大学002" in client.get("/ja/organisations/?q=university+002").content.decode()
    us_only = client.get("/ja/organisations/?country=us").content.decode()
    assert "試験大学000" in us_only
    assert "試験大学001" not in us_only
    assert "試験大学000" not in client.get("/ja/organisations/?kind=startup").content.decode()


def test_bad_organisation_filters_are_field_errors_not_failures(client):
    bulk_organisations(1)
    response = client.get("/ja/organisations/?kind=evil&country=日本&sort=x&page=-1")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="field field--error"') == 2
    assert "試験大学000" in page


def test_organisations_sort_by_reading_and_by_country(client):
    bulk_organisations(3)
    page = client.get("/ja/organisations/?sort=-name").content.decode()
    assert page.index("試験大学002") < page.index("試験大学000")
    assert 'aria-sort="descending"' in page


def test_the_organisation_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    bulk_organisations(3, "少")
    with CaptureQueriesContext(connection) as few:
        client.get("/ja/organisations/")
    bulk_organisations(ORGANISATION_LISTING.per_page + 30, "多")
    with django_assert_max_num_queries(len(few)):
        page = client.get("/ja/organisations/").content.decode()
    assert page.count("<tr>") == ORGANISATION_LISTING.per_page + 1  # with the header row
    assert 'rel="next"' in page


@pytest.mark.parametrize("who", ["anonymous", "researcher"])
def test_the_audit_log_is_a_404_for_others_and_the_attempt_is_audited(client, who):
    if who != "anonymous":
        client.force_login(UserFactory())
    before = AuditEntry.objects.filter(action="access.denied").count()
    assert client.get("/ja/audit/").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").count() == before + 1


def test_staff_read_the_audit_log_newest_first_filtered_by_action_and_actor(client):
    staff = UserFactory(username="auditor", is_staff=True)
    someone = UserFactory(username="someone")
    record("proposal.created", actor=someone, object_repr="最初の記録")
    record("call.opened", actor=staff, object_repr="二番目の記録")
    client.force_login(staff)
    page = client.get("/ja/audit/").content.decode()
    assert page.index("二番目の記録") < page.index("最初の記録")
    assert 'aria-sort="descending"' in page
    only = client.get("/ja/audit/?action=proposal.").content.decode()
    assert "最初の記録" in only
    assert "二番目の記録" not in only
    mine = client.get("/ja/audit/?actor=auditor").content.decode()
    assert "二番目の記録" in mine
    assert "最初の記録" not in mine
    # Nothing on the page writes: no posting form in its content (the header's
    # sign-out and language forms aside), and POST to it is refused.
    content = page.split("<h1>", 1)[1].split("</main>", 1)[0]
    assert 'method="post"' not in content
    assert client.post("/ja/audit/").status_code == 405


def test_superusers_read_it_too_and_the_query_count_does_not_grow(
    client, django_assert_max_num_queries
):
    boss = UserFactory(is_superuser=True)
    actor = UserFactory()
    for i in range(3):
        record("x.few", actor=actor, object_repr=f"few {i}")
    client.force_login(boss)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/ja/audit/").status_code == 200
    for i in range(AUDIT_LISTING.per_page + 10):
        record("x.many", actor=UserFactory(), object_repr=f"many {i}")
    with django_assert_max_num_queries(len(few)):
        page = client.get("/ja/audit/").content.decode()
    assert page.count("<code>x.") == AUDIT_LISTING.per_page
