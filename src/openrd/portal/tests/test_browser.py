"""The Moonshot page in a real browser: Japanese first, then English via the switch."""

import pytest

pytestmark = pytest.mark.browser


def test_moonshot_page_in_japanese_switches_to_english_and_shows_goal_6(
    page, site, loaded_programs
):
    page.goto(f"{site.url}/ja/programs/moonshot/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("h1").inner_text() == "ムーンショット型研究開発制度"

    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/en/programs/moonshot/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Moonshot Research and Development Program"
    goal6 = page.locator("#el-goal-6")
    assert goal6.is_visible()
    assert "Goal 6" in goal6.inner_text()
    # Keyboard users reach the language switch and the skip link comes first.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
