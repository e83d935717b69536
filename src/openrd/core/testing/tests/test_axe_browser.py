"""The axe helper itself: it loads under the site's CSP and reports what it finds."""

import pytest

from openrd.core.testing.axe import assert_accessible, format_violations, run_axe

pytestmark = pytest.mark.browser


def test_axe_runs_under_the_site_csp_and_fails_on_an_unlabelled_input(page, site):
    page.goto(f"{site.url}/ja/")
    # The page's own content, then an input without a label added on purpose.
    assert_accessible(page, label="home")
    page.evaluate(
        "() => { const i = document.createElement('input'); i.id = 'nolabel';"
        " document.querySelector('main').appendChild(i); }"
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, label="home + input")
    message = str(failure.value)
    assert message.startswith("home + input: 1 axe rule(s) violated on 1 element(s)")
    assert "- label (critical)" in message
    assert "at #nolabel" in message
    # Excluding the element leaves the page clean again.
    assert run_axe(page, exclude=["#nolabel"]) == []


def test_the_report_lists_rule_impact_targets_and_summary():
    text = format_violations(
        [
            {
                "id": "color-contrast",
                "impact": "serious",
                "help": "Elements must meet minimum color contrast ratio thresholds",
                "helpUrl": "https://dequeuniversity.com/rules/axe/4.14/color-contrast",
                "nodes": [
                    {
                        "target": [".badge"],
                        "summary": "Fix any of the following:\n  low",
                        "html": "",
                    }
                ],
            }
        ],
        label="docs",
    )
    assert text.splitlines() == [
        "docs: 1 axe rule(s) violated on 1 element(s)",
        "- color-contrast (serious): Elements must meet minimum color contrast ratio"
        " thresholds <https://dequeuniversity.com/rules/axe/4.14/color-contrast>",
        "    at .badge",
        "       Fix any of the following: low",
    ]
