"""What every browser test watches on a page: console errors and failed responses."""

from __future__ import annotations

from typing import Any

# The pages answer these on purpose (a stale revision, a refused field).
EXPECTED_STATUSES = frozenset({409, 422})


def watch_errors(page: Any, errors: list[str]) -> Any:
    """Append the page's console errors (a CSP violation shows up there) and its
    HTTP errors, except the expected ones, to ``errors``; returns the page."""
    expected = tuple(f"status of {s}" for s in sorted(EXPECTED_STATUSES))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not any(e in m.text for e in expected)
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.status not in EXPECTED_STATUSES
            else None
        ),
    )
    return page
