"""The outbox in the admin is for reading: no adding, changing or deleting."""

import pytest

from openrd.accounts.tests.factories import UserFactory
from openrd.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_operators_read_the_outbox_but_cannot_change_it(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    notify([UserFactory(email="aoi@example.jp")], "integrity.pledge_due", {"pledged_at": None})
    client.force_login(admin)
    listing = client.get("/en/admin/notifications/outboxmessage/")
    assert listing.status_code == 200
    assert "aoi@example.jp" in listing.content.decode()
    assert client.get("/en/admin/notifications/outboxmessage/add/").status_code == 403
