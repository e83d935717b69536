"""The inbox page and its API: pages of twenty, at a query count that does not
grow with the notifications."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openrd.accounts.tests.factories import UserFactory
from openrd.notifications.queries import PAGE_SIZE
from openrd.notifications.services import notify

pytestmark = pytest.mark.django_db


def _notify(user, count):
    for _ in range(count):
        notify([user], "integrity.pledge_due", {"pledged_at": None})


@pytest.mark.parametrize("path", ["/ja/notifications/", "/api/v1/me/notifications"])
def test_the_inbox_query_count_does_not_grow_with_rows(client, path, django_assert_max_num_queries):
    aoi = UserFactory()
    client.force_login(aoi)
    _notify(aoi, 3)
    client.get(path)  # the session is settled
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    _notify(aoi, PAGE_SIZE + 10)
    with django_assert_max_num_queries(len(few)):
        response = client.get(path)
    if path.startswith("/api/"):
        body = response.json()
        assert (len(body["items"]), body["count"], body["pages"]) == (PAGE_SIZE, PAGE_SIZE + 13, 2)
    else:
        assert len(response.context["items"]) == PAGE_SIZE
