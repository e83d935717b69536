"""Stage gates awaiting an evaluation, on the dashboard of the award's own PM and of
the program directors of the agencies that run the program (a PD oversees the
portfolio; a PM their projects): overdue ones and those due within the next 90
days, in one query."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from openrd.accounts.models import Role
from openrd.accounts.queries import role_organisation_ids
from openrd.awards.models import AwardStatus, GateOutcome, StageGate
from openrd.core.fiscal import TOKYO, to_tokyo
from openrd.core.my_tasks import Section, Task, register, urgency_of

GATE = "awards.gate"
WITHIN = timedelta(days=90)


def _gates(user: Any, now: datetime) -> QuerySet[StageGate] | None:
    codes = user.role_codes()
    if not {Role.PROGRAM_MANAGER.value, Role.PROGRAM_DIRECTOR.value} & set(codes):
        return None  # no query for everyone else
    agencies = role_organisation_ids(user, Role.PROGRAM_DIRECTOR)
    horizon = (to_tokyo(now) + WITHIN).date()
    return (
        StageGate.objects.filter(
            status=GateOutcome.PENDING,
            award__status=AwardStatus.ACTIVE,
            due_on__lte=horizon,
        )
        .filter(Q(award__pm=user) | Q(award__program__agencies__in=agencies))
        .distinct()
        .select_related("award")
        .order_by("due_on", "id")
    )


def _due_at(gate: StageGate) -> datetime:
    # A gate is due by the end of its day in Japan.
    return datetime.combine(gate.due_on, time(23, 59, 59), tzinfo=TOKYO)


def gate_tasks(user: Any, now: datetime) -> list[Task]:
    rows = _gates(user, now)
    if rows is None:
        return []
    tasks = []
    for gate in rows:
        due_at = _due_at(gate)
        tasks.append(
            Task(
                kind=GATE,
                title=gate.award.title,
                detail=gate.name,
                url=reverse("awards:gate", args=[gate.pk]),
                due_at=due_at,
                urgency=urgency_of(due_at, now),
            )
        )
    return tasks


def gate_count(user: Any, now: datetime) -> int:
    rows = _gates(user, now)
    return 0 if rows is None else rows.count()


register(
    "awards.gates",
    gate_tasks,
    counter=gate_count,
    sections=[
        Section(kind=GATE, order=40, heading=gettext_lazy("Stage gates to evaluate")),
    ],
)
