"""SAML sign-in (GakuNin, institutional IdPs) against an in-process pysaml2 IdP.

Each test makes a real round trip: OpenRD's login address redirects with an
AuthnRequest, the test IdP parses it and answers with a signed Response that
the browser (the test client) posts to OpenRD's ACS.
"""

from __future__ import annotations

import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers import registry
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string

from openrd.accounts import saml_attributes as attrs
from openrd.accounts.models import (
    Affiliation,
    AffiliationKind,
    ConsumedSAMLAssertion,
    Role,
    User,
)
from openrd.accounts.saml import OpenRDSAMLProvider
from openrd.accounts.saml_config import app_from_entry, load_saml_apps
from openrd.accounts.security import set_up_totp
from openrd.accounts.tests.factories import OrganisationFactory, UserFactory
from openrd.accounts.tests.saml_idp import ENTITY_ID, SSO_URL, TestIdP, make_key_pair
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SLUG = "example-u"
EPPN = "taro.yamada@example.ac.jp"
MAIL = "taro.yamada@example.ac.jp"


def identity(**overrides: list[str]) -> dict[str, list[str]]:
    """What a GakuNin IdP releases: eduPerson by friendly name (sent under OIDs), jaNames by OID."""
    values = {
        "eduPersonPrincipalName": [EPPN],
        "mail": [MAIL],
        "givenName": ["Taro"],
        "sn": ["Yamada"],
        "displayName": ["Taro Yamada"],
        attrs.JA_SURNAME: ["山田"],
        attrs.JA_GIVEN_NAME: ["太郎"],
        "eduPersonAffiliation": ["member", "faculty"],
        "eduPersonScopedAffiliation": ["faculty@example.ac.jp"],
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v}


def _url(name: str, lang: str = "ja", **kwargs: str) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs or None)


def _idp_entry(keys, **overrides):
    entry = {
        "slug": SLUG,
        "name_ja": "例大学",
        "name_en": "Example University",
        "entity_id": ENTITY_ID,
        "sso_url": SSO_URL,
        "x509cert": keys.cert_base64,
        "organisation": "example-u",
        "scopes": ["example.ac.jp"],
        "email_verified": True,
        "gakunin": True,
    }
    entry.update(overrides)
    return entry


@pytest.fixture
def configure(settings, monkeypatch):
    """Configure the given IdP entries as settings apps (as OPENRD_SAML_IDPS would)."""
    # The registry is loaded once per process, from whatever settings were in
    # force then; another test module may have replaced SOCIALACCOUNT_PROVIDERS.
    registry.load()
    monkeypatch.setitem(registry.provider_map, "saml", OpenRDSAMLProvider)

    def apply(*entries):
        settings.SOCIALACCOUNT_PROVIDERS = {
            "saml": {
                "provider_class": "openrd.accounts.saml.OpenRDSAMLProvider",
                "APPS": [app_from_entry(e) for e in entries],
            }
        }

    return apply


HOST = "openrd.example.jp"


@pytest.fixture
def client(settings):
    # python3-saml refuses single-label hosts ("testserver") in SP addresses.
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    return Client(HTTP_HOST=HOST)


@pytest.fixture
def keys(tmp_path):
    return make_key_pair(tmp_path)


@pytest.fixture
def idp(configure, keys, client):
    configure(_idp_entry(keys))
    OrganisationFactory(code="example-u", name_ja="例大学", name_en="Example University")
    metadata = client.get(_url("saml_metadata", organization_slug=SLUG))
    assert metadata.status_code == 200
    return TestIdP(keys, metadata.content.decode())


def start(client, lang: str = "ja"):
    """Press "sign in with the institution": OpenRD redirects to the IdP."""
    response = client.post(_url("saml_login", lang, organization_slug=SLUG), {"process": "login"})
    assert response.status_code == 302
    assert response["Location"].startswith(SSO_URL + "?SAMLRequest=")
    return response["Location"]


def post(client, saml_response: str, slug: str = SLUG):
    """The browser posts the IdP's answer to the ACS; allauth finishes on the next GET."""
    response = client.post(
        _url("saml_acs", organization_slug=slug), {"SAMLResponse": saml_response}
    )
    if response.status_code != 302 or "/acs/finish/" not in response["Location"]:
        return response
    return client.get(response["Location"])


def sign_in(client, idp, **identity_overrides):
    request = idp.parse(start(client))
    return post(client, idp.respond(request, identity(**identity_overrides)))


