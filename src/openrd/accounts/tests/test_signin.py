"""Sign-in with allauth: self-sign-up with e-mail verification, password reset,
the pages in the site's frame in both languages."""

import re
import socket

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import translation

from openrd.accounts.models import User
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-new-passphrase-2026"


def _url(name, lang="ja", **kwargs):
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def _log_in(client, username, password):
    return client.post(_url("accounts:login"), {"username": username, "password": password})


def _link(message):
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_the_login_page_is_allauths_at_the_old_address_with_the_old_labels(client):
    response = client.get(_url("accounts:login"))
    page = response.content.decode()
    assert response.status_code == 200
    assert _url("accounts:login") == _url("account_login") == "/ja/accounts/login/"
    assert 'id="id_username"' in page
    assert 'name="username"' in page
    assert ">ユーザー名 <" in page
    assert ">パスワード <" in page
    assert ">ログイン</button>" in page
    assert 'class="site-header"' in page  # the site's own frame
    assert _url("account_signup") in page
    assert _url("account_reset_password") in page


def test_sign_up_needs_a_verified_address_before_signing_in(client):
    response = client.post(
        _url("account_signup"),
        {"email": "hanako@example.ac.jp", "username": "hanako",
         "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == _url("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    user = User.objects.get(username="hanako")
    assert EmailAddress.objects.get(user=user).verified is False
    (message,) = mail.outbox
    assert message.to == ["hanako@example.ac.jp"]

    # Not verified: the password alone does not sign in.
    response = _log_in(client, "hanako", NEW_PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response["Location"] == _url("account_email_verification_sent")

    confirm = _link(message)
    assert client.get(confirm).status_code == 200
    assert client.post(confirm).status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    assert _log_in(client, "hanako", NEW_PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.filter(action="accounts.login", actor=user).exists()


def test_a_taken_user_name_is_a_field_error_in_english(client):
    UserFactory(username="taro")
    response = client.post(
        _url("account_signup", "en"),
        {"email": "taro2@example.ac.jp", "username": "taro",
         "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )  # fmt: skip
    assert response.status_code == 200
    assert (
        "A user with that username already exists." in response.context["form"].errors["username"]
    )
    assert User.objects.filter(username="taro").count() == 1


def test_a_taken_address_is_not_revealed_and_its_owner_is_told(client):
    # Telling the visitor would let anyone test who has an account here.
    existing = UserFactory(username="taro", email="taro@example.ac.jp")
    EmailAddress.objects.create(user=existing, email=existing.email, verified=True, primary=True)
    response = client.post(
        _url("account_signup"),
        {"email": "taro@example.ac.jp", "username": "impostor",
         "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == _url("account_email_verification_sent")
    assert not User.objects.filter(username="impostor").exists()
    (message,) = mail.outbox
    assert message.to == ["taro@example.ac.jp"]


def test_an_account_with_its_address_on_record_is_verified_and_signs_in(client):
    # The data migration took addresses already on record as verified; so does this row.
    user = UserFactory(username="jiro", email="jiro@example.ac.jp")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    assert _log_in(client, "jiro", "correct-horse-battery").status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_by_email_sets_a_new_password(client):
    user = UserFactory(username="saburo", email="saburo@example.ac.jp")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(_url("account_reset_password"), {"email": "saburo@example.ac.jp"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "パスワード" in message.subject  # in the language of the page it was asked from
    response = client.get(_link(message))
    assert response.status_code == 302  # the key moves to the session, out of the address
    set_password = response["Location"]
    response = client.post(set_password, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    client.logout()
    assert _log_in(client, "saburo", "correct-horse-battery").status_code == 200
    assert _log_in(client, "saburo", NEW_PASSWORD).status_code == 302


def test_a_reset_for_an_unknown_address_reveals_nothing_and_changes_nothing(client):
    response = client.post(_url("account_reset_password"), {"email": "nobody@example.ac.jp"})
    assert response.status_code == 302  # the same answer as for a known address
    assert all("nobody@example.ac.jp" in m.to for m in mail.outbox)
    assert not any("password/reset/key" in m.body for m in mail.outbox)


def test_a_forged_reset_key_is_refused_with_a_message_and_400_not_a_500(client):
    user = UserFactory(username="shiro", email="shiro@example.ac.jp")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.get(f"/ja/accounts/password/reset/key/{user.pk}-forged/", follow=True)
    assert response.status_code == 400
    assert "リンクが不正です" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_a_used_reset_link_is_refused_with_400(client):
    user = UserFactory(username="goro", email="goro@example.ac.jp")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.post(_url("account_reset_password"), {"email": user.email})
    link = _link(mail.outbox[0])
    set_password = client.get(link)["Location"]
    client.post(set_password, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()
    response = client.get(link, follow=True)
    assert response.status_code == 400
    assert "リンクが不正です" in response.content.decode()


def test_an_unknown_confirmation_link_answers_404_with_a_message(client):
    response = client.get("/en/accounts/confirm-email/not-a-key/")
    assert response.status_code == 404
    assert "expired or is invalid" in response.content.decode()


@pytest.fixture
def mail_server_down(settings):
    """SMTP to a loopback port nothing listens on: every send is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }


def test_a_mail_server_that_does_not_answer_is_said_on_the_page_not_a_500(client, mail_server_down):
    user = UserFactory(username="rokuro", email="rokuro@example.ac.jp")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(_url("account_reset_password", "en"), {"email": user.email}, follow=True)
    assert response.status_code == 200
    assert "could not be sent just now" in response.content.decode()
    entry = AuditEntry.objects.get(action="accounts.mail.failed")
    assert entry.after == {"mail": "password_reset_key", "error": "ConnectionRefusedError"}


@pytest.mark.parametrize(("lang", "text"), [("ja", "パスワードの再設定"), ("en", "Password Reset")])
def test_allauth_pages_are_in_the_pages_language_inside_the_site_frame(client, lang, text):
    page = client.get(_url("account_reset_password", lang)).content.decode()
    assert text in page
    assert 'class="site-header"' in page
    assert f'<html lang="{lang}">' in page
