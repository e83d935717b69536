"""Disabling an account stops it at once; "my sessions" lists and ends sessions."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from openrd.accounts.models import Role
from openrd.accounts.services import disable_account, issue_api_token, resolve_token
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _signed_in_client(user, agent, addr):
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=addr)
    client.force_login(user)
    assert client.get("/ja/accounts/me/").status_code == 200  # the session is seen once
    return client


def test_disabling_ends_every_session_and_token_at_once_and_is_audited():
    user = UserFactory(roles=[Role.RESEARCHER])
    admin = UserFactory(is_staff=True)
    laptop = _signed_in_client(user, "Firefox on a laptop", "192.0.2.10")
    phone = _signed_in_client(user, "Safari on a phone", "198.51.100.7")
    token, secret = issue_api_token(user, name="script")
    assert resolve_token(secret) is not None

    disable_account(user, actor=admin)

    user.refresh_from_db()
    assert user.is_active is False
    assert not UserSession.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key=laptop.session.session_key).exists()
    for client in (laptop, phone):
        response = client.get("/ja/accounts/me/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert resolve_token(secret) is None
    entry = AuditEntry.objects.get(action="accounts.user.disabled")
    assert (entry.actor, entry.object_id) == (admin, str(user.pk))
    assert entry.after == {
        "is_active": False,
        "sessions_ended": 2,
        "tokens_revoked": [token.prefix],
    }
    assert secret not in str(entry.after)


def test_my_sessions_lists_device_and_address_and_ends_another_one():
    user = UserFactory(roles=[Role.RESEARCHER])
    laptop = _signed_in_client(user, "Firefox on a laptop", "192.0.2.10")
    phone = _signed_in_client(user, "Safari on a phone", "198.51.100.7")
    page = laptop.get(reverse("accounts:sessions")).content.decode()
    assert "Firefox on a laptop" in page
    assert "Safari on a phone" in page
    assert "192.0.2.10" in page
    assert "198.51.100.7" in page
    assert "この端末" in page or "このセッション" in page

    other = UserSession.objects.get(user=user, user_agent="Safari on a phone")
    response = laptop.post(reverse("accounts:session_end", args=[other.pk]))
    assert response.status_code == 302
    assert phone.get("/ja/accounts/me/").status_code == 302  # signed out over there
    assert laptop.get("/ja/accounts/me/").status_code == 200  # still signed in here
    entry = AuditEntry.objects.get(action="accounts.session.ended")
    assert entry.after == {"ip": "198.51.100.7", "user_agent": "Safari on a phone"}


def test_another_persons_session_cannot_be_ended():
    owner = UserFactory()
    _signed_in_client(owner, "Firefox", "192.0.2.10")
    theirs = UserSession.objects.get(user=owner)
    intruder = _signed_in_client(UserFactory(), "Chrome", "203.0.113.5")
    assert intruder.post(reverse("accounts:session_end", args=[theirs.pk])).status_code == 404
    assert UserSession.objects.filter(pk=theirs.pk).exists()


def test_a_sign_in_through_the_page_records_the_session(client):
    UserFactory(username="kenkyu")
    client.post("/ja/accounts/login/", {"username": "kenkyu", "password": "correct-horse-battery"},
                HTTP_USER_AGENT="Edge", REMOTE_ADDR="192.0.2.99")  # fmt: skip
    session = UserSession.objects.get()
    assert (session.ip, session.user_agent) == ("192.0.2.99", "Edge")
