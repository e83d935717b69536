"""The "My tasks" count shown in the header to signed-in people."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openrd.core.my_tasks import count_for

_ATTRIBUTE = "_openrd_my_tasks_count"


def remember_task_count(request: HttpRequest, count: int) -> None:
    """A page that has just gathered the tasks gives the header their number, so
    it is not asked again in the same request (and never kept beyond it)."""
    setattr(request, _ATTRIBUTE, count)


def my_tasks_count(request: HttpRequest) -> dict[str, Any]:
    def count() -> int:
        found: int | None = getattr(request, _ATTRIBUTE, None)
        if found is None:
            found = count_for(getattr(request, "user", None))
            remember_task_count(request, found)
        return found

    # Lazy: pages that never show the header (downloads, API) make no query.
    return {"my_tasks_count": count}
