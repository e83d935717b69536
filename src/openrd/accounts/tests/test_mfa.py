"""A second factor for privileged roles: enforced at sign-in and asked again
before sensitive steps; wrong or reused codes are refused and audited."""

import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
)
from django.urls import reverse
from django.utils import translation

from openrd.accounts.models import ApiToken, Role
from openrd.accounts.services import set_up_totp
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _url(name, lang="ja", **kwargs):
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def _code(secret, offset=0):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def _officer(**kwargs):
    return UserFactory(roles=[Role.INSTITUTION_OFFICER], **kwargs)


def test_a_privileged_person_without_mfa_is_sent_to_set_it_up(client, sign_in_without_mfa):
    sign_in_without_mfa(client, _officer())
    for path in ["/ja/", "/ja/proposals/", "/ja/accounts/me/", "/ja/accounts/me/sessions/"]:
        response = client.get(path)
        assert (path, response.status_code, response["Location"]) == (
            path, 302, _url("mfa_activate_totp"),
        )  # fmt: skip
    assert client.post(_url("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("roles", [[Role.AGENCY_STAFF], [Role.REVIEWER], [Role.MINISTRY]])
def test_every_privileged_role_and_superusers_need_mfa(client, sign_in_without_mfa, roles):
    sign_in_without_mfa(client, UserFactory(roles=roles))
    assert client.get("/ja/").status_code == 302
    client.logout()
    sign_in_without_mfa(client, UserFactory(is_superuser=True))
    assert client.get("/ja/").status_code == 302


def test_a_researcher_needs_no_second_factor(client, sign_in_without_mfa):
    sign_in_without_mfa(client, UserFactory(roles=[Role.RESEARCHER]))
    assert client.get("/ja/accounts/me/").status_code == 200


def test_setting_up_totp_opens_the_site_and_is_audited(client, django_capture_on_commit_callbacks):
    officer = _officer(username="tanaka")
    assert client.post(_url("accounts:login"), {"username": "tanaka", "password": PASSWORD}
                       ).status_code == 302  # fmt: skip
    activate = _url("mfa_activate_totp")
    response = client.get("/ja/proposals/")
    assert response["Location"] == activate
    # The password was typed a moment ago: setting up a factor does not ask for it again.
    assert client.get(activate).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(activate, {"code": "000000" if _code(secret) != "000000" else "111111"})
    assert response.status_code == 200
    assert "このコードは誤っているか、すでに使用されています" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # allauth audits after commit
        response = client.post(activate, {"code": _code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=officer, type="totp").exists()
    assert AuditEntry.objects.filter(action="accounts.mfa.added", actor=officer).exists()
    assert client.get("/ja/proposals/").status_code == 200


def test_sign_in_with_totp_refuses_wrong_and_reused_codes_with_an_audit_entry(client):
    officer = _officer(username="suzuki")
    set_up_totp(officer, secret=SECRET)
    response = client.post(_url("accounts:login"), {"username": "suzuki", "password": PASSWORD})
    assert response["Location"] == _url("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not signed in before the second factor
    wrong = "000000" if _code(SECRET) != "000000" else "111111"
    response = client.post(_url("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "このコードは誤っているか、すでに使用されています" in response.content.decode()
    assert "_auth_user_id" not in client.session
    code = _code(SECRET)
    assert client.post(_url("mfa_authenticate"), {"code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert client.get("/ja/proposals/").status_code == 200

    # The same code a second time (someone who watched it typed) is refused.
    client.post(_url("accounts:logout"))
    client.post(_url("accounts:login"), {"username": "suzuki", "password": PASSWORD})
    response = client.post(_url("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    actions = list(AuditEntry.objects.filter(actor=officer).values_list("action", flat=True))
    assert actions.count("accounts.mfa.failed") == 2
    assert actions.count("accounts.login") == 1
    assert code not in str(list(AuditEntry.objects.values_list("after", flat=True)))


def test_a_privileged_person_cannot_remove_the_second_factor(client):
    officer = _officer()
    set_up_totp(officer, secret=SECRET)
    client.force_login(officer)
    response = client.post(_url("mfa_deactivate_totp"), {"code": _code(SECRET)})
    assert Authenticator.objects.filter(user=officer, type="totp").exists()
    assert response.status_code in {200, 302}


def test_a_privileged_person_with_a_security_key_too_may_remove_the_app(client):
    officer = _officer()
    set_up_totp(officer, secret=SECRET)
    Authenticator.objects.create(
        user=officer, type=Authenticator.Type.WEBAUTHN, data={"name": "USB", "credential": {}}
    )
    client.force_login(officer)
    response = client.post(_url("mfa_deactivate_totp"), {"code": _code(SECRET)})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=officer, type="totp").exists()
    assert AuditEntry.objects.filter(
        action="accounts.mfa.removed", actor=officer, after={"type": "totp"}
    ).exists()


def _signed_in_long_ago(client, user):
    """Signed in with both factors, but more than the reauthentication timeout ago."""
    client.force_login(user)
    session = client.session
    long_ago = time.time() - 3600
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": long_ago, "username": user.username},
        {"method": "mfa", "at": long_ago, "type": "totp"},
    ]
    session.save()


def test_issuing_a_token_asks_for_the_password_again_then_issues_it(client):
    user = UserFactory(username="yamada", roles=[Role.RESEARCHER])
    _signed_in_long_ago(client, user)
    data = {"name": "分析用", "scope": "read", "expires_in_days": "30"}
    response = client.post("/ja/accounts/me/tokens/", data)
    assert response.status_code == 302
    assert response["Location"].startswith(_url("account_reauthenticate"))
    assert not ApiToken.objects.exists()
    # Confirming carries out the request that was interrupted, as typed.
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 200
    assert ApiToken.objects.get(user=user).name == "分析用"
    assert response["Cache-Control"] == "no-store"


def test_endorsing_or_returning_asks_again_after_a_while(client):
    officer = _officer()
    set_up_totp(officer, secret=SECRET)
    _signed_in_long_ago(client, officer)
    response = client.post("/ja/proposals/999999/endorse/", {"decision": "endorse"})
    assert response.status_code == 302
    assert response["Location"].startswith(_url("account_reauthenticate"))
    # Confirmed with the second factor: the step goes ahead (here: a proposal that does not exist).
    response = client.post(
        f"{_url('mfa_reauthenticate')}?next=/ja/proposals/999999/endorse/",
        {"code": _code(SECRET)},
    )
    assert response.status_code == 404


def test_a_fresh_sign_in_counts_as_the_confirmation_until_it_is_old(client):
    officer = _officer(username="sato")
    set_up_totp(officer, secret=SECRET)
    client.post(_url("accounts:login"), {"username": "sato", "password": PASSWORD})
    assert client.post(_url("mfa_authenticate"), {"code": _code(SECRET)}).status_code == 302
    # Just signed in with both factors: the step goes ahead (a proposal that does not exist).
    response = client.post("/ja/proposals/999999/endorse/", {"decision": "endorse"})
    assert response.status_code == 404
    # The same sign-in, older than the timeout: asked again.
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**r, "at": time.time() - 3600} for r in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()
    response = client.post("/ja/proposals/999999/endorse/", {"decision": "endorse"})
    assert response["Location"].startswith(_url("account_reauthenticate"))


def test_an_anonymous_endorsement_is_not_sent_to_reauthenticate(client):
    response = client.post("/ja/proposals/999999/endorse/", {"decision": "endorse"})
    assert not response.get("Location", "").startswith(_url("account_reauthenticate"))
