"""Reads of program data. Programs are public: every visitor may see them.
Calls are public once opened; a draft is seen only by those who manage it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from openrd.accounts.models import Organisation, OrganisationKind, Role
from openrd.accounts.permissions import is_command_tower_admin
from openrd.accounts.queries import role_organisation_ids
from openrd.core.access import get_visible_or_404
from openrd.core.deadlines import time_left
from openrd.core.listing import Listing, search_q
from openrd.programs.models import (
    Call,
    CallCriterion,
    CallDocument,
    CallPhase,
    CallStatus,
    Program,
    ProgramElement,
    ProgramFigure,
    ProgramKind,
)
from openrd.programs.permissions import staff_agency_ids
from openrd.programs.rules import (
    SEED_SOURCE,
    ProgramRules,
    RuleSource,
    call_phase,
    call_rules,
    describe_rules,
    program_rules,
)

if TYPE_CHECKING:
    from django.http import HttpRequest


# The order programs are listed in everywhere (home page, program list, API): the
# large national R&D programs first, then the funds and the startup-ecosystem
# programs, as the seed presents them; a kind not listed here comes last.
PROGRAM_ORDER: tuple[str, ...] = (
    ProgramKind.SIP,
    ProgramKind.MOONSHOT,
    ProgramKind.K_PROGRAM,
    ProgramKind.SBIR,
    ProgramKind.UNIVERSITY_FUND,
    ProgramKind.REGIONAL_UNIVERSITY,
    ProgramKind.STARTUP_ACCELERATOR,
    ProgramKind.GSUC,
)


def public_programs() -> QuerySet[Program]:
    """Every program, in PROGRAM_ORDER (then by code within a kind)."""
    rank = Case(
        *(When(kind=kind, then=Value(i)) for i, kind in enumerate(PROGRAM_ORDER)),
        default=Value(len(PROGRAM_ORDER)),
        output_field=IntegerField(),
    )
    return (
        Program.objects.select_related("owner")
        .prefetch_related("agencies")
        .alias(display_rank=rank)
        .order_by("display_rank", "code")
    )


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


@dataclass(frozen=True)
class CallRow:
    """A public call as a list shows it: where it stands now, and for an open
    call closing within CLOSING_SOON, the time left."""

    call: Call
    phase: CallPhase
    days_left: int | None = None  # Tokyo calendar days left, when a day or more is left
    hours_left: int | None = None  # whole hours left (at least 1) on the last day


CLOSING_SOON = timedelta(days=7)


def call_row(call: Call, now: datetime) -> CallRow:
    phase = CallPhase(call_phase(call.status, call.opens_at, call.closes_at, now))
    if phase != CallPhase.OPEN or call.closes_at - now > CLOSING_SOON:
        return CallRow(call, phase)
    # The dashboard's and the editor's count (core.deadlines), so they never disagree.
    left = time_left(call.closes_at, now)
    if left.days:
        return CallRow(call, phase, days_left=left.days)
    return CallRow(call, phase, hours_left=max(1, left.hours))


def open_call_rows(*, now: datetime | None = None) -> list[CallRow]:
    """The calls taking proposals now, the one closing first first (home page)."""
    at = now or timezone.now()
    calls = public_calls(CallFilters(status=CallPhase.OPEN), now=at).order_by("closes_at", "pk")
    return [call_row(c, at) for c in calls]


def program_call_rows(program: Program, *, now: datetime | None = None) -> list[CallRow]:
    """The program's public calls (never drafts): what can be applied to now, by
    deadline, then what is coming, by opening, then the past, the latest first."""
    at = now or timezone.now()
    rows = [call_row(c, at) for c in public_calls(CallFilters(program=program.code), now=at)]

    def key(row: CallRow) -> tuple[int, float]:
        call = row.call
        if row.phase == CallPhase.OPEN:
            return (0, call.closes_at.timestamp())
        if row.phase == CallPhase.UPCOMING:
            return (1, call.opens_at.timestamp())
        return (2, -call.closes_at.timestamp())

    return sorted(rows, key=key)


@dataclass(frozen=True)
class Citation:
    """Where a fact comes from in the seed: the partial templates/_citation.html shows it."""

    line: int
    excerpt: str
    document: str = SEED_SOURCE


@dataclass(frozen=True)
class RuleInWords:
    text: str
    citation: Citation | None  # a line of the seed, when the rule has one
    source: str  # the rule's source in words (call guidelines, or the seed as a whole)


def rules_in_words(rules: ProgramRules) -> list[RuleInWords]:
    """describe_rules() with each seed source as a Citation. describe_rules gives
    each source as the words RuleSource.cite() renders; they are matched back to
    the rule's RuleSource here so the rules module keeps one description."""
    seed_sources = {s.cite(): s for s in rules.sources.values() if isinstance(s, RuleSource)}
    lines = []
    for text, source in describe_rules(rules):
        seed = seed_sources.get(source)
        citation = Citation(seed.seed_line, seed.seed_text) if seed else None
        lines.append(RuleInWords(text, citation, source))
    return lines