def signed_in_user(client):
    pk = client.session.get("_auth_user_id")
    return User.objects.get(pk=pk) if pk else None


def assert_refused(response, status, message, error):
    assert response.status_code == status
    assert message in response.content.decode()
    assert "何も連携・変更されていません" in response.content.decode()
    entry = AuditEntry.objects.filter(action="accounts.social.failed").latest("seq")
    assert (entry.after["provider"], entry.after["error"]) == ("saml", error)
    # The kind of failure and python3-saml's one-line reason; never the response.
    recorded = str(entry.after)
    assert len(recorded) < 600
    for fragment in ("<saml", "PD94", "PHNhbW"):  # XML, base64 of "<?xml" and of "<saml"
        assert fragment not in recorded
    return entry


# --- the round trip -------------------------------------------------------------


def test_the_authn_request_is_for_the_ja_acs_and_asks_for_a_transient_name_id(client, idp):
    request = idp.parse(start(client, lang="en"))
    # One ACS address whatever the page language: the one in the SP metadata.
    assert request.acs_url == f"http://{HOST}" + _url("saml_acs", organization_slug=SLUG)
    assert request.sp_entity_id == "http://127.0.0.1:8000/saml/sp"
    assert request.name_id_format == "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"


def test_a_new_person_gets_an_account_just_in_time_with_the_attributes_mapped(client, idp):
    response = sign_in(client, idp)
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user is not None
    assert (user.eppn, user.email) == (EPPN, MAIL)
    assert (user.first_name, user.last_name) == ("Taro", "Yamada")
    assert (user.name_en, user.name_ja) == ("Taro Yamada", "山田太郎")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified  # the IdP vouches for it
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (ENTITY_ID, EPPN)
    affiliation = Affiliation.objects.get(person=user)
    assert (affiliation.organisation.code, affiliation.kind) == (
        "example-u",
        AffiliationKind.PRIMARY,
    )
    assert affiliation.is_paid
    created = AuditEntry.objects.get(action="accounts.saml.account_created")
    assert created.after == {"idp": SLUG, "eppn": EPPN, "email_verified": True,
                             "affiliation": "primary"}  # fmt: skip
    assert AuditEntry.objects.filter(action="accounts.login", actor=user).exists()

    # The next sign-in is the same account, and adds nothing.
    client.logout()
    sign_in(client, idp)
    assert signed_in_user(client) == user
    assert User.objects.count() == 1
    assert Affiliation.objects.count() == 1


def test_a_student_is_recorded_as_a_visiting_unpaid_position(client, idp):
    sign_in(client, idp, eduPersonAffiliation=["student"],
            eduPersonScopedAffiliation=["student@example.ac.jp"])  # fmt: skip
    affiliation = Affiliation.objects.get(person=signed_in_user(client))
    assert (affiliation.kind, affiliation.is_paid) == (AffiliationKind.VISITING, False)


def test_an_address_the_idp_does_not_vouch_for_must_be_verified_first(client, configure, keys):
    configure(_idp_entry(keys, email_verified=False))
    metadata = client.get(_url("saml_metadata", organization_slug=SLUG)).content.decode()
    idp = TestIdP(keys, metadata)
    response = sign_in(client, idp)
    user = User.objects.get(eppn=EPPN)
    assert not EmailAddress.objects.get(user=user).verified
    assert signed_in_user(client) is None  # sent to "confirm your address"
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]


def test_an_existing_person_with_that_verified_address_is_linked(client, idp):
    user = UserFactory(email=MAIL)
    EmailAddress.objects.create(user=user, email=MAIL, verified=True, primary=True)
    sign_in(client, idp)
    assert signed_in_user(client) == user
    assert User.objects.count() == 1
    assert SocialAccount.objects.get(uid=EPPN).user == user
    user.refresh_from_db()
    assert user.eppn == EPPN
    assert user.has_usable_password()  # their password still works
    linked = AuditEntry.objects.get(action="accounts.saml.linked")
    assert (linked.after["by"], linked.after["idp"]) == ("email", SLUG)


def test_an_unverified_address_never_links(client, idp):
    claimant = UserFactory(email=MAIL)
    EmailAddress.objects.create(user=claimant, email=MAIL, verified=False, primary=True)
    response = sign_in(client, idp)
    assert signed_in_user(client) != claimant
    assert not SocialAccount.objects.filter(user=claimant).exists()
    assert not AuditEntry.objects.filter(action="accounts.saml.linked").exists()
    claimant.refresh_from_db()
    assert claimant.eppn is None
    # The address is taken: allauth (guarding against account enumeration)
    # mails its owner and shows "check your mail"; no second account is made.
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert User.objects.count() == 1
    assert not SocialAccount.objects.exists()


