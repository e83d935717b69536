"""The disclosure form in a real browser: rows added by htmx under the strict CSP."""

import pytest

from openrd.accounts.tests.factories import UserFactory
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.queries import latest_disclosure
from openrd.integrity.services import pledge, save_disclosure

pytestmark = pytest.mark.browser


def test_add_rows_with_htmx_save_and_pledge(page, site):
    user = UserFactory(username="kenkyu")
    page.goto(f"{site.url}/ja/accounts/login/")
    page.fill("#id_username", "kenkyu")
    page.fill("#id_password", "correct-horse-battery")
    page.get_by_role("button", name="ログイン").click()
    page.goto(f"{site.url}/ja/disclosures/")

    page.get_by_role("button", name="研究資金を追加").click()
    page.get_by_role("button", name="役職等を追加").click()
    funding = page.locator("#funding-rows fieldset")
    position = page.locator("#position-rows fieldset")
    funding.wait_for()
    position.wait_for()
    assert page.url.endswith("/ja/disclosures/")  # htmx added the rows; nothing was submitted
    funding.get_by_label("研究課題名").fill("海外との共同研究")
    funding.get_by_label("配分機関等").fill("National Science Foundation")
    funding.get_by_label("国・地域").fill("US")
    funding.get_by_label("エフォート（%）").fill("120")
    position.get_by_label("機関").fill("Stanford University")
    page.get_by_role("button", name="保存する", exact=True).last.click()

    page.wait_for_selector(".error-summary")
    assert page.locator("#funding-rows input[value='海外との共同研究']").count() == 1
    page.locator("#funding-rows fieldset").get_by_label("エフォート（%）").fill("20")
    page.get_by_role("button", name="保存する", exact=True).last.click()
    page.wait_for_selector(".badge--warning")
    assert latest_disclosure(user).number == 1

    page.get_by_label("上記のとおり誓約します。").check()
    page.get_by_role("button", name="誓約する").click()
    page.wait_for_selector(".badge--success")
    assert latest_disclosure(user).pledged_at is not None

    # A change after the pledge is a new, unpledged version, listed in the history.
    funding = page.locator("#funding-rows fieldset")
    funding.get_by_label("金額（円）").fill("150000000")
    funding.get_by_label("研究課題名").fill("海外との共同研究（改）")
    page.get_by_role("button", name="保存する", exact=True).last.click()
    page.wait_for_selector(".badge--warning")
    assert (latest_disclosure(user).number, latest_disclosure(user).pledged_at) == (2, None)
    page.goto(f"{site.url}/ja/disclosures/history/")
    assert page.locator("ins", has_text="1.5億円").count() == 1


def _log_in(page, site, username):
    page.goto(f"{site.url}/ja/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery")
    page.get_by_role("button", name="ログイン").click()


def test_an_impossible_date_typed_over_a_saved_one_is_refused_and_nothing_changes(page, site):
    user = UserFactory(username="kenkyu2")
    key = "a" * 32
    funding = {"key": key, "title": "量子計測", "funder": "JST", "effort_percent": 30,
               "start": "2023-04-01", "end": "2026-03-31"}  # fmt: skip
    save_disclosure(user, actor=user, fundings=[funding], positions=[])
    pledged = pledge(user, actor=user)
    _log_in(page, site, "kenkyu2")
    page.goto(f"{site.url}/ja/disclosures/")

    end = page.locator(f"#funding-{key}-end")
    end.focus()
    page.keyboard.type("02/30/2026")  # month/day/year, as this Chromium lays the field out
    assert end.evaluate("e => [e.value, e.validity.badInput]") == ["", True]
    page.get_by_role("button", name="保存する", exact=True).last.click()

    page.wait_for_selector(".error-summary")
    end = page.locator(f"#funding-{key}-end")
    assert end.get_attribute("aria-invalid") == "true"
    described = end.get_attribute("aria-describedby").split()
    assert f"funding-{key}-end-error" in described
    for element_id in described:
        assert page.locator(f"[id='{element_id}']").count() == 1
    error = page.locator(f"#funding-{key}-end-error")
    assert error.inner_text() == "実在する日付を入力してください。"
    # Next to the field: in the same field group as the date input.
    field = page.locator(".field", has=page.locator(f"#funding-{key}-end"))
    assert field.locator(f"#funding-{key}-end-error").count() == 1
    assert page.locator(f".error-summary a[href='#funding-{key}-end']").count() == 1
    assert page.locator(f"#funding-{key}-title").input_value() == "量子計測"

    latest = latest_disclosure(user)
    assert (latest.pk, latest.number) == (pledged.pk, 1)
    assert latest.pledged_at == pledged.pledged_at
    assert latest.fundings[0]["end"] == "2026-03-31"
    assert DisclosureVersion.objects.filter(person=user).count() == 1

    # Saving again with the date still empty does not clear it either.
    page.get_by_role("button", name="保存する", exact=True).last.click()
    page.wait_for_selector(".error-summary")
    assert "保存済みの日付" in page.locator(f"#funding-{key}-end-error").inner_text()
    assert latest_disclosure(user).fundings[0]["end"] == "2026-03-31"
    assert latest_disclosure(user).number == 1