def effective_rules(call: Call) -> ProgramRules:
    """The program's rules as the call narrows them."""
    return call_rules(program_rules(call.program.rules), call.eligibility, call_code=call.code)


def own_agency_calls(user: Any) -> QuerySet[Call]:
    """The calls of the agencies whose staff ``user`` is, drafts and closed ones
    included: the agency's own section of the call list. Read through
    :func:`visible_calls`, so the list never shows a call its page would refuse."""
    agencies = staff_agency_ids(user)
    if not agencies:
        return Call.objects.none()
    return visible_calls(user).filter(agency_id__in=agencies).order_by("-updated_at", "code")


def programs_for_new_call(user: Any) -> QuerySet[Program]:
    """The programs run by an agency whose staff ``user`` is (where they may draft a call)."""
    return Program.objects.filter(agencies__in=staff_agency_ids(user)).distinct().order_by("code")


def is_call_agency_staff(user: Any, call: Call) -> bool:
    """Staff of the agency running the call: the people who draft, open and close it."""
    return call.agency_id in staff_agency_ids(user)


def may_see_call_statistics(user: Any, call: Call) -> bool:
    """The agency running the call, and the PD and PM of the program at that agency."""
    if is_call_agency_staff(user, call):
        return True
    return any(
        call.agency_id in role_organisation_ids(user, role)
        for role in (Role.PROGRAM_DIRECTOR, Role.PROGRAM_MANAGER)
    )


# ---------------------------------------------------------------- lists that page


# The public call list: soonest deadline first by default (what an applicant
# needs first); see core.listing for how the query string is read.
CALL_LISTING = Listing(
    sorts={
        "deadline": ("closes_at",),
        "opens": ("opens_at",),
        "title": ("title_ja",),
        "budget": ("total_budget_yen",),
    },
    default_sort="deadline",
)
CALL_SEARCH_FIELDS = (
    "title_ja",
    "title_en",
    "program__name_ja",
    "program__name_en",
    "program__short_name_ja",
    "program__short_name_en",
)

# "order" is PROGRAM_ORDER (the display_rank that public_programs() computes).
PROGRAM_LISTING = Listing(
    sorts={"order": ("display_rank", "code"), "code": ("code",), "name": ("name_ja",)},
    default_sort="order",
    per_page=50,
)
PROGRAM_SEARCH_FIELDS = ("code", "name_ja", "name_en", "short_name_ja", "short_name_en")


def listed_calls(
    filters: CallFilters | None = None, q: str = "", *, now: datetime | None = None
) -> QuerySet[Call]:
    """The public calls a list shows: filtered, then searched in the titles and the
    program's names (every word must appear somewhere)."""
    calls = public_calls(filters, now=now)
    if q:
        calls = calls.filter(search_q(q, CALL_SEARCH_FIELDS))
    return calls


def listed_programs(q: str = "") -> QuerySet[Program]:
    programs = public_programs()
    if q:
        programs = programs.filter(search_q(q, PROGRAM_SEARCH_FIELDS))
    return programs
