"""The repository on "My tasks": for a researcher, each mandated output of theirs
not yet open (with the date it is due); for a curator, the deposits awaiting
curation at their institution. One query each, none for anyone else."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from openrd.accounts.models import Role
from openrd.core.fiscal import TOKYO, to_tokyo
from openrd.core.my_tasks import Section, Task, Urgency, register, urgency_of
from openrd.repository.compliance import compliance_of, counted_outputs
from openrd.repository.queries import own_outputs, to_curate
from openrd.repository.rules import ComplianceStatus

TO_OPEN = "repository.to_open"
TO_CURATE = "repository.to_curate"
NOT_OPEN = (ComplianceStatus.PENDING, ComplianceStatus.NON_COMPLIANT)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _to_open(user: Any, now: datetime) -> list[Task]:
    if Role.RESEARCHER.value not in user.role_codes():
        return []
    today = to_tokyo(now).date()
    rows = counted_outputs().filter(pk__in=own_outputs(user).values("pk")).order_by("pk")
    tasks = []
    for output in rows:
        compliance = compliance_of(output, today=today)
        if compliance.status not in NOT_OPEN:
            continue
        due = (
            datetime.combine(compliance.due_on, time(23, 59, 59), tzinfo=TOKYO)
            if compliance.due_on
            else None
        )
        tasks.append(
            Task(
                kind=TO_OPEN,
                title=output.title,
                detail=compliance.reason.message,
                url=reverse("repository:deposit", args=[output.pk]),
                due_at=due,
                urgency=urgency_of(due, now) if due else Urgency.NORMAL,
            )
        )
    return tasks


def _to_curate(user: Any) -> list[Task]:
    if Role.CURATOR.value not in user.role_codes():
        return []  # no query for everyone else
    count = to_curate(user).count()
    if not count:
        return []
    return [
        Task(
            kind=TO_CURATE,
            title=gettext("Deposits awaiting curation"),
            url=reverse("repository:curation"),
            count=count,
        )
    ]


def repository_tasks(user: Any, now: datetime) -> list[Task]:
    if not _active(user):
        return []
    return _to_open(user, now) + _to_curate(user)


register(
    "repository",
    repository_tasks,
    sections=[
        Section(kind=TO_OPEN, order=46, heading=gettext_lazy("Outputs to make open")),
        Section(kind=TO_CURATE, order=48, heading=gettext_lazy("Deposits to curate")),
    ],
)
