"""The signed-in person's tasks ("My tasks") over the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from openrd.accounts.api_auth import api_auth
from openrd.core.api_schemas import ErrorOut
from openrd.core.my_tasks import task_dict, tasks_for, total

router = Router(tags=["tasks"], auth=api_auth)


class TaskOut(Schema):
    kind: str = Field(description="The kind of work, e.g. `proposals.draft`")
    title: str
    detail: str = Field(description="The call, the reason for a return, or what is asked")
    url: str = Field(description="The page where the work is done")
    due_at: datetime | None = Field(description="The deadline, when there is one")
    countdown: str = Field(description="The time left, in words; empty without a deadline")
    urgency: str = Field(description="`overdue`, `urgent` (under a day), `soon` or `normal`")
    count: int | None = Field(description="How many items the task stands for, if several")


class TaskListOut(Schema):
    count: int = Field(description="How many things await the person (the header's number)")
    items: list[TaskOut]


@router.get(
    "/me/tasks",
    response={200: TaskListOut, 401: ErrorOut},
    summary="What awaits the signed-in user, overdue and soonest first",
    description="The tasks of the dashboard across every role the user holds: drafts, "
    "returned proposals, endorsements, the integrity pledge, open calls of followed "
    "programs. 401 without credentials.",
)
def list_tasks(request: HttpRequest) -> dict[str, Any]:
    now = timezone.now()
    tasks = tasks_for(request.user, now)
    return {"count": total(tasks), "items": [task_dict(t, now) for t in tasks]}
