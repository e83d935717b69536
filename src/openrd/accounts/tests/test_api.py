import json

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import issue_api_token, load_organisations
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _bearer(user):
    _, raw = issue_api_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _patch(client, body, lang="ja", **headers):
    return client.patch(
        "/api/v1/me", json.dumps(body), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang, **headers,
    )  # fmt: skip


def test_me_requires_authentication(client):
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 401
    assert response.json() == {"detail": "認証が必要です。"}


def test_me_with_bearer_token(client):
    user = UserFactory(username="kenkyu", roles=[Role.RESEARCHER])
    body = client.get("/api/v1/me", **_bearer(user)).json()
    assert body["username"] == "kenkyu"
    assert body["roles"] == [{"role": "researcher", "organisation": None}]


def test_me_with_browser_session(client):
    user = UserFactory(username="kenkyu")
    client.force_login(user)
    assert client.get("/api/v1/me").json()["username"] == "kenkyu"


def test_patch_me_normalises_the_orcid_url(client):
    user = UserFactory()
    response = _patch(client, {"orcid": "https://orcid.org/0000-0002-1825-0097"}, **_bearer(user))
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    user.refresh_from_db()
    assert user.orcid == "0000-0002-1825-0097"
    entry = AuditEntry.objects.get(action="accounts.profile.updated")
    assert entry.after["orcid"] == "0000-0002-1825-0097"


def test_patch_me_with_bad_check_digit_is_a_field_error_in_japanese(client):
    user = UserFactory(orcid=None)
    response = _patch(client, {"orcid": "0000-0002-1825-0098"}, **_bearer(user))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["orcid"]
    assert "チェックディジット" in errors[0]["msg"] or "チェックデジット" in errors[0]["msg"]
    user.refresh_from_db()
    assert user.orcid is None


def test_patch_me_with_bad_erad_number_is_a_field_error_in_english(client):
    user = UserFactory()
    response = _patch(client, {"erad_researcher_number": "1234567"}, lang="en", **_bearer(user))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "erad_researcher_number"
    assert "8 digits" in error["msg"]
    user.refresh_from_db()
    assert user.erad_researcher_number is None
    assert not AuditEntry.objects.filter(action="accounts.profile.updated").exists()


def test_patch_me_with_unknown_field_is_refused_and_nothing_saved(client):
    user = UserFactory(name_ja="元の名前")
    response = _patch(client, {"name_ja": "新しい名前", "is_superuser": True}, **_bearer(user))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "is_superuser"
    assert error["msg"] == "不明な項目です。このリクエストでは使用できません。"
    user.refresh_from_db()
    assert (user.name_ja, user.is_superuser) == ("元の名前", False)


def _post_org(client, body, user, lang="ja"):
    return client.post(
        "/api/v1/organisations", json.dumps(body), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang, **_bearer(user),
    )  # fmt: skip


ORG = {"code": "new-startup", "kind": "startup", "name_ja": "新興株式会社",
       "corporate_number": "8010401234568", "founded_on": "2020-02-29", "is_sme": True}  # fmt: skip


def test_command_tower_registers_an_organisation(client):
    admin = UserFactory(roles=[Role.COMMAND_TOWER_ADMIN])
    response = _post_org(client, ORG, admin)
    assert response.status_code == 201
    body = response.json()
    assert body["founded_on"] == "2020-02-29"
    assert (body["code"], body["kind"], body["is_sme"], body["country"]) == (
        "new-startup", "startup", True, "JP",
    )  # fmt: skip
    org = Organisation.objects.get(code="new-startup")
    assert (org.name_ja, org.corporate_number) == ("新興株式会社", "8010401234568")
    entry = AuditEntry.objects.get(action="accounts.organisation.created")
    assert (entry.actor, entry.object_id, entry.before) == (admin, str(org.pk), None)
    assert entry.after["name_ja"] == "新興株式会社"


