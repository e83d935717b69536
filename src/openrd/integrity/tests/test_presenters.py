"""The one presentation of a disclosure's changes, shared by the pages and the API."""

from datetime import date

import pytest
from django.utils.translation import override

from openrd.accounts.tests.factories import UserFactory
from openrd.integrity.presenters import disclosure_changes, format_value
from openrd.integrity.services import save_disclosure

K1, K2 = "1" * 32, "2" * 32


@pytest.mark.parametrize(
    ("name", "value", "ja", "en"),
    [
        ("end", None, "", ""),
        ("title", "", "", ""),
        ("amount_yen", None, "", ""),
        ("end", date(2026, 3, 31), "令和8年3月31日", "31 March 2026 (Reiwa 8)"),
        ("amount_yen", 150_000_000, "1.5億円", "¥150 million"),
        ("amount_yen", 0, "0円", "¥0"),
        ("effort_percent", 30, "30%", "30%"),
        ("effort_percent", 0, "0%", "0%"),
        ("nda", True, "はい", "yes"),
        ("paid", False, "いいえ", "no"),
        ("status", "pending", "応募中・申請中", "Pending (applied for)"),
        ("country", "US", "US", "US"),
        ("title", "量子計測", "量子計測", "量子計測"),
    ],
)
def test_format_value_in_both_languages(name, value, ja, en):
    with override("ja"):
        assert format_value(name, value) == ja
    with override("en"):
        assert format_value(name, value) == en


@pytest.mark.django_db
def test_disclosure_changes_are_plain_strings_with_empty_values_as_empty_strings():
    user = UserFactory()
    first = {"key": K1, "title": "量子計測", "funder": "JST", "effort_percent": 10}
    position = {"key": K2, "organisation": "国立研究所", "kind": "advisory", "paid": False}
    save_disclosure(user, actor=user, fundings=[first], positions=[position])
    changed = {**first, "end": "2027-03-31", "amount_yen": 5_000_000, "nda": False}
    v2 = save_disclosure(user, actor=user, fundings=[changed], positions=[])
    with override("ja"):
        changes = disclosure_changes(v2)
    assert changes == [
        {"section": "funding", "section_label": "研究資金", "key": K1, "kind": "changed",
         "kind_label": "変更", "label": "量子計測", "fields": [
             {"field": "end", "label": "終了日", "old": "", "new": "令和9年3月31日"},
             {"field": "amount_yen", "label": "金額（円）", "old": "", "new": "500万円"},
         ]},
        {"section": "position", "section_label": "役職等", "key": K2, "kind": "removed",
         "kind_label": "削除", "label": "国立研究所", "fields": [
             {"field": "organisation", "label": "機関", "old": "国立研究所", "new": ""},
             {"field": "country", "label": "国・地域", "old": "JP", "new": ""},
             {"field": "kind", "label": "種別", "old": "顧問・役員", "new": ""},
             {"field": "paid", "label": "有給", "old": "いいえ", "new": ""},
         ]},
    ]  # fmt: skip
    for change in changes:
        for f in change["fields"]:
            assert all(type(f[k]) is str for k in ("field", "label", "old", "new"))
