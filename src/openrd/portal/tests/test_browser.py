"""The Moonshot page in a real browser: Japanese first, then English via the switch."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.fixture
def site(transactional_db):
    """A live server for this test only: stopping it closes its database
    connection before the test database is dropped (PostgreSQL refuses to drop
    a database that still has sessions)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1")
    yield server
    server.stop()


@pytest.fixture
def page(site):
    """A Chromium page; closed before the live server stops, so no request is in flight."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(locale="ja-JP")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on(
            "response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        yield page
        browser.close()
        assert errors == []


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
