"""Following a program from its page and over the API, and the notification it brings."""

from __future__ import annotations

import pytest

from openrd.accounts.services import issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.notifications.delivery import render
from openrd.notifications.models import Notification, Subscription
from openrd.programs import follow as follow_module
from openrd.programs.follow import program_topic
from openrd.programs.models import Program
from openrd.programs.services import open_call
from openrd.programs.tests.call_data import make_call

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def person(loaded_programs):
    return UserFactory()


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def topics_of(user) -> list[str]:
    return list(Subscription.objects.filter(user=user).values_list("topic", flat=True))


def audit_actions(user) -> list[str]:
    return list(
        AuditEntry.objects.filter(actor=user, action__startswith="notifications.")
        .order_by("seq")
        .values_list("action", flat=True)
    )


# ---------------------------------------------------------------- the page


def test_the_topic_of_a_program_is_the_one_call_opened_notifies():
    assert program_topic(Program(code="sbir")) == "program:sbir"


def test_anonymous_visitors_see_a_sign_in_link_not_a_button(client, loaded_programs):
    page = client.get("/ja/programs/sbir/").content.decode()
    assert "フォローするにはログイン" in page
    assert "/ja/accounts/login/?next=/ja/programs/sbir/" in page
    assert 'action="/ja/programs/sbir/follow/"' not in page


def test_follow_without_javascript_redirects_back_and_shows_following(signed_in, person):
    page = signed_in.get("/ja/programs/sbir/").content.decode()
    assert "このプログラムをフォロー" in page
    assert 'action="/ja/programs/sbir/follow/"' in page
    assert 'hx-post="/ja/programs/sbir/follow/"' in page
    response = signed_in.post("/ja/programs/sbir/follow/", {"next": "/ja/programs/sbir/"})
    assert response.status_code == 302
    assert response["Location"] == "/ja/programs/sbir/"
    assert topics_of(person) == ["program:sbir"]
    page = signed_in.get("/ja/programs/sbir/").content.decode()
    assert "フォロー中 — 解除" in page
    assert 'action="/ja/programs/sbir/unfollow/"' in page
    assert "1人がフォロー中" in page


