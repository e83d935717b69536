import datetime as dt
import json

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db

RIGHT = "correct-horse-battery"


def _login(client, password, lang="ja", username="kenkyu", addr="127.0.0.1", **extra):
    with translation.override(lang):
        url = reverse("accounts:login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=addr, **extra)


def _lock_out(client, settings, addr="127.0.0.1", lang="ja"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", addr=addr, lang=lang)


def _let_time_pass(minutes):
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


def test_login_with_right_password_signs_in(client):
    UserFactory(username="kenkyu")
    response = _login(client, RIGHT)
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
    _lock_out(client, settings)
    response = _login(client, RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "ログインを一時的に停止" in page
    assert "15分後にもう一度お試しください" in page


def test_lockout_page_is_english_on_english_pages(client, settings):
    UserFactory(username="kenkyu")
    _lock_out(client, settings, lang="en")
    response = _login(client, "wrong", lang="en")
    assert response.status_code == 429
    page = response.content.decode()
    assert "temporarily locked" in page
    assert "try again in 15 minutes" in page


def test_spraying_twenty_user_names_from_one_address_is_stopped(client, settings):
    UserFactory(username="kenkyu")
    assert settings.OPENRD_LOGIN_ADDRESS_FAILURE_LIMIT <= 20
    statuses = [
        _login(client, "Spring2026!", username=f"user{i}", addr="203.0.113.7").status_code
        for i in range(20)
    ]
    limit = settings.OPENRD_LOGIN_ADDRESS_FAILURE_LIMIT
    # Each name failed once only, far below the per-name limit: the address is what stops.
    assert statuses == [200] * (limit - 1) + [429] * (20 - limit + 1)
    assert _login(client, RIGHT, addr="203.0.113.7").status_code == 429
    assert "_auth_user_id" not in client.session
    # The rest of the world is not locked out.
    assert _login(client, RIGHT, addr="198.51.100.20").status_code == 302


def test_a_user_locked_from_one_address_logs_in_from_another(client, settings):
    UserFactory(username="kenkyu")
    _lock_out(client, settings, addr="203.0.113.7")
    assert _login(client, RIGHT, addr="203.0.113.7").status_code == 429
    assert _login(client, RIGHT, addr="198.51.100.20").status_code == 302
    assert client.session["_auth_user_id"]


def test_a_successful_login_does_not_reset_the_address_count(client, settings):
    # Otherwise a sprayer would log into an account of their own between rounds.
    UserFactory(username="kenkyu")
    UserFactory(username="attacker")
    limit = settings.OPENRD_LOGIN_ADDRESS_FAILURE_LIMIT
    for i in range(limit - 1):
        _login(client, "wrong", username=f"user{i}", addr="203.0.113.7")
    assert _login(client, RIGHT, username="attacker", addr="203.0.113.7").status_code == 302
    client.logout()
    assert _login(client, "wrong", username="victim", addr="203.0.113.7").status_code == 429


def test_the_cool_off_doubles_with_each_lock_out_of_the_address(client, settings):
    UserFactory(username="kenkyu")
    _lock_out(client, settings)
    _let_time_pass(16)
    assert _login(client, RIGHT).status_code == 302  # first lock-out: 15 minutes
    client.logout()
    _lock_out(client, settings)
    response = _login(client, RIGHT)
    assert response.status_code == 429
    assert "30分後" in response.content.decode()
    _let_time_pass(16)
    # Second lock-out: 30 minutes (and a retry while locked starts them again).
    assert _login(client, RIGHT).status_code == 429
    _let_time_pass(29)
    assert _login(client, RIGHT).status_code == 429
    _let_time_pass(31)
    assert _login(client, RIGHT).status_code == 302
    assert AuditEntry.objects.filter(action="accounts.login.locked_out").count() == 2


def test_logins_logouts_and_failures_are_audited_with_the_address(client):
    user = UserFactory(username="kenkyu")
    _login(client, "not-the-password", addr="192.0.2.50")
    _login(client, RIGHT, addr="192.0.2.50")
    with translation.override("ja"):
        client.post(reverse("accounts:logout"), REMOTE_ADDR="192.0.2.50")
    failed, login, logout = AuditEntry.objects.order_by("seq")
    assert (failed.action, failed.actor, failed.ip_address) == (
        "accounts.login.failed", None, "192.0.2.50",
    )  # fmt: skip
    assert failed.after == {"username": "kenkyu"}
    assert "not-the-password" not in json.dumps([failed.before, failed.after, failed.object_repr])
    assert (login.action, login.actor, login.ip_address) == ("accounts.login", user, "192.0.2.50")
    assert (logout.action, logout.actor) == ("accounts.logout", user)


def test_a_lock_out_is_audited_once_and_retries_are_bounded(client, settings):
    UserFactory(username="kenkyu")
    _lock_out(client, settings, addr="192.0.2.51")
    for _ in range(30):
        _login(client, "wrong", addr="192.0.2.51")
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions.count("accounts.login.locked_out") == 1
    assert actions.count("accounts.login.failed") == settings.AXES_FAILURE_LIMIT
    assert actions.count("accounts.login.refused") == 1


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled_and_audited(client, settings):
    settings.OPENRD_TRUSTED_PROXIES = ["10.0.0.0/8"]
    UserFactory(username="kenkyu")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", addr="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.60")
    # Another client behind the same proxy is not the one locked out.
    other = _login(client, RIGHT, addr="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.61")
    assert other.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.60"}
    failed = AuditEntry.objects.filter(action="accounts.login.failed")
    assert set(failed.values_list("ip_address", flat=True)) == {"192.0.2.60"}


def test_cool_off_grows_per_lock_out_of_the_address_up_to_a_day():
    from django.test import RequestFactory

    from openrd.accounts.throttling import LOCKED_OUT, cool_off
    from openrd.core import audit

    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.70")
    elsewhere = RequestFactory().post("/", REMOTE_ADDR="192.0.2.71")
    minutes = []
    for _ in range(9):
        minutes.append(cool_off(request) / dt.timedelta(minutes=1))
        audit.record(LOCKED_OUT, request=request)
    assert minutes == [15, 15, 30, 60, 120, 240, 480, 960, 1440]
    assert cool_off(elsewhere) == dt.timedelta(minutes=15)
