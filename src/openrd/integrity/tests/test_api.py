import json

import pytest

from openrd.accounts.services import issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.integrity.models import DisclosureVersion

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/disclosures"
FUNDING = {"status": "current", "program": "科研費", "title": "量子計測",
           "funder": "日本学術振興会",
           "start": "2023-04-01", "end": "2026-03-31", "amount_yen": 5_000_000,
           "effort_percent": 30}  # fmt: skip
POSITION = {"organisation": "Stanford University", "country": "US", "title": "Visiting scholar",
            "kind": "visiting", "paid": False}  # fmt: skip


def _bearer(user):
    _, raw = issue_api_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _put(client, auth, body, lang="ja"):
    return client.put(URL, json.dumps(body), content_type="application/json",
                      HTTP_ACCEPT_LANGUAGE=lang, **auth)  # fmt: skip


def _errors(response):
    assert response.status_code == 422, response.content
    return {e["field"]: e["msg"] for e in response.json()["errors"]}


@pytest.fixture
def auth():
    return _bearer(UserFactory())


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("put", URL), ("post", f"{URL}/pledge"), ("get", f"{URL}/versions")],
)
def test_every_endpoint_requires_authentication(client, method, path):
    response = getattr(client, method)(path, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 401
    assert response.json() == {"detail": "認証が必要です。"}


def test_no_disclosure_yet_is_404(client, auth):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en", **auth)
    assert response.status_code == 404
    assert response.json() == {"detail": "You have not saved a disclosure yet."}


def test_put_then_get_returns_the_version_with_its_diff(client, auth):
    response = _put(client, auth, {"fundings": [FUNDING], "positions": [POSITION]})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"number", "created_at", "pledged_at", "pledge_text_version", "fundings",
                         "positions", "diff"}  # fmt: skip
    assert (body["number"], body["pledged_at"]) == (1, None)
    funding = body["fundings"][0]
    assert funding == {**FUNDING, "key": funding["key"], "country": "JP", "nda": False,
                       "on_platform": False}  # fmt: skip
    assert len(funding["key"]) == 32
    assert body["positions"][0]["paid"] is False
    assert [(c["section"], c["kind"]) for c in body["diff"]] == [
        ("funding", "added"),
        ("position", "added"),
    ]
    assert client.get(URL, **auth).json() == body


def test_a_change_is_version_2_with_field_changes_and_needs_a_new_pledge(client, auth):
    first = _put(client, auth, {"fundings": [FUNDING], "positions": []}).json()
    pledged = client.post(f"{URL}/pledge", **auth)
    assert pledged.status_code == 200
    assert pledged.json()["pledged_at"] is not None
    changed = {**first["fundings"][0], "end": "2027-03-31"}
    body = _put(client, auth, {"fundings": [changed], "positions": []}).json()
    assert (body["number"], body["pledged_at"]) == (2, None)
    assert body["diff"] == [{
        "section": "funding", "key": changed["key"], "kind": "changed", "label": "量子計測",
        "field_changes": [{"field": "end", "old": "2026-03-31", "new": "2027-03-31"}],
    }]  # fmt: skip
    versions = client.get(f"{URL}/versions", **auth).json()
    assert [(v["number"], v["pledged_at"] is None) for v in versions] == [(2, True), (1, False)]


def test_unchanged_put_returns_the_same_version(client, auth):
    first = _put(client, auth, {"fundings": [FUNDING], "positions": []}).json()
    again = _put(client, auth, {"fundings": first["fundings"], "positions": []}).json()
    assert again["number"] == 1
    assert DisclosureVersion.objects.count() == 1


def test_pledge_with_nothing_saved_is_422(client, auth):
    response = client.post(f"{URL}/pledge", HTTP_ACCEPT_LANGUAGE="en", **auth)
    assert _errors(response) == {
        "": "There is no disclosure to pledge yet: save your disclosure first."
    }


def test_effort_over_100_is_a_field_error_in_japanese_and_english(client, auth):
    body = {"fundings": [{**FUNDING, "effort_percent": 101}], "positions": []}
    ja = _errors(_put(client, auth, body, lang="ja"))
    en = _errors(_put(client, auth, body, lang="en"))
    assert en == {"fundings.0.effort_percent": "Enter a value of at most 100."}
    assert ja == {"fundings.0.effort_percent": "100以下の値を入力してください。"}


def test_service_rule_errors_are_field_errors_in_the_users_language(client, auth):
    body = {"fundings": [{**FUNDING, "nda": True}, {**FUNDING, "effort_percent": 80}],
            "positions": [{**POSITION, "country": "usa"}]}  # fmt: skip
    en = _errors(_put(client, auth, body, lang="en"))
    assert set(en) == {
        "fundings.0.title",
        "fundings.0.amount_yen",
        "fundings",
        "positions.0.country",
    }
    assert "non-disclosure agreement" in en["fundings.0.amount_yen"]
    ja = _errors(_put(client, auth, body, lang="ja"))
    assert "秘密保持契約" in ja["fundings.0.amount_yen"]
    assert "110%" in ja["fundings"]
    assert not DisclosureVersion.objects.exists()


def test_unknown_fields_are_refused(client, auth):
    body = {"fundings": [{**FUNDING, "secret": 1}], "positions": [], "admin": True}
    errors = _errors(_put(client, auth, body))
    assert set(errors) == {"fundings.0.secret", "admin"}
    assert errors["admin"] == "不明な項目です。このリクエストでは使用できません。"


def test_impossible_date_is_a_translated_field_error(client, auth):
    body = {"fundings": [{**FUNDING, "start": "2023-02-30"}], "positions": []}
    assert _errors(_put(client, auth, body, lang="en")) == {
        "fundings.0.start": "Enter a real date as YYYY-MM-DD."
    }
    ja = _errors(_put(client, auth, body, lang="ja"))
    assert ja["fundings.0.start"] != "Enter a real date as YYYY-MM-DD."


@pytest.mark.parametrize(
    ("amount", "message"),
    [(-1, "The amount cannot be negative."), (1.5, "Enter the amount in whole yen."),
     ("1.5", "Enter the amount in whole yen.")],
)  # fmt: skip
def test_negative_and_fractional_yen_are_refused(client, auth, amount, message):
    body = {"fundings": [{**FUNDING, "amount_yen": amount}], "positions": []}
    assert _errors(_put(client, auth, body, lang="en")) == {"fundings.0.amount_yen": message}


def test_missing_sections_and_effort_are_required(client, auth):
    no_effort = {k: v for k, v in FUNDING.items() if k != "effort_percent"}
    errors = _errors(_put(client, auth, {"fundings": [no_effort]}, lang="en"))
    assert errors == {
        "fundings.0.effort_percent": "This field is required.",
        "positions": "This field is required.",
    }


def test_openapi_declares_the_error_responses(client):
    spec = client.get("/api/v1/openapi.json").json()
    put = spec["paths"][URL]["put"]
    assert {"200", "401", "422"} <= set(put["responses"])
    assert put["tags"] == ["integrity"]
    assert {"200", "401", "422"} <= set(spec["paths"][f"{URL}/pledge"]["post"]["responses"])
