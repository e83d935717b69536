import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from openrd.accounts.services import issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.queries import latest_disclosure
from openrd.integrity.services import pledge, save_disclosure

pytestmark = pytest.mark.django_db

EDIT, PLEDGE, HISTORY = "/ja/disclosures/", "/ja/disclosures/pledge/", "/ja/disclosures/history/"
K1, K2, K3 = "1" * 32, "2" * 32, "3" * 32


def funding_post(key, *, new=False, **values):
    data = {"funding": key, "status": "current", "program": "科研費", "title": "量子計測",
            "funder": "日本学術振興会", "country": "JP", "start": "", "end": "",
            "amount_yen": "5,000,000", "effort_percent": "30"} | values  # fmt: skip
    out = {f"funding-{key}-{name}": value for name, value in data.items() if name != "funding"}
    out = {k: v for k, v in out.items() if v is not None}  # an unticked box is not sent
    if new:
        out[f"funding-{key}-new"] = "1"
    return out


def position_post(key, **values):
    data = {"organisation": "国立研究所", "country": "JP", "title": "客員研究員",
            "kind": "concurrent", "paid": "on", "start": "", "end": ""} | values  # fmt: skip
    return {f"position-{key}-{name}": value for name, value in data.items() if value is not None}


def post(client, url, *entries, **extra):
    """Form data with the entry order given by the hidden "funding"/"position" inputs."""
    data: dict = {"funding": [], "position": []}
    for section, key, fields in entries:
        data[section].append(key)
        data |= fields
    return client.post(url, data | extra)


def test_pages_require_login(client):
    for url in (EDIT, HISTORY, "/ja/disclosures/rows/funding/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/ja/accounts/login/")
    assert client.post(PLEDGE, {"agree": "on"}).status_code == 302


def test_empty_page_in_japanese_and_english_with_the_pledge_text(client):
    client.force_login(UserFactory())
    ja = client.get(EDIT).content.decode()
    assert (
        "私は、上記の研究資金及び役職等の情報を所属機関に適切に報告していることを誓約します。" in ja
    )
    assert "研究資金の追加" in ja or "研究資金を追加" in ja
    en = client.get("/en/disclosures/").content.decode()
    assert "I pledge that I have properly reported" in en


def test_saving_a_new_entry_creates_version_1(client):
    user = UserFactory()
    client.force_login(user)
    response = post(
        client, EDIT,
        ("funding", K1, funding_post(K1, new=True, nda=None, start="2024-04-01")),
        ("position", K2, position_post(K2, paid=None, country="us")),
    )  # fmt: skip
    assert response.status_code == 302
    version = latest_disclosure(user)
    assert version.number == 1
    assert version.fundings[0] == {
        "key": K1, "status": "current", "program": "科研費", "title": "量子計測",
        "funder": "日本学術振興会", "country": "JP", "start": "2024-04-01", "end": None,
        "amount_yen": 5_000_000, "effort_percent": 30, "nda": False, "on_platform": False,
    }  # fmt: skip
    assert version.positions[0]["paid"] is False
    assert version.positions[0]["country"] == "US"


def test_errors_keep_every_typed_value_with_field_messages_and_status_422(client):
    user = UserFactory()
    client.force_login(user)
    response = post(
        client, EDIT,
        ("funding", K1, funding_post(K1, new=True, title="私の新しい研究", effort_percent="abc",
                                     start="2023-02-30")),
        ("funding", K2, funding_post(K2, new=True, nda="on", title="", amount_yen="1000")),
    )  # fmt: skip
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="私の新しい研究"' in page
    assert 'value="abc"' in page
    assert 'value="2023-02-30"' in page
    assert f'id="funding-{K2}-nda" name="funding-{K2}-nda" checked' in page
    assert 'class="error-summary"' in page
    assert f'href="#funding-{K1}-effort_percent"' in page
    assert f'href="#funding-{K2}-amount_yen"' in page
    assert "秘密保持契約" in page
    assert page.count('aria-invalid="true"') == 3
    assert not DisclosureVersion.objects.exists()


def test_total_effort_over_100_is_shown_on_the_funding_section(client):
    client.force_login(UserFactory())
    response = post(
        client, "/en/disclosures/",
        ("funding", K1, funding_post(K1, effort_percent="60")),
        ("funding", K2, funding_post(K2, effort_percent="50")),
    )  # fmt: skip
    assert response.status_code == 422
    assert "adds up to 110%" in response.content.decode()