def test_follow_with_htmx_answers_the_control_alone(signed_in, person):
    response = signed_in.post("/en/programs/sbir/follow/", {"next": "/en/programs/sbir/"}, **HX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert 'id="follow-sbir"' in fragment
    assert "Following — unfollow" in fragment
    assert "1 follower" in fragment
    assert 'name="next" value="/en/programs/sbir/"' in fragment
    response = signed_in.post("/en/programs/sbir/unfollow/", {"next": "/en/programs/sbir/"}, **HX)
    fragment = response.content.decode()
    assert "Follow this program" in fragment
    assert "0 followers" in fragment
    assert topics_of(person) == []


def test_the_list_has_a_compact_control_that_stays_compact(signed_in, person):
    page = signed_in.get("/ja/programs/").content.decode()
    assert 'action="/ja/programs/moonshot/follow/"' in page
    assert "人がフォロー中" not in page  # no counts on the list
    response = signed_in.post(
        "/ja/programs/moonshot/follow/", {"next": "/ja/programs/", "compact": "1"}, **HX
    )
    fragment = response.content.decode()
    assert 'name="compact" value="1"' in fragment
    assert "人がフォロー中" not in fragment
    response = signed_in.post("/ja/programs/moonshot/unfollow/", {"next": "/ja/programs/"})
    assert response["Location"] == "/ja/programs/"


def test_following_twice_is_one_subscription_and_one_audit_entry(signed_in, person):
    signed_in.post("/ja/programs/sbir/follow/")
    signed_in.post("/ja/programs/sbir/follow/", **HX)
    assert topics_of(person) == ["program:sbir"]
    assert audit_actions(person) == ["notifications.subscribed"]
    signed_in.post("/ja/programs/sbir/unfollow/")
    signed_in.post("/ja/programs/sbir/unfollow/")
    assert topics_of(person) == []
    assert audit_actions(person) == ["notifications.subscribed", "notifications.unsubscribed"]
    entry = AuditEntry.objects.get(action="notifications.unsubscribed")
    assert entry.before == {"topic": "program:sbir"}


def test_unknown_program_is_404_and_writes_nothing(signed_in, person):
    assert signed_in.post("/ja/programs/nope/follow/").status_code == 404
    assert signed_in.post("/ja/programs/nope/unfollow/", **HX).status_code == 404
    assert topics_of(person) == []
    assert audit_actions(person) == []


def test_a_program_the_public_may_not_see_cannot_be_followed(signed_in, person, monkeypatch):
    monkeypatch.setattr(
        follow_module, "public_programs", lambda: Program.objects.exclude(code="sbir")
    )
    assert signed_in.post("/ja/programs/sbir/follow/").status_code == 404
    assert topics_of(person) == []
    assert signed_in.post("/ja/programs/moonshot/follow/").status_code == 302


def test_anonymous_follow_redirects_to_login_and_back_to_the_page(client, loaded_programs):
    response = client.post("/ja/programs/sbir/follow/")
    assert response.status_code == 302
    assert response["Location"] == "/ja/accounts/login/?next=/ja/programs/sbir/"
    response = client.post("/ja/programs/sbir/follow/", **HX)
    assert response["HX-Redirect"] == "/ja/accounts/login/?next=/ja/programs/sbir/"
    assert not Subscription.objects.exists()


def test_next_is_kept_on_this_site(signed_in):
    response = signed_in.post("/ja/programs/sbir/follow/", {"next": "https://evil.example/"})
    assert response["Location"] == "/ja/programs/sbir/"


def test_follow_is_post_only(signed_in, person):
    assert signed_in.get("/ja/programs/sbir/follow/").status_code == 405
    assert topics_of(person) == []


def test_follow_needs_the_csrf_token(person):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    assert strict.post("/ja/programs/sbir/follow/").status_code == 403
    assert topics_of(person) == []


# ---------------------------------------------------------------- the API


def bearer(user, scope="write") -> dict[str, str]:
    _, raw = issue_api_token(user, name="t", scope=scope)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_put_delete_and_list_follows(client, person):
    auth = bearer(person)
    response = client.put("/api/v1/programs/sbir/follow", **auth)
    assert response.status_code == 200
    assert response.json() == {"program": "sbir", "following": True, "followers": 1}
    assert client.put("/api/v1/programs/sbir/follow", **auth).json()["followers"] == 1
    client.put("/api/v1/programs/moonshot/follow", **auth)
    follows = client.get("/api/v1/me/follows", **auth).json()
    assert [f["code"] for f in follows] == ["moonshot", "sbir"]
    assert follows[0]["name_ja"] == "ムーンショット型研究開発制度"
    response = client.delete("/api/v1/programs/sbir/follow", **auth)
    assert response.json() == {"program": "sbir", "following": False, "followers": 0}
    assert client.delete("/api/v1/programs/sbir/follow", **auth).status_code == 200
    assert [f["code"] for f in client.get("/api/v1/me/follows", **auth).json()] == ["moonshot"]
    assert audit_actions(person) == [
        "notifications.subscribed",
        "notifications.subscribed",
        "notifications.unsubscribed",
    ]


def test_api_session_user_follows_too(client, person):
    client.force_login(person)
    assert client.put("/api/v1/programs/sbir/follow").json()["following"] is True
    assert [f["code"] for f in client.get("/api/v1/me/follows").json()] == ["sbir"]


def test_api_unknown_program_is_a_json_404(client, person):
    response = client.put("/api/v1/programs/nope/follow", **bearer(person))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert client.delete("/api/v1/programs/nope/follow", **bearer(person)).status_code == 404
    assert not Subscription.objects.exists()


def test_api_needs_credentials_and_a_write_token_to_change(client, person):
    assert client.put("/api/v1/programs/sbir/follow").status_code == 401
    assert client.delete("/api/v1/programs/sbir/follow").status_code == 401
    assert client.get("/api/v1/me/follows").status_code == 401
    bad = {"HTTP_AUTHORIZATION": "Bearer ord_not-a-token"}
    assert client.get("/api/v1/me/follows", **bad).status_code == 401
    read = bearer(person, scope="read")
    assert client.put("/api/v1/programs/sbir/follow", **read).status_code == 403
    assert client.delete("/api/v1/programs/sbir/follow", **read).status_code == 403
    assert client.get("/api/v1/me/follows", **read).json() == []
    assert not Subscription.objects.exists()


def test_openapi_documents_the_follow_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    follow = paths["/api/v1/programs/{code}/follow"]
    assert set(follow) == {"put", "delete"}
    assert {"200", "401", "403", "404"} <= set(follow["put"]["responses"])
    assert {"200", "401"} <= set(paths["/api/v1/me/follows"]["get"]["responses"])


# ---------------------------------------------------------------- end to end


def test_a_follower_is_notified_when_a_call_of_the_program_opens(client, person):
    bystander = UserFactory()
    client.force_login(person)
    client.post("/ja/programs/moonshot/follow/")
    client.force_login(bystander)
    client.post("/ja/programs/sbir/follow/")
    call = make_call()  # a Moonshot call, still a draft
    assert not Notification.objects.exists()
    open_call(call, actor=None)
    notice = Notification.objects.get(kind="call.opened")
    assert notice.recipient == person
    _subject, text, _html = render(notice, "ja")
    assert "ムーンショット目標6 公募" in text


def test_an_unfollowed_program_notifies_no_more(client, person):
    client.force_login(person)
    client.post("/ja/programs/moonshot/follow/")
    client.post("/ja/programs/moonshot/unfollow/")
    open_call(make_call(), actor=None)
    assert not Notification.objects.filter(kind="call.opened").exists()