def test_an_existing_person_with_that_eppn_is_linked_whatever_the_address(client, idp):
    user = UserFactory(email="yamada@old.example.jp")
    user.eppn = EPPN
    user.save()
    sign_in(client, idp)
    assert signed_in_user(client) == user
    assert AuditEntry.objects.get(action="accounts.saml.linked").after["by"] == "eppn"
    assert SocialAccount.objects.get(uid=EPPN).user == user


def test_a_privileged_person_still_faces_the_second_factor(client, idp):
    staff = UserFactory(roles=[Role.AGENCY_STAFF])
    staff.eppn = EPPN
    staff.save()
    set_up_totp(staff, secret="JBSWY3DPEHPK3PXP")
    response = sign_in(client, idp)
    assert response.status_code == 302
    assert response["Location"] == _url("mfa_authenticate")
    assert signed_in_user(client) is None  # not until the code is entered


def test_a_privileged_person_without_totp_is_sent_to_set_it_up(client, idp):
    staff = UserFactory(roles=[Role.AGENCY_STAFF])
    staff.eppn = EPPN
    staff.save()
    sign_in(client, idp)
    assert signed_in_user(client) == staff
    home = client.get(_url("portal:home"))
    assert home.status_code == 302
    assert home["Location"].startswith(_url("mfa_activate_totp"))


# --- refused answers ------------------------------------------------------------


def _nothing_created():
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_a_signature_by_another_key_is_refused(client, idp, tmp_path):
    impostor = TestIdP(make_key_pair(tmp_path, "impostor"), _sp_metadata(client))
    request = idp.parse(start(client))
    response = post(client, impostor.respond(request, identity()))
    entry = assert_refused(response, 401, "署名", "signature")
    assert "Signature validation failed" in entry.after["reason"]
    _nothing_created()


def test_a_tampered_assertion_is_refused(client, idp):
    import base64

    request = idp.parse(start(client))
    xml = base64.b64decode(idp.respond(request, identity())).decode()
    forged = xml.replace(EPPN, "hanako.suzuki@example.ac.jp")
    assert forged != xml
    response = post(client, base64.b64encode(forged.encode()).decode())
    assert_refused(response, 401, "署名", "signature")
    _nothing_created()


def test_an_unsigned_assertion_is_refused(client, idp):
    request = idp.parse(start(client))
    response = post(client, idp.respond(request, identity(), sign_assertion=False))
    assert_refused(response, 401, "署名", "signature")
    _nothing_created()


def test_an_answer_meant_for_another_site_is_refused(client, idp):
    request = idp.parse(start(client))
    response = post(client, idp.respond(request, identity(), audience="https://other.example/sp"))
    assert_refused(response, 401, "別のサイト", "audience")
    _nothing_created()


def test_an_expired_answer_is_refused(client, idp):
    request = idp.parse(start(client))
    answer = idp.respond(request, identity())
    later = time.time() + 3600  # the IdP gave it 5 minutes
    with mock.patch("onelogin.saml2.utils.OneLogin_Saml2_Utils.now", return_value=int(later)):
        response = post(client, answer)
    assert_refused(response, 401, "有効期限", "expired")
    _nothing_created()


def test_the_same_answer_posted_twice_is_refused(client, idp):
    request = idp.parse(start(client))
    answer = idp.respond(request, identity())
    assert post(client, answer).status_code == 302
    user = signed_in_user(client)
    client.logout()
    response = post(client, answer)
    assert_refused(response, 401, "既に使われています", "replay")
    assert signed_in_user(client) is None
    assert User.objects.get() == user
    assert ConsumedSAMLAssertion.objects.count() == 1


def test_an_answer_to_a_request_of_another_browser_is_refused(client, idp, django_user_model):
    from django.test import Client

    other = Client(HTTP_HOST=HOST)
    request = idp.parse(start(other))
    response = post(client, idp.respond(request, identity()))
    assert_refused(response, 401, "ここで開始された", "unsolicited")
    _nothing_created()


def test_an_unsolicited_answer_is_refused(client, idp):
    start(client)
    request = idp.parse(start(client))
    unsolicited = idp.respond(None, identity(), acs_url=request.acs_url,
                              audience=request.sp_entity_id)  # fmt: skip
    response = post(client, unsolicited)
    assert_refused(response, 401, "ここで開始された", "unsolicited")
    _nothing_created()


