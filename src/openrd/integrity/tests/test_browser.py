"""The disclosure form in a real browser: rows added by htmx under the strict CSP."""

import pytest

from openrd.accounts.tests.factories import UserFactory
from openrd.integrity.queries import latest_disclosure

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
