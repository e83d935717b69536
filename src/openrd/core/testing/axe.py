"""Accessibility checks for browser tests: axe-core run inside a Playwright page.

axe-core is vendored in ``vendor/axe-core/`` (scripts/vendor-assets.sh), next
to this module and outside the static folders, so the site never serves it.

The site's Content-Security-Policy allows scripts from its own origin only, so
an inline ``<script>`` tag would be refused (and reported as a console error).
The source is evaluated through the DevTools protocol instead
(``page.evaluate``), which the page's CSP does not govern; axe itself needs no
``eval``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus Deque's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

_RUN = """
async ([exclude, tags]) => {
    const context = exclude.length
        ? {include: [document], exclude: exclude.map((s) => [s])}
        : document;
    const result = await window.axe.run(context, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({
            target: n.target.map((t) => Array.isArray(t) ? t.join(" >>> ") : t),
            summary: n.failureSummary || "",
            html: n.html,
        })),
    }));
}
"""


@cache
def axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def _inject(page: Any) -> None:
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    # Wrapped in a function so Playwright evaluates the whole source as a body.
    page.evaluate("() => {\n" + axe_source() + "\n}")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        raise AssertionError(f"axe-core did not load from {AXE_PATH}")


def run_axe(page: Any, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
    """The axe violations of the page as it is now (a list of plain dicts)."""
    _inject(page)
    violations: list[dict[str, Any]] = page.evaluate(_RUN, [list(exclude or []), TAGS])
    return violations


def format_violations(violations: list[dict[str, Any]], *, label: str = "") -> str:
    """A readable report: one block a rule, one line an element."""
    count = sum(len(v["nodes"]) for v in violations)
    lines = [f"{label or 'page'}: {len(violations)} axe rule(s) violated on {count} element(s)"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    at {', '.join(node['target'])}")
            summary = " ".join(node["summary"].split())
            if summary:
                lines.append(f"       {summary[:400]}")
    return "\n".join(lines)


def assert_accessible(page: Any, *, label: str = "", exclude: list[str] | None = None) -> None:
    """Fail unless axe finds no WCAG 2.x A/AA or best-practice violation on the page.

    ``label`` names the page in the failure message (default: its URL);
    ``exclude`` lists CSS selectors of parts to leave out (third-party widgets
    only, never the page's own content).
    """
    violations = run_axe(page, exclude=exclude)
    if violations:
        raise AssertionError(format_violations(violations, label=label or page.url))