def test_impossible_founding_date_is_a_field_error(client):
    admin = UserFactory(roles=[Role.COMMAND_TOWER_ADMIN])
    response = _post_org(client, ORG | {"founded_on": "2023-02-29"}, admin)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "founded_on"
    assert error["msg"] == "実在する日付をYYYY-MM-DDの形式で入力してください。"
    assert not Organisation.objects.filter(code="new-startup").exists()


def test_corporate_number_with_wrong_check_digit_is_a_field_error(client):
    admin = UserFactory(roles=[Role.COMMAND_TOWER_ADMIN])
    response = _post_org(client, ORG | {"corporate_number": "9010401234568"}, admin, lang="en")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "corporate_number"
    assert "check digit" in error["msg"]
    assert not Organisation.objects.filter(code="new-startup").exists()


def test_researcher_cannot_register_organisations_and_sees_404(client):
    researcher = UserFactory(roles=[Role.RESEARCHER])
    response = _post_org(client, ORG, researcher)
    assert response.status_code == 404
    assert not Organisation.objects.filter(code="new-startup").exists()
    assert AuditEntry.objects.get(action="access.denied").actor == researcher


def test_duplicate_organisation_code_is_a_409(client):
    load_organisations()
    admin = UserFactory(roles=[Role.COMMAND_TOWER_ADMIN])
    jst_before = Organisation.objects.get(code="jst").name_ja
    response = _post_org(client, ORG | {"code": "jst"}, admin)
    assert response.status_code == 409
    assert response.json() == {"detail": "このコードの機関は既に登録されています。"}
    assert Organisation.objects.get(code="jst").name_ja == jst_before
    assert not AuditEntry.objects.filter(actor=admin, object_type="accounts.organisation").exists()


def test_patch_me_with_null_names_clears_them_instead_of_failing(client):
    user = UserFactory(name_ja="名前", name_en="Name")
    response = _patch(client, {"name_ja": None, "name_en": None}, **_bearer(user))
    assert response.status_code == 200
    assert (response.json()["name_ja"], response.json()["name_en"]) == ("", "")
    user.refresh_from_db()
    assert (user.name_ja, user.name_en) == ("", "")


def test_a_body_that_is_not_json_is_a_422_in_the_users_language(client):
    user = UserFactory()
    response = client.patch(
        "/api/v1/me",
        b"{not json",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **_bearer(user),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "The request body is not valid JSON."
    assert not AuditEntry.objects.filter(action="accounts.profile.updated").exists()


def test_a_bearer_token_wins_over_a_stale_session_cookie(client):
    user = UserFactory(username="token-user")
    client.cookies["sessionid"] = "stale-or-forged"
    response = client.patch(
        "/api/v1/me", json.dumps({"name_en": "X"}), content_type="application/json", **_bearer(user)
    )
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["name_en"]) == ("token-user", "X")
    user.refresh_from_db()
    assert user.name_en == "X"
    assert AuditEntry.objects.get(action="accounts.profile.updated").actor == user


def test_a_lower_case_country_code_is_stored_upper_case(client):
    admin = UserFactory(roles=[Role.COMMAND_TOWER_ADMIN])
    response = _post_org(client, ORG | {"country": "us"}, admin)
    assert response.status_code == 201
    assert response.json()["country"] == "US"
    assert Organisation.objects.get(code="new-startup").country == "US"


def test_an_unassigned_country_code_is_a_field_error(client):
    admin = UserFactory(roles=[Role.COMMAND_TOWER_ADMIN])
    response = _post_org(client, ORG | {"country": "ZZ"}, admin, lang="en")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "country"
    assert error["msg"] == "Enter an ISO 3166-1 country code of two letters, e.g. JP or US."
    assert not Organisation.objects.filter(code="new-startup").exists()


def test_a_name_with_a_bidi_override_is_a_field_error_and_nothing_is_saved(client):
    user = UserFactory(name_en="Tanaka")
    response = _patch(client, {"name_en": "\u202eakanaT"}, lang="en", **_bearer(user))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "name_en"
    assert "U+202E" in error["msg"]
    user.refresh_from_db()
    assert user.name_en == "Tanaka"