@pytest.mark.parametrize("garbage", ["bm90IFhNTCBhdCBhbGw=", "%%%not base64%%%", "PD94bWw/Pg=="])
def test_an_answer_that_is_not_xml_is_refused(client, idp, garbage):
    start(client)
    response = post(client, garbage)
    entry = assert_refused(response, 400, "SAML メッセージではありません", "malformed")
    assert entry.after["idp"] == SLUG
    _nothing_created()


def test_an_answer_without_eppn_is_refused(client, idp):
    response = sign_in(client, idp, eduPersonPrincipalName=[])
    assert_refused(response, 401, "eduPersonPrincipalName", "missing_eppn")
    _nothing_created()


def test_an_unknown_idp_is_refused(client, idp):
    response = client.post(_url("saml_login", organization_slug="nowhere"), {"process": "login"})
    assert_refused(response, 404, "設定されていません", "unknown_idp")
    answer = idp.respond(idp.parse(start(client)), identity())
    response = post(client, answer, slug="nowhere")
    assert_refused(response, 404, "設定されていません", "unknown_idp")
    _nothing_created()


def test_messages_are_in_english_on_english_pages(client, idp):
    response = client.post(_url("saml_login", "en", organization_slug="nowhere"),
                           {"process": "login"})  # fmt: skip
    assert response.status_code == 404
    assert "not set up on OpenRD" in response.content.decode()


# --- configuration --------------------------------------------------------------


def _sp_metadata(client):
    return client.get(_url("saml_metadata", organization_slug=SLUG)).content.decode()


def test_an_idp_entered_in_the_admin_gets_the_secure_defaults(client, configure, keys):
    configure()  # no IdP from the file
    SocialApp.objects.create(
        provider="saml", provider_id=ENTITY_ID, client_id=SLUG, name="Example University",
        settings={"idp": {"entity_id": ENTITY_ID, "sso_url": SSO_URL,
                          "x509cert": keys.cert_base64},
                  "advanced": {"want_assertion_signed": False, "strict": False}},
    )  # fmt: skip
    idp = TestIdP(keys, _sp_metadata(client))
    request = idp.parse(start(client))
    response = post(client, idp.respond(request, identity(), sign_assertion=False))
    assert_refused(response, 401, "署名", "signature")
    _nothing_created()


def test_the_login_page_lists_the_configured_idps(client, configure, keys):
    configure()
    page = client.get(_url("accounts:login")).content.decode()
    assert "学認" not in page
    configure(_idp_entry(keys), _idp_entry(keys, slug="other-u", name_ja="別大学",
                                           name_en="Other University", gakunin=False))  # fmt: skip
    page = client.get(_url("accounts:login")).content.decode()
    assert "学認（GakuNin）でサインイン" in page
    assert "例大学" in page
    assert "別大学" in page
    assert _url("saml_login", organization_slug="other-u") in page
    assert "Example University" in client.get(_url("accounts:login", "en")).content.decode()


def test_the_idp_file_is_read_from_toml_and_json(tmp_path, keys):
    toml = tmp_path / "idps.toml"
    toml.write_text(
        f'[[idp]]\nslug = "{SLUG}"\nname_ja = "例大学"\nentity_id = "{ENTITY_ID}"\n'
        f'sso_url = "{SSO_URL}"\nx509cert_file = "idp.crt"\norganisation = "example-u"\n',
        encoding="utf-8",
    )
    (app,) = load_saml_apps(toml)
    assert (app["client_id"], app["provider_id"]) == (SLUG, ENTITY_ID)
    advanced = app["settings"]["advanced"]
    assert advanced["want_assertion_signed"]
    assert advanced["strict"]
    assert advanced["reject_idp_initiated_sso"]
    assert "BEGIN CERTIFICATE" in app["settings"]["idp"]["x509cert"]
    assert app["settings"]["openrd"]["email_verified"] is False
    json_file = tmp_path / "idps.json"
    json_file.write_text('{"idp": [{"slug": "x"}]}', encoding="utf-8")
    with pytest.raises(ValueError, match="missing entity_id, sso_url"):
        load_saml_apps(json_file)


def test_settings_name_the_openrd_provider_class():
    from django.conf import settings

    path = settings.SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]
    assert import_string(path) is OpenRDSAMLProvider
