"""The inbox page, the header count, e-mail choices and the API."""

from __future__ import annotations

import pytest

from openrd.accounts.models import TokenScope
from openrd.accounts.services import issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.notifications.models import EmailChoice, Notification
from openrd.notifications.services import email_choices, notify

pytestmark = pytest.mark.django_db


def inbox_of(user, count, kind="integrity.pledge_due"):
    for _ in range(count):
        notify([user], kind, {"pledged_at": None})
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def test_the_page_lists_unread_first_twenty_a_page(client):
    aoi = UserFactory()
    items = inbox_of(aoi, 22)
    Notification.objects.filter(pk=items[-1].pk).update(read_at=items[-1].created_at)
    client.force_login(aoi)
    page1 = client.get("/ja/notifications/")
    assert page1.status_code == 200
    assert [i["id"] for i in page1.context["items"]][:1] == [items[-2].pk]  # newest unread
    assert len(page1.context["items"]) == 20
    assert all(i["unread"] for i in page1.context["items"])
    page2 = client.get("/ja/notifications/?page=2")
    assert [i["unread"] for i in page2.context["items"]] == [True, False]
    assert "研究インテグリティ誓約" in page1.content.decode()


def test_the_header_shows_the_unread_count(client):
    aoi = UserFactory()
    inbox_of(aoi, 3)
    client.force_login(aoi)
    html = client.get("/ja/").content.decode()
    assert 'href="/ja/notifications/"' in html
    assert '<span class="badge"' in html
    assert ">3</span>" in html


def test_marking_one_and_all_as_read_by_post(client):
    aoi, other = UserFactory(), UserFactory()
    first = inbox_of(aoi, 2)[0]
    [theirs] = inbox_of(other, 1)
    client.force_login(aoi)
    assert client.get(f"/ja/notifications/{first.pk}/read/").status_code == 405
    assert client.post(f"/ja/notifications/{first.pk}/read/").status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.post(f"/ja/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post("/ja/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=aoi, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_settings_page_saves_which_kinds_go_by_email(client):
    aoi = UserFactory()
    client.force_login(aoi)
    page = client.get("/ja/notifications/settings/")
    assert page.status_code == 200
    assert 'value="proposal.submitted"' in page.content.decode()
    response = client.post("/ja/notifications/settings/", {"email": ["call.opened"]})
    assert response.status_code == 302
    choices = email_choices(aoi)
    assert choices["call.opened"] is True
    assert choices["proposal.submitted"] is False
    assert AuditEntry.objects.filter(action="notifications.email_choices.changed").count() == 1
    bad = client.post("/ja/notifications/settings/", {"email": ["nope"]})
    assert bad.status_code == 422
    assert "不明な通知の種類" in bad.content.decode()
    assert EmailChoice.objects.get(user=aoi, kind="call.opened").by_email is True


def test_pages_need_a_sign_in(client):
    assert client.get("/ja/notifications/").status_code == 302


def test_api_lists_with_the_unread_filter_and_pages(client):
    aoi = UserFactory()
    items = inbox_of(aoi, 21)
    Notification.objects.filter(pk=items[0].pk).update(read_at=items[0].created_at)
    client.force_login(aoi)
    body = client.get("/api/v1/me/notifications", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["count"], body["unread"], body["pages"], len(body["items"])) == (21, 20, 2, 20)
    assert body["items"][0]["subject"] == "Please renew your research integrity pledge"
    unread = client.get("/api/v1/me/notifications?unread=true").json()
    assert unread["count"] == 20
    assert all(i["unread"] for i in unread["items"])
    assert client.get("/api/v1/me/notifications?page=9").json()["items"] == []
    assert client.get("/api/v1/me/notifications?page=0").status_code == 422


def test_api_marks_read_and_refuses_others_anonymous_and_read_tokens(client):
    aoi, other = UserFactory(), UserFactory()
    mine = inbox_of(aoi, 2)[0]
    [theirs] = inbox_of(other, 1)
    assert client.get("/api/v1/me/notifications").status_code == 401
    assert client.post("/api/v1/me/notifications/read-all").status_code == 401
    _token, raw = issue_api_token(aoi, name="r", scope=TokenScope.READ)
    read_only = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/me/notifications", **read_only).status_code == 200
    assert client.post(f"/api/v1/me/notifications/{mine.pk}/read", **read_only).status_code == 403
    client.force_login(aoi)
    answer = client.post(f"/api/v1/me/notifications/{mine.pk}/read")
    assert answer.status_code == 200
    assert answer.json()["unread"] is False
    assert client.post(f"/api/v1/me/notifications/{theirs.pk}/read").status_code == 404
    assert client.post("/api/v1/me/notifications/read-all").json() == {"marked": 1}
    assert client.post("/api/v1/me/notifications/read-all").json() == {"marked": 0}
