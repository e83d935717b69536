"""A security key as the second factor, in a real browser with Chromium's
virtual authenticator (WebAuthn over the DevTools protocol; no hardware)."""

import pytest
from allauth.mfa.models import Authenticator

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


@pytest.fixture
def security_key(page):
    """A USB security key plugged into the page's browser, touched at every ask."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def _sign_in(page, base):
    page.goto(f"{base}/ja/accounts/login/")
    page.fill("#id_username", "kagi")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_an_officer_adds_a_security_key_and_signs_in_with_it(page, site, security_key, settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks plain http
    cdp, authenticator_id = security_key
    user = UserFactory(username="kagi", roles=[Role.INSTITUTION_OFFICER])
    # WebAuthn takes a domain, not an IP address, as the relying party: localhost.
    base = site.url.replace("127.0.0.1", "localhost")

    # First sign-in: a privileged person must set up a second factor first.
    _sign_in(page, base)
    # The password typed a moment ago counts: no second "confirm your password".
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    page.goto(f"{base}/ja/accounts/2fa/webauthn/add/")
    page.wait_for_function("window.allauth !== undefined")
    page.fill("#id_name", "USB キー")
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    key = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "USB キー"
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1
    assert AuditEntry.objects.filter(
        action="accounts.mfa.added", after={"type": "webauthn"}
    ).exists()

    # Next time: the password, then the key, and the person is in.
    page.goto(f"{base}/ja/accounts/logout/")
    page.locator("#main").get_by_role("button", name="ログアウト").click()
    _sign_in(page, base)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.wait_for_function("window.allauth !== undefined")
    page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(lambda url: "/2fa/" not in url)
    page.goto(f"{base}/ja/accounts/me/")
    assert page.locator("h1").inner_text() != ""
    assert "/2fa/" not in page.url  # reached, not sent back to the second factor
    assert AuditEntry.objects.filter(action="accounts.login", actor=user).count() == 2
