"""The list tables at a phone's width (390 px): rows become cards, nothing
scrolls sideways, and each value keeps its column's label."""

import pytest

from openrd.portal.tests.test_lists import bulk_organisations

pytestmark = pytest.mark.browser


def test_at_390_px_the_table_rows_are_cards_without_sideways_scrolling(page, site):
    bulk_organisations(3)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site.url}/ja/organisations/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row = page.locator("table.table--cards tbody tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    cell = row.locator("td").first
    label = cell.evaluate("c => getComputedStyle(c, '::before').content")
    # The label is the column's header (the reading, second column).
    header = page.locator("table.table--cards thead th").nth(1).text_content()
    assert label.strip('"') == header.strip()
    # The header row is for screen readers only at this width.
    assert page.locator("table.table--cards thead").bounding_box()["width"] <= 1
    # Wide screens keep the table.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
