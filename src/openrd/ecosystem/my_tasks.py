"""Procurement challenges on "My tasks": a ministry's official, and the command
tower for the Cabinet Office's challenges, see each proposal still waiting for a
decision (submitted or shortlisted), oldest first. No query for anyone else: a
municipality's officer (an institution officer, like every university's, whose
dashboard must stay a fixed few queries) finds them on the challenge's page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from openrd.accounts.models import OrganisationKind, Role
from openrd.accounts.permissions import is_command_tower_admin, is_ministry
from openrd.accounts.queries import role_organisation_ids
from openrd.core.my_tasks import Section, Task, register
from openrd.ecosystem.models import ChallengeResponse, ResponseStatus

TO_DECIDE = "ecosystem.proposals_to_decide"
WAITING = [ResponseStatus.SUBMITTED, ResponseStatus.SHORTLISTED]


def _owned(user: Any) -> Q | None:
    """The challenges whose proposals the user decides on (None: none)."""
    owners: set[int] = set()
    if is_ministry(user):
        owners |= set(role_organisation_ids(user, Role.MINISTRY))
    where = Q(challenge__owner__in=owners) if owners else None
    if is_command_tower_admin(user):
        tower = Q(challenge__owner__kind=OrganisationKind.CABINET_OFFICE)
        where = tower if where is None else where | tower
    return where


def ecosystem_tasks(user: Any, now: datetime) -> list[Task]:
    where = _owned(user)
    if where is None:
        return []
    rows = (
        ChallengeResponse.objects.filter(where, status__in=WAITING)
        .select_related("challenge", "company")
        .order_by("submitted_at", "pk")[:200]
    )
    return [
        Task(
            kind=TO_DECIDE,
            title=r.company.name,
            detail=gettext("A proposal to %(challenge)s, %(status)s.")
            % {"challenge": r.challenge.title, "status": r.get_status_display()},
            url=reverse("ecosystem:challenge", args=[r.challenge.code]) + f"#response-{r.pk}",
        )
        for r in rows
    ]


register(
    "ecosystem",
    ecosystem_tasks,
    sections=[
        Section(
            kind=TO_DECIDE,
            order=70,
            heading=gettext_lazy("Proposals to challenges to decide on"),
        )
    ],
)
