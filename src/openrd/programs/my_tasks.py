"""Open calls of the programs a person follows, on "My tasks".

Two queries at most: the followed programs, then their calls open now (by the
same window as the public "open" filter), soonest deadline first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openrd.accounts.permissions import is_researcher
from openrd.core.my_tasks import Section, Task, register, urgency_of
from openrd.programs.follow import followed_codes
from openrd.programs.models import CallPhase
from openrd.programs.queries import CallFilters, public_calls

OPEN_CALL = "programs.open_call"


def open_call_tasks(user: Any, now: datetime) -> list[Task]:
    codes = followed_codes(user)
    if not codes:
        return []
    calls = (
        public_calls(CallFilters(status=CallPhase.OPEN), now=now)
        .filter(program__code__in=codes)
        .order_by("closes_at", "pk")
    )
    return [
        Task(
            kind=OPEN_CALL,
            title=call.title,
            detail=_("%(program)s, run by %(agency)s")
            % {"program": call.program.name, "agency": call.agency.name},
            url=reverse("calls:detail", args=[call.pk]),
            due_at=call.closes_at,
            urgency=urgency_of(call.closes_at, now),
            about=f"call:{call.pk}",  # gives way to the person's own proposal to it
        )
        for call in calls
    ]


register(
    "programs.open_calls",
    open_call_tasks,
    sections=[
        Section(
            kind=OPEN_CALL,
            order=50,
            heading=gettext_lazy("Open calls of programs you follow"),
            shown_to=is_researcher,
            empty=gettext_lazy("No program you follow has an open call just now."),
            next_step=gettext_lazy("Follow programs to see their open calls here"),
            next_url="programs:list",
        )
    ],
)
