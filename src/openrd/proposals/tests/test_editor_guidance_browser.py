"""The editor's guidance in a real browser: the budget total and the character counter
follow the typing, and a refused submission's summary takes the focus and leads to
the field to fix."""

import pytest

from openrd.proposals.tests.test_browser import log_in, start_draft

pytestmark = pytest.mark.browser


def test_typing_updates_total_and_counter_and_the_refusal_summary_leads_to_the_field(
    page, site, world
):
    log_in(page, site, world)
    start_draft(page, site, world)
    total = page.locator("#budget-total")
    assert "上限まで残り2,000万円" in total.inner_text()

    # Updated as typed, before any autosave has answered (full-width digits too).
    page.get_by_label("2026年度の予算（円）").fill("１５,０００,０００")
    assert "予算合計: 1,500万円" in total.inner_text()
    assert "上限まで残り500万円" in total.inner_text()
    page.get_by_label("2027年度の予算（円）").fill("10,000,000")
    assert "上限を500万円超えています" in total.inner_text()
    assert "budget-total--over" in (total.get_attribute("class") or "")

    abstract = page.get_by_label("概要（日本語）")
    abstract.fill("量子センサで配管を診る")
    assert page.locator("#id_abstract_ja_counter").inner_text() == "11 / 4000 文字"
    assert abstract.get_attribute("maxlength") is None

    page.get_by_label("課題名（日本語）").fill("量子センサによる配管診断")
    page.get_by_role("button", name="保存して提出").click()
    page.wait_for_selector("#refusal")
    # The server computed the same total from what it saved.
    assert "上限を500万円超えています" in page.locator("#budget-total").inner_text()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'refusal'")
    link = page.locator('#refusal a[href="#id_effort_percent"]')
    assert "エフォート" in link.inner_text()
    link.click()
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'id_effort_percent'"
    )
    assert page.locator('#refusal li[data-code="budget.over_cap"] a').get_attribute("href") == (
        "#id_budget_2026"
    )