def test_removed_and_blank_new_rows_are_not_saved(client):
    user = UserFactory()
    client.force_login(user)
    post(
        client,
        EDIT,
        ("funding", K1, funding_post(K1)),
        ("funding", K2, funding_post(K2, title="二つ目")),
    )
    blank = {f"funding-{K3}-new": "1", f"funding-{K3}-status": "current",
             f"funding-{K3}-country": "JP"}  # fmt: skip
    response = post(
        client, EDIT,
        ("funding", K1, funding_post(K1)),
        ("funding", K2, funding_post(K2, title="二つ目", remove="on")),
        ("funding", K3, blank),
    )  # fmt: skip
    assert response.status_code == 302
    version = latest_disclosure(user)
    assert version.number == 2
    assert [f["key"] for f in version.fundings] == [K1]


def test_add_button_without_javascript_adds_a_row_and_saves_nothing(client):
    client.force_login(UserFactory())
    response = post(
        client, EDIT, ("funding", K1, funding_post(K1, title="途中の入力")), add="funding"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="途中の入力"' in page
    assert page.count('name="funding"') == 2
    assert not DisclosureVersion.objects.exists()


def test_htmx_blank_row_partial(client):
    client.force_login(UserFactory())
    response = client.get("/ja/disclosures/rows/position/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith("<fieldset")
    key = re.search(r'name="position" value="([0-9a-f]{32})"', page).group(1)
    assert f'name="position-{key}-new" value="1"' in page
    assert "<html" not in page
    assert client.get("/ja/disclosures/rows/secrets/").status_code == 404


def test_edit_page_uses_htmx_without_inline_script_or_style(client):
    client.force_login(UserFactory())
    page = client.get(EDIT).content.decode()
    assert 'hx-get="/ja/disclosures/rows/funding/"' in page
    assert 'hx-swap="beforeend"' in page
    assert "style=" not in page
    assert "hx-on" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None


def test_pledge_needs_the_box_ticked_then_is_recorded(client):
    user = UserFactory()
    save_disclosure(user, actor=user, fundings=[], positions=[])
    client.force_login(user)
    refused = client.post(PLEDGE, {})
    assert refused.status_code == 422
    assert 'id="pledge-agree" name="agree" aria-invalid="true"' in refused.content.decode()
    assert latest_disclosure(user).pledged_at is None
    response = client.post(PLEDGE, {"agree": "on"})
    assert response.status_code == 302
    assert latest_disclosure(user).pledged_at is not None
    assert AuditEntry.objects.filter(action="integrity.disclosure.pledged", actor=user).exists()
    page = client.get(response["Location"]).content.decode()
    assert 'name="agree"' not in page  # already pledged: nothing more to tick


def test_pledge_with_nothing_saved_explains_why(client):
    client.force_login(UserFactory())
    response = client.post("/en/disclosures/pledge/", {"agree": "on"})
    assert response.status_code == 422
    assert "save your disclosure first" in response.content.decode()
    assert client.get(PLEDGE).status_code == 405


def test_history_shows_each_version_with_its_changes(client):
    user = UserFactory()
    old = {"title": "古い題名", "funder": "JST", "effort_percent": 10}
    v1 = save_disclosure(user, actor=user, positions=[], fundings=[old])
    pledge(user, actor=user)
    new = {**v1.fundings[0], "title": "新しい題名", "amount_yen": 120_000_000}
    save_disclosure(user, actor=user, positions=[], fundings=[new])
    client.force_login(user)
    page = client.get(HISTORY).content.decode()
    assert page.index("第2版") < page.index("第1版")
    assert "<del>古い題名</del>" in page
    assert "<ins>新しい題名</ins>" in page
    assert "<ins>1.2億円</ins>" in page
    # An added entry is shown with what it declares, not only its name.
    assert "<ins>JST</ins>" in page
    assert '<span class="badge badge--success">追加</span>' in page
    assert '<span class="badge badge--warning">変更</span>' in page


def test_another_users_disclosure_never_appears(client):
    canary = "CANARY-7f3a-極秘の研究"
    a, b = UserFactory(), UserFactory()
    secret = {"title": canary, "funder": canary, "effort_percent": 5}
    v1 = save_disclosure(a, actor=a, positions=[{"organisation": canary}], fundings=[secret])
    save_disclosure(a, actor=a, positions=v1.positions, fundings=[{**secret, "title": "別"}])
    client.force_login(b)
    urls = (EDIT, HISTORY, "/en/disclosures/", "/en/disclosures/history/",
            "/ja/disclosures/rows/funding/")  # fmt: skip
    pages = [client.get(url) for url in urls]
    pages.append(client.post(PLEDGE, {"agree": "on"}))
    client.logout()
    _, raw = issue_api_token(b, name="t")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for path in ("", "/versions"):
        pages.append(client.get(f"/api/v1/me/disclosures{path}", **bearer))
    pages.append(client.post("/api/v1/me/disclosures/pledge", **bearer))
    for response in pages:
        assert canary not in response.content.decode()
    assert latest_disclosure(a).pledged_at is None
    assert not DisclosureVersion.objects.filter(person=b).exists()


class _Ids(HTMLParser):
    """Every element id of a page, and every (element, attributes) that refers to ids."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[dict] = []
        self.invalid: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "aria-describedby" in attrs:
            self.described.append(attrs)
        if attrs.get("aria-invalid") == "true":
            self.invalid.append(attrs)


def _parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


def _saved_with_dates(user, *, end="2026-03-31", pledged=True):
    funding = {"key": K1, "title": "量子計測", "funder": "JST", "effort_percent": 30,
               "start": "2023-04-01", "end": end}  # fmt: skip
    save_disclosure(user, actor=user, fundings=[funding], positions=[])
    if pledged:
        pledge(user, actor=user)
    return latest_disclosure(user)


def test_an_unreadable_date_is_refused_and_nothing_changes(client):
    user = UserFactory()
    saved = _saved_with_dates(user)
    client.force_login(user)
    # The browser blanked 2026-02-30 and the page's script marked it.
    data = funding_post(K1, title="新しい題名", funder="JST", start="2023-04-01", end="",
                        amount_yen="", **{"end-bad": "1"})  # fmt: skip
    response = post(client, EDIT, ("funding", K1, data))
    assert response.status_code == 422
    page = response.content.decode()
    field = _parse(page)
    assert (
        f'<div id="funding-{K1}-end-error"><p class="field__error">実在する日付を入力してください。'
        in page
    )
    end_input = next(a for a in field.invalid if a["id"] == f"funding-{K1}-end")
    assert f"funding-{K1}-end-error" in end_input["aria-describedby"].split()
    assert f'href="#funding-{K1}-end"' in page  # listed in the error summary too
    assert 'value="新しい題名"' in page  # every other typed value is kept
    latest = latest_disclosure(user)
    assert (latest.pk, latest.number, latest.pledged_at) == (saved.pk, 1, saved.pledged_at)
    assert latest.fundings[0]["end"] == "2026-03-31"
    assert AuditEntry.objects.filter(action="integrity.disclosure.saved").count() == 1


def test_an_empty_date_without_the_remove_box_keeps_the_saved_one(client):
    # Without the script an unreadable date arrives as an empty value, like this.
    user = UserFactory()
    saved = _saved_with_dates(user)
    client.force_login(user)
    data = funding_post(K1, funder="JST", start="2023-04-01", end="", amount_yen="")
    response = post(client, "/en/disclosures/", ("funding", K1, data))
    assert response.status_code == 422
    page = response.content.decode()
    assert "No date was received, so the saved date (31 March 2026 (Reiwa 8)) is kept." in page
    assert f'id="funding-{K1}-end-clear" name="funding-{K1}-end-clear">' in page
    assert latest_disclosure(user).pk == saved.pk
    assert latest_disclosure(user).pledged_at == saved.pledged_at


def test_ticking_remove_this_date_clears_it(client):
    user = UserFactory()
    _saved_with_dates(user)
    client.force_login(user)
    data = funding_post(K1, funder="JST", start="2023-04-01", end="", amount_yen="",
                        **{"end-clear": "on"})  # fmt: skip
    response = post(client, EDIT, ("funding", K1, data))
    assert response.status_code == 302
    latest = latest_disclosure(user)
    assert (latest.number, latest.fundings[0]["end"], latest.pledged_at) == (2, None, None)


def test_a_new_date_replaces_the_saved_one_without_ticking_anything(client):
    user = UserFactory()
    _saved_with_dates(user)
    client.force_login(user)
    data = funding_post(K1, funder="JST", start="2023-04-01", end="2027-03-31", amount_yen="")
    assert post(client, EDIT, ("funding", K1, data)).status_code == 302
    assert latest_disclosure(user).fundings[0]["end"] == "2027-03-31"


def test_the_remove_box_is_offered_only_for_saved_dates(client):
    user = UserFactory()
    _saved_with_dates(user, end=None, pledged=False)
    client.force_login(user)
    page = client.get(EDIT).content.decode()
    assert f'name="funding-{K1}-start-clear"' in page
    assert f'name="funding-{K1}-end-clear"' not in page
    row = client.get("/ja/disclosures/rows/funding/").content.decode()
    assert "-clear" not in row


def test_an_unreadable_date_in_a_new_row_is_refused_not_dropped_as_blank(client):
    user = UserFactory()
    client.force_login(user)
    blank = {f"funding-{K3}-new": "1", f"funding-{K3}-status": "current",
             f"funding-{K3}-country": "JP", f"funding-{K3}-start-bad": "1"}  # fmt: skip
    response = post(client, "/en/disclosures/", ("funding", K3, blank))
    assert response.status_code == 422
    assert "Enter a real date." in response.content.decode()
    assert not DisclosureVersion.objects.exists()


def test_a_date_refusal_still_shows_every_other_error_at_once(client):
    user = UserFactory()
    _saved_with_dates(user)
    client.force_login(user)
    data = funding_post(K1, funder="", start="2023-04-01", end="", amount_yen="",
                        effort_percent="abc", **{"end-bad": "1"})  # fmt: skip
    page = post(client, "/en/disclosures/", ("funding", K1, data)).content.decode()
    assert "Enter a real date." in page
    assert "Enter the funder." in page
    assert "Enter a whole number." in page


def test_the_page_script_is_a_static_file_under_the_csp(client):
    client.force_login(UserFactory())
    page = client.get(EDIT).content.decode()
    assert f'<script src="{static("integrity/dates.js")}" defer></script>' in page
    script = Path(finders.find("integrity/dates.js")).read_text(encoding="utf-8")
    assert "validity.badInput" in script
    assert '"-bad"' in script


@pytest.mark.parametrize("url", [EDIT, "/en/disclosures/"])
def test_every_aria_describedby_points_at_an_element_that_exists(client, url):
    user = UserFactory()
    _saved_with_dates(user)
    client.force_login(user)
    data = funding_post(K1, nda="on", title="秘密", funder="", start="2023-04-01", end="",
                        amount_yen="-1", effort_percent="101", country="日本",
                        **{"end-bad": "1"})  # fmt: skip
    pages = [
        client.get(url).content.decode(),
        post(client, url, ("funding", K1, data), ("position", K2, position_post(
            K2, organisation="", kind="secret", start="2024-04-01", end="2023-04-01"))
        ).content.decode(),
        client.post(url + "pledge/", {}).content.decode(),
    ]  # fmt: skip
    for html in pages:
        parsed = _parse(html)
        for attrs in parsed.described:
            assert set(attrs["aria-describedby"].split()) <= parsed.ids, attrs
    refused = _parse(pages[1])
    assert len(refused.invalid) >= 8
    for attrs in refused.invalid:
        # An input marked invalid names its error message, which is on the page.
        assert f"{attrs['id']}-error" in attrs["aria-describedby"].split(), attrs


def test_full_width_numbers_in_the_form_are_read_like_ascii(client):
    user = UserFactory()
    client.force_login(user)
    data = funding_post(K1, new=True, amount_yen="１,２３４,０００円", effort_percent="３０％")
    assert post(client, EDIT, ("funding", K1, data)).status_code == 302
    saved = latest_disclosure(user).fundings[0]
    assert (saved["amount_yen"], saved["effort_percent"]) == (1_234_000, 30)


@pytest.mark.parametrize(
    ("amount", "message"),
    [("−5", "The amount cannot be negative."), ("－５", "The amount cannot be negative."),
     ("１．５", "Enter the amount in whole yen.")],
)  # fmt: skip
def test_full_width_minus_and_fractions_are_refused(client, amount, message):
    client.force_login(UserFactory())
    data = funding_post(K1, new=True, amount_yen=amount)
    response = post(client, "/en/disclosures/", ("funding", K1, data))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not DisclosureVersion.objects.exists()


def test_history_shows_an_empty_value_as_none_never_as_python_none(client):
    user = UserFactory()
    _saved_with_dates(user, end=None)
    saved = latest_disclosure(user).fundings[0]
    save_disclosure(user, actor=user, positions=[], fundings=[{**saved, "end": "2027-03-31"}])
    client.force_login(user)
    ja = client.get(HISTORY).content.decode()
    assert (
        '<td><span class="muted">（なし）</span></td>\n        <td><ins>令和9年3月31日</ins>' in ja
    )
    en = client.get("/en/disclosures/history/").content.decode()
    assert '<span class="muted">(none)</span>' in en
    assert "<ins>31 March 2027 (Reiwa 9)</ins>" in en
    assert "None" not in ja + en
