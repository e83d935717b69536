"""The settings page lists the programs the person follows, each with an unfollow button."""

from __future__ import annotations

import pytest

from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.notifications.models import Subscription
from openrd.notifications.services import subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(loaded_programs, client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_empty_state_says_how_to_follow(client, person):
    page = client.get("/ja/notifications/settings/").content.decode()
    assert "フォロー中のプログラム" in page
    assert "まだフォローしているプログラムはありません" in page
    assert 'action="/ja/notifications/settings/unfollow/"' not in page


def test_followed_programs_are_listed_by_name_with_their_page(client, person):
    client.post("/ja/programs/sbir/follow/")
    client.post("/ja/programs/moonshot/follow/")
    other = UserFactory()
    subscribe(other, "program:kprogram", actor=other)
    page = client.get("/ja/notifications/settings/").content.decode()
    assert '<a href="/ja/programs/moonshot/">ムーンショット型研究開発制度</a>' in page
    assert 'href="/ja/programs/sbir/"' in page
    assert 'value="program:sbir"' in page
    assert "program:kprogram" not in page  # someone else's
    assert "まだフォローしているプログラムはありません" not in page
    english = client.get("/en/notifications/settings/").content.decode()
    assert "Programs you follow" in english
    assert "Moonshot Research and Development Program" in english


def test_unfollow_from_the_settings_page(client, person):
    client.post("/ja/programs/sbir/follow/")
    response = client.post("/ja/notifications/settings/unfollow/", {"topic": "program:sbir"})
    assert response.status_code == 302
    assert response["Location"] == "/ja/notifications/settings/"
    assert not Subscription.objects.filter(user=person).exists()
    entry = AuditEntry.objects.get(action="notifications.unsubscribed")
    assert entry.actor == person
    page = client.get(response["Location"]).content.decode()
    assert "のフォローを解除しました。" in page


def test_unfollow_touches_only_ones_own_subscription(client, person):
    other = UserFactory()
    subscribe(other, "program:sbir", actor=other)
    client.post("/ja/notifications/settings/unfollow/", {"topic": "program:sbir"})
    assert Subscription.objects.filter(user=other, topic="program:sbir").exists()
    assert not AuditEntry.objects.filter(action="notifications.unsubscribed").exists()


def test_a_follow_of_a_removed_program_still_shows_and_can_be_unfollowed(client, person):
    subscribe(person, "program:retired", actor=person)
    page = client.get("/ja/notifications/settings/").content.decode()
    assert 'value="program:retired"' in page
    client.post("/ja/notifications/settings/unfollow/", {"topic": "program:retired"})
    assert not Subscription.objects.filter(user=person).exists()


def test_the_settings_page_and_unfollow_need_a_signed_in_person(loaded_programs, client):
    response = client.get("/ja/notifications/settings/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.post("/ja/notifications/settings/unfollow/").status_code == 302
    client.force_login(UserFactory())
    assert client.get("/ja/notifications/settings/unfollow/").status_code == 405
