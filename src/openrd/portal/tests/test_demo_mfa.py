"""Privileged demo accounts sign in with one published TOTP secret, in debug only."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from openrd.core.models import AuditEntry
from openrd.portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo

pytestmark = pytest.mark.django_db

PRIVILEGED = {"admin", "ministry", "agency", "nedo", "pd", "pm", "reviewer", "officer",
              "startup-officer", "startup-b-officer", "startup-c-officer", "integrity",
              "reviewer-b", "curator"}  # fmt: skip


def _with_totp():
    return set(Authenticator.objects.filter(type="totp").values_list("user__username", flat=True))


def test_in_debug_privileged_demo_accounts_get_the_demo_secret_once(settings):
    settings.DEBUG = True
    load_demo()
    assert _with_totp() == PRIVILEGED
    assert (
        set(
            Authenticator.objects.filter(type="recovery_codes").values_list(
                "user__username", flat=True
            )
        )
        == PRIVILEGED
    )
    entries = AuditEntry.objects.count()
    load_demo()  # on every start: nothing new
    assert AuditEntry.objects.count() == entries


def test_a_demo_officer_signs_in_with_the_readme_code(client, settings):
    settings.DEBUG = True
    load_demo()
    client.post("/ja/accounts/login/", {"username": "officer", "password": DEMO_PASSWORD})
    # How the README computes the code, with the standard library only.
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))
    assert client.post("/ja/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    assert client.get("/ja/proposals/").status_code == 200


def test_without_debug_no_secret_is_set_up():
    load_demo()
    assert _with_totp() == set()
