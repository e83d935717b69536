"""ORCID sign-in and linking through allauth, against mocked ORCID endpoints."""

import json
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from django.utils import translation

from openrd.accounts.models import Role
from openrd.accounts.services import update_profile
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ORCID = "0000-0002-1825-0097"


@pytest.fixture(autouse=True)
def orcid_app(settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "orcid": {"APPS": [{"client_id": "APP-TEST", "secret": "s3cret"}], "MEMBER_API": False}
    }


def _response(payload):
    response = requests.Response()
    response.status_code = 200
    response.headers["content-type"] = "application/json"
    response._content = json.dumps(payload).encode()
    return response


def _orcid_endpoints(calls):
    """The token and record endpoints of ORCID; nothing leaves the machine."""

    def request(self, method, url, *args, **kwargs):
        calls.append((method, url))
        if url.endswith("/oauth/token"):
            return _response({"access_token": "tok", "token_type": "bearer", "orcid": ORCID,
                              "name": "Josiah Carberry", "expires_in": 3600})  # fmt: skip
        assert url.endswith(f"/v3.0/{ORCID}/record")
        return _response({"orcid-identifier": {"path": ORCID, "uri": f"https://orcid.org/{ORCID}"},
                          "person": {"name": {"given-names": {"value": "Josiah"},
                                              "family-name": {"value": "Carberry"}}}})  # fmt: skip

    return mock.patch.object(requests.Session, "request", request)


def _url(name, lang="ja"):
    with translation.override(lang):
        return reverse(name)


def _start_link(client):
    response = client.post(_url("orcid_login"), {"process": "connect"})
    assert response.status_code == 302
    authorize = urlparse(response["Location"])
    assert (authorize.netloc, authorize.path) == ("orcid.org", "/oauth/authorize")
    return parse_qs(authorize.query)["state"][0]


def test_linking_orcid_verifies_the_id_on_the_account(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(user)
    state = _start_link(client)
    calls = []
    with _orcid_endpoints(calls):
        response = client.get(_url("orcid_callback"), {"code": "abc", "state": state})
    assert response.status_code == 302
    assert [m for m, _ in calls] == ["POST", "GET"]
    user.refresh_from_db()
    assert (user.orcid, user.orcid_verified) == (ORCID, True)
    assert SocialAccount.objects.get(user=user).uid == ORCID
    entry = AuditEntry.objects.get(action="accounts.orcid.verified")
    assert entry.after == {"orcid": ORCID, "orcid_verified": True}


def test_a_typed_id_stays_unverified_and_typing_over_a_verified_one_unverifies_it():
    user = UserFactory()
    update_profile(user, actor=user, orcid=ORCID)
    user.refresh_from_db()
    assert (user.orcid, user.orcid_verified) == (ORCID, False)
    user.orcid_verified = True
    user.save()
    update_profile(user, actor=user, orcid="0000-0001-5109-3700")
    user.refresh_from_db()
    assert user.orcid_verified is False


def test_the_proven_owner_takes_the_id_over_someone_elses_typed_claim(client):
    squatter = UserFactory()
    update_profile(squatter, actor=squatter, orcid=ORCID)
    owner = UserFactory()
    client.force_login(owner)
    state = _start_link(client)
    with _orcid_endpoints([]):
        client.get(_url("orcid_callback"), {"code": "abc", "state": state})
    owner.refresh_from_db()
    squatter.refresh_from_db()
    assert (owner.orcid, owner.orcid_verified) == (ORCID, True)
    assert squatter.orcid is None
    assert AuditEntry.objects.filter(action="accounts.orcid.claim_dropped").count() == 1


def test_a_callback_with_a_forged_state_is_refused_and_audited(client):
    user = UserFactory()
    client.force_login(user)
    _start_link(client)
    calls = []
    with _orcid_endpoints(calls):
        response = client.get(_url("orcid_callback"), {"code": "abc", "state": "forged"})
    assert response.status_code == 401
    assert "連携や変更は行われていません" in response.content.decode()
    assert calls == []  # no code was exchanged
    user.refresh_from_db()
    assert (user.orcid, user.orcid_verified) == (None, False)
    assert not SocialAccount.objects.exists()
    entry = AuditEntry.objects.get(action="accounts.social.failed")
    assert (entry.actor, entry.after["provider"]) == (user, "orcid")


def test_the_account_page_offers_linking_orcid(client):
    client.force_login(UserFactory())
    page = client.get(_url("accounts:profile")).content.decode()
    assert _url("socialaccount_connections") in page


def test_the_login_page_offers_orcid_only_when_an_app_is_configured(client, settings):
    assert "ORCIDでログイン" in client.get(_url("accounts:login")).content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = {}
    assert "ORCIDでログイン" not in client.get(_url("accounts:login")).content.decode()


def test_signing_in_with_a_linked_orcid_signs_that_person_in_once_verified(client):
    user = UserFactory(roles=[Role.RESEARCHER])
    client.force_login(user)
    state = _start_link(client)
    with _orcid_endpoints([]):
        client.get(_url("orcid_callback"), {"code": "abc", "state": state})
    client.logout()

    response = client.post(_url("orcid_login"), {"process": "login"})
    state = parse_qs(urlparse(response["Location"]).query)["state"][0]
    with _orcid_endpoints([]):
        response = client.get(_url("orcid_callback"), {"code": "def", "state": state})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEntry.objects.filter(action="accounts.login", actor=user).exists()
    # Signing in again with the same iD is not a new verification.
    assert AuditEntry.objects.filter(action="accounts.orcid.verified").count() == 1
