import pytest
from django.urls import reverse
from django.utils import translation

from openrd.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _login(client, password, lang="ja"):
    with translation.override(lang):
        url = reverse("accounts:login")
    return client.post(url, {"username": "kenkyu", "password": password})


def test_login_with_right_password_signs_in(client):
    UserFactory(username="kenkyu")
    response = _login(client, "correct-horse-battery")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_login_with_wrong_password_shows_japanese_error(client):
    UserFactory(username="kenkyu")
    response = _login(client, "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "正しいユーザー名とパスワードを入力してください" in response.content.decode()


def test_login_is_throttled_after_five_failures_even_with_right_password(client, settings):
    UserFactory(username="kenkyu")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong")
    response = _login(client, "correct-horse-battery")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "ログインを一時的に停止" in response.content.decode()


def test_lockout_page_is_english_on_english_pages(client, settings):
    UserFactory(username="kenkyu")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", lang="en")
    response = _login(client, "wrong", lang="en")
    assert response.status_code == 429
    assert "temporarily locked" in response.content.decode()
