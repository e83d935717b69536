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
        "section": "funding", "section_label": "研究資金", "key": changed["key"],
        "kind": "changed", "kind_label": "変更", "label": "量子計測",
        "fields": [{"field": "end", "label": "終了日", "old": "令和8年3月31日",
                    "new": "令和9年3月31日"}],
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


def test_an_empty_old_value_is_an_empty_string_never_none(client, auth):
    first = _put(client, auth, {"fundings": [{**FUNDING, "end": None}], "positions": []})
    entry = first.json()["fundings"][0]
    changed = {**entry, "end": "2027-03-31", "amount_yen": None}
    _put(client, auth, {"fundings": [changed], "positions": []})
    en = client.get(URL, HTTP_ACCEPT_LANGUAGE="en", **auth).json()
    fields = {f["field"]: f for f in en["diff"][0]["fields"]}
    assert fields["end"] == {"field": "end", "label": "End date", "old": "",
                             "new": "31 March 2027 (Reiwa 9)"}  # fmt: skip
    assert fields["amount_yen"] == {"field": "amount_yen", "label": "Amount (yen)",
                                    "old": "¥5 million", "new": ""}  # fmt: skip
    assert "None" not in json.dumps(en["diff"])


def test_an_added_entry_lists_its_filled_in_fields_in_the_requests_language(client, auth):
    body = _put(client, auth, {"fundings": [FUNDING], "positions": [POSITION]}, lang="en").json()
    position = body["diff"][1]
    assert (position["kind"], position["kind_label"], position["section_label"]) == (
        "added", "added", "Position held",
    )  # fmt: skip
    assert position["field_changes"] == []
    assert {f["field"]: f["new"] for f in position["fields"]} == {
        "organisation": "Stanford University", "country": "US", "title": "Visiting scholar",
        "kind": "Visiting / guest position", "paid": "no",
    }  # fmt: skip
    assert all(f["old"] == "" for f in position["fields"])


@pytest.mark.parametrize(
    ("amount", "expected"), [("１２３", 123), ("１,２３４円", 1_234), ("￥１，０００", 1_000)]
)
def test_full_width_amounts_are_read_like_ascii(client, auth, amount, expected):
    body = _put(client, auth, {"fundings": [{**FUNDING, "amount_yen": amount}], "positions": []})
    assert body.status_code == 200, body.content
    assert body.json()["fundings"][0]["amount_yen"] == expected


@pytest.mark.parametrize("amount", ["−5", "－５", "▲5"])
def test_any_minus_sign_in_an_amount_is_refused_as_negative(client, auth, amount):
    body = {"fundings": [{**FUNDING, "amount_yen": amount}], "positions": []}
    assert _errors(_put(client, auth, body, lang="en")) == {
        "fundings.0.amount_yen": "The amount cannot be negative."
    }
    assert not DisclosureVersion.objects.exists()


def test_a_saved_date_left_out_of_a_put_is_refused_not_cleared(client, auth):
    first = _put(client, auth, {"fundings": [FUNDING], "positions": []}).json()
    entry = {k: v for k, v in first["fundings"][0].items() if k != "end"}
    errors = _errors(_put(client, auth, {"fundings": [entry], "positions": []}, lang="en"))
    assert errors == {
        "fundings.0.end": "Send the date, or null to remove it: a date left out does not clear "
        "the saved one."
    }
    ja = _errors(_put(client, auth, {"fundings": [entry], "positions": []}))
    assert "null" in ja["fundings.0.end"]
    assert "Send" not in ja["fundings.0.end"]
    assert DisclosureVersion.objects.get().fundings[0]["end"] == "2026-03-31"
    cleared = _put(client, auth, {"fundings": [{**entry, "end": None}], "positions": []})
    assert (cleared.json()["number"], cleared.json()["fundings"][0]["end"]) == (2, None)


def test_a_new_entry_may_leave_its_dates_out(client, auth):
    _put(client, auth, {"fundings": [FUNDING], "positions": []})
    no_dates = {k: v for k, v in FUNDING.items() if k not in ("start", "end")}
    response = _put(client, auth, {"fundings": [no_dates], "positions": []})
    assert response.status_code == 200
    assert response.json()["fundings"][0]["end"] is None
