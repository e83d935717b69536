import json

import pytest

from openrd.core.text_safety import (
    UnsafeText,
    check_value,
    first_invisible_character,
    is_safe_text,
)


def test_nul_and_lone_surrogates_are_unsafe_but_pairs_and_japanese_are_fine():
    assert is_safe_text("研究計画 😀") is True
    assert is_safe_text("a\x00b") is False
    assert is_safe_text(json.loads('"\\ud83d\\ude00"')) is True
    assert is_safe_text(json.loads('"\\udac7x"')) is False


def test_check_value_names_the_field():
    with pytest.raises(UnsafeText) as exc:
        check_value({"budget": [{"label": "ok"}, {"label": "x\x00"}]}, ["body"])
    assert exc.value.loc == ["body", "budget", "1", "label"]


@pytest.mark.django_db
def test_api_refuses_nul_in_a_json_field_with_a_field_error(client):
    from openrd.accounts.services import issue_api_token
    from openrd.accounts.tests.factories import UserFactory

    token = issue_api_token(UserFactory(), name="t")[1]
    response = client.patch(
        "/api/v1/me",
        '{"name_ja": "a\\u0000b"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name_ja"


def test_nul_in_the_path_is_404_and_in_the_query_string_422_for_the_api(client):
    assert client.get("/api/v1/programs/a%00b").status_code == 404
    response = client.get("/api/v1/calls?program=a%00b")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "program"
    assert client.get("/ja/calls/?program=%00").status_code == 400


@pytest.mark.django_db
def test_a_call_number_that_is_not_a_number_is_404(client):
    from openrd.accounts.models import Role
    from openrd.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(roles=[Role.RESEARCHER]))
    assert client.get("/ja/proposals/new/?call=abc").status_code == 404


@pytest.mark.parametrize(
    "char",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
     "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\u200d", "\u2060", "\ufeff",
     "\U000e0041", "\u2028", "\x1b"],
)  # fmt: skip
def test_bidi_zero_width_tag_and_control_characters_are_found(char):
    assert first_invisible_character(f"Tanaka{char}Taro") == char


def test_visible_text_has_no_invisible_character():
    # A kanji with its variation selector (IVS) is how some family names are written.
    assert first_invisible_character("髙橋 葛\U000e0100飾 Ōtani 😀") is None
