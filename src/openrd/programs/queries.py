"""Reads of program data. Programs are public: every visitor may see them.
Calls are public once opened; a draft is seen only by those who manage it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.accounts.permissions import is_command_tower_admin
from openrd.core.access import get_visible_or_404
from openrd.programs.models import (
    Call,
    CallCriterion,
    CallDocument,
    CallPhase,
    CallStatus,
    Program,
    ProgramElement,
    ProgramFigure,
)
from openrd.programs.permissions import staff_agency_ids
from openrd.programs.rules import ProgramRules, call_rules, program_rules

if TYPE_CHECKING:
    from django.http import HttpRequest


def public_programs() -> QuerySet[Program]:
    return Program.objects.select_related("owner").prefetch_related("agencies")


@dataclass
class ElementNode:
    element: ProgramElement
    children: list[ElementNode] = field(default_factory=list)


@dataclass
class ProgramOverview:
    program: Program
    elements: list[ProgramElement]
    figures: list[ProgramFigure]
    # Top-level elements grouped by kind, each with its subtree, in preset order.
    sections: dict[str, list[ElementNode]]

    def of_kind(self, kind: str) -> list[ProgramElement]:
        return [e for e in self.elements if e.kind == kind]


def program_overview(code: str) -> ProgramOverview:
    """The program with its whole structure in three queries, or Http404."""
    program = (
        public_programs()
        .prefetch_related(
            Prefetch("elements", queryset=ProgramElement.objects.order_by("order", "id")),
            Prefetch("figures", queryset=ProgramFigure.objects.order_by("fiscal_year", "id")),
        )
        .filter(code=code)
        .first()
    )
    if program is None:
        raise Http404
    elements = list(program.elements.all())
    nodes = {e.pk: ElementNode(e) for e in elements}
    sections: dict[str, list[ElementNode]] = defaultdict(list)
    for e in elements:
        if e.parent_id is None:
            sections[e.kind].append(nodes[e.pk])
        else:
            nodes[e.parent_id].children.append(nodes[e.pk])
    return ProgramOverview(program, elements, list(program.figures.all()), dict(sections))


# ---------------------------------------------------------------- calls for proposals

PUBLIC_CALL_STATUSES = (CallStatus.OPEN, CallStatus.CLOSED)
# The phases a visitor can filter on; drafts are never public.
PUBLIC_PHASES = (CallPhase.UPCOMING, CallPhase.OPEN, CallPhase.CLOSED)


@dataclass(frozen=True)
class CallFilters:
    """Filters of the public call list; empty values do not filter."""

    program: str = ""  # program code
    agency: str = ""  # code of the funding agency running the call
    status: str = ""  # where the call stands now: "upcoming", "open" or "closed"
    fiscal_year: int | None = None


def _calls() -> QuerySet[Call]:
    return Call.objects.select_related("program", "agency", "topic", "presenting_ministry")


def _phase_q(phase: str, now: datetime) -> Q:
    """The calls in ``phase`` at ``now``: the window of rules.call_phase, in SQL."""
    at = now.replace(microsecond=0)
    published = Q(status=CallStatus.OPEN)
    if phase == CallPhase.UPCOMING:
        return published & Q(opens_at__gt=at)
    if phase == CallPhase.OPEN:
        return published & Q(opens_at__lte=at, closes_at__gte=at)
    if phase == CallPhase.CLOSED:
        return Q(status=CallStatus.CLOSED) | (published & Q(closes_at__lt=at))
    raise ValueError(f"unknown call phase {phase!r}")


def public_calls(
    filters: CallFilters | None = None, *, now: datetime | None = None
) -> QuerySet[Call]:
    """Open and closed calls (never drafts), with what a list shows in one query."""
    filters = filters or CallFilters()
    calls = _calls().filter(status__in=PUBLIC_CALL_STATUSES)
    if filters.program:
        calls = calls.filter(program__code=filters.program)
    if filters.agency:
        calls = calls.filter(agency__code=filters.agency)
    if filters.status:
        calls = calls.filter(_phase_q(filters.status, now or timezone.now()))
    if filters.fiscal_year is not None:
        calls = calls.filter(fiscal_year=filters.fiscal_year)
    return calls


def public_call_fiscal_years() -> list[int]:
    """The fiscal years that public calls belong to, newest first (for a filter)."""
    return list(
        Call.objects.filter(status__in=PUBLIC_CALL_STATUSES)
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class CallFilterOptions:
    programs: list[Program]
    agencies: list[Organisation]
    fiscal_years: list[int]


def call_filter_options() -> CallFilterOptions:
    """What the public call list can be filtered by, in three queries."""
    return CallFilterOptions(
        programs=list(Program.objects.order_by("code")),
        agencies=list(
            Organisation.objects.filter(kind=OrganisationKind.FUNDING_AGENCY).order_by("code")
        ),
        fiscal_years=public_call_fiscal_years(),
    )


def visible_calls(user: Any) -> QuerySet[Call]:
    """Every call ``user`` may see: the public ones and the drafts they manage
    (the same people as programs.manage_call, as one query)."""
    if is_command_tower_admin(user):
        return _calls()
    return _calls().filter(
        Q(status__in=PUBLIC_CALL_STATUSES) | Q(agency_id__in=staff_agency_ids(user))
    )


def visible_call(user: Any, call_id: int, *, request: HttpRequest | None = None) -> Call:
    """One call with its documents and criteria, or Http404 (a draft the user
    may not see is answered like a missing call, and the attempt is audited)."""
    calls = visible_calls(user).prefetch_related(
        Prefetch("documents", queryset=CallDocument.objects.order_by("order", "id")),
        Prefetch("criteria", queryset=CallCriterion.objects.order_by("order", "id")),
    )
    return get_visible_or_404(calls, request=request, user=user, pk=call_id)


def effective_rules(call: Call) -> ProgramRules:
    """The program's rules as the call narrows them."""
    return call_rules(program_rules(call.program.rules), call.eligibility, call_code=call.code)
