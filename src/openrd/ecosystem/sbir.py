"""Japanese SBIR from the startups' side: each call's topic as the unified rules
describe it (seed l.1172–1174), the awards per ministry and phase in a fiscal
year, and the Phase 3 projects' roadmaps toward social implementation (seed
l.1184). The spending target against these awards is the command tower's page
(``strategy.sbir``); this module counts the same budget lines per phase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.awards.models import Award, AwardBudget
from openrd.core import audit
from openrd.core.fiscal import fiscal_year_of
from openrd.ecosystem.models import (
    MilestoneKind,
    MilestoneStatus,
    RoadmapMilestone,
    SbirTopic,
    TopicMode,
    TopicType,
)
from openrd.programs.models import Call

SBIR = "sbir"
PHASE3 = "phase3"
MAX_MILESTONES = 30
# A roadmap reaches this many fiscal years past the project's end at most.
ROADMAP_YEARS_AFTER = 10
TOPIC_FIELDS = ["topic_type", "designated", "mode", "hand_off_to_id", "program_manager_id",
                "pm_name_ja", "goal_ja", "goal_en"]  # fmt: skip


@transaction.atomic
def define_topic(
    call: Call,
    *,
    actor: Any,
    topic_type: str,
    goal_ja: str,
    pm_name_ja: str = "",
    program_manager: Any = None,
    designated: bool = True,
    mode: str = TopicMode.ONE_MINISTRY,
    hand_off_to: Organisation | None = None,
    goal_en: str = "",
) -> SbirTopic:
    """Describe (or redescribe) an SBIR call's topic."""
    if not actor.has_perm("ecosystem.define_topic", call):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if call.program.code != SBIR:
        errors["call"] = [_("Only an SBIR call has an SBIR topic.")]
    if topic_type not in TopicType.values:
        errors["topic_type"] = [_("Choose the type of topic.")]
    if mode not in TopicMode.values:
        errors["mode"] = [_("Choose how the phases are run.")]
    elif mode == TopicMode.HAND_OFF:
        if hand_off_to is None or hand_off_to.kind != OrganisationKind.MINISTRY:
            errors["hand_off_to"] = [_("Choose the ministry that takes over.")]
        elif hand_off_to.pk == call.presenting_ministry_id:
            errors["hand_off_to"] = [_("A hand-off goes to another ministry.")]
    pm_name = pm_name_ja.strip() or (program_manager.name_ja if program_manager else "")
    if not pm_name:
        errors["pm_name_ja"] = [_("Name the program manager.")]
    if not goal_ja.strip():
        errors["goal_ja"] = [_("Say what procurement or use the topic leads to.")]
    for name, text in (("goal_ja", goal_ja), ("goal_en", goal_en)):
        if len(text.strip()) > 2000:
            errors[name] = [_("At most %(n)d characters.") % {"n": 2000}]
    if errors:
        raise ValidationError(errors)
    topic = SbirTopic.objects.select_for_update().filter(call=call).first()
    before = audit.snapshot(topic, TOPIC_FIELDS)
    topic = topic or SbirTopic(call=call)
    topic.topic_type, topic.designated, topic.mode = topic_type, designated, mode
    topic.hand_off_to = hand_off_to if mode == TopicMode.HAND_OFF else None
    topic.program_manager, topic.pm_name_ja = program_manager, pm_name
    topic.goal_ja, topic.goal_en = goal_ja.strip(), goal_en.strip()
    topic.save()
    audit.record("ecosystem.sbir_topic.defined", actor=actor, obj=topic, before=before,
                 after=audit.snapshot(topic, TOPIC_FIELDS))  # fmt: skip
    return topic


def topics() -> QuerySet[SbirTopic]:
    return SbirTopic.objects.select_related(
        "call__presenting_ministry", "call__agency", "call__topic", "hand_off_to"
    ).order_by("call__presenting_ministry__code", "-call__opens_at", "call__code")


@dataclass(frozen=True)
class PhaseTotal:
    ministry: Organisation
    phase: str  # the element's code (phase1, phase2, phase3) or "" when none is recorded
    awards: int
    yen: int


def phase_totals(fiscal_year: int) -> list[PhaseTotal]:
    """The fiscal year's SBIR budget lines per ministry (the one that presented the
    call, else the program's owner) and phase: the awards behind the spending."""
    rows = (
        AwardBudget.objects.filter(fiscal_year=fiscal_year, award__program__code=SBIR)
        .annotate(ministry=Coalesce("award__call__presenting_ministry", "award__program__owner"))
        .values("ministry", "award__element__code")
        .annotate(awards=Count("award", distinct=True), yen=Sum("amount_yen"))
        .order_by()
    )
    found = list(rows)
    ministries = Organisation.objects.in_bulk({r["ministry"] for r in found})
    totals = [
        PhaseTotal(ministries[r["ministry"]], r["award__element__code"] or "", r["awards"],
                   int(r["yen"]))
        for r in found
    ]  # fmt: skip
    return sorted(totals, key=lambda t: (t.ministry.code, t.phase))


def phase3_projects() -> QuerySet[Award]:
    """Every SBIR Phase 3 award with its roadmap, newest first."""
    return (
        Award.objects.filter(program__code=SBIR, element__code=PHASE3)
        .select_related("institution", "call__presenting_ministry")
        .prefetch_related(Prefetch("roadmap", queryset=RoadmapMilestone.objects.order_by("order")))
        .order_by("-starts_on", "grant_number")
    )


@dataclass(frozen=True)
class MilestoneInput:
    kind: str
    title_ja: str
    fiscal_year: int | None
    status: str = MilestoneStatus.PLANNED
    achieved_on: date | None = None
    title_en: str = ""
    note: str = ""


def _milestone_errors(m: MilestoneInput, award: Award, today: date) -> dict[str, str]:
    first = fiscal_year_of(award.starts_on)
    last = fiscal_year_of(award.ends_on) + ROADMAP_YEARS_AFTER
    errors: dict[str, str] = {}
    if m.kind not in MilestoneKind.values:
        errors["kind"] = _("Choose the kind of milestone.")
    if not m.title_ja.strip():
        errors["title_ja"] = _("Name the milestone.")
    if m.fiscal_year is None or not first <= m.fiscal_year <= last:
        errors["fiscal_year"] = _("A fiscal year from %(first)d to %(last)d.") % {
            "first": first, "last": last,
        }  # fmt: skip
    if m.status not in MilestoneStatus.values:
        errors["status"] = _("Choose the milestone's status.")
    elif m.status == MilestoneStatus.ACHIEVED and m.achieved_on is None:
        errors["achieved_on"] = _("Enter the day it was achieved.")
    if m.achieved_on is not None and m.achieved_on > today:
        errors["achieved_on"] = _("A milestone is achieved on a day that has come.")
    return errors


@transaction.atomic
def save_roadmap(award: Award, *, actor: Any, milestones: list[MilestoneInput], today: date
                 ) -> list[RoadmapMilestone]:  # fmt: skip
    """Replace a Phase 3 project's roadmap with ``milestones`` in their order;
    every row is checked first and a refusal saves nothing (errors keyed
    ``milestones-<n>-<field>``)."""
    if not actor.has_perm("ecosystem.keep_roadmap", award):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if award.program.code != SBIR or award.element is None or award.element.code != PHASE3:
        errors["award"] = [_("Only an SBIR Phase 3 project has a roadmap.")]
    if len(milestones) > MAX_MILESTONES:
        errors["milestones"] = [_("At most %(n)d milestones.") % {"n": MAX_MILESTONES}]
    for n, m in enumerate(milestones):
        for field, message in _milestone_errors(m, award, today).items():
            errors[f"milestones-{n}-{field}"] = [message]
    if errors:
        raise ValidationError(errors)
    before = [_row(r) for r in award.roadmap.order_by("order")]
    award.roadmap.all().delete()
    rows = RoadmapMilestone.objects.bulk_create(
        RoadmapMilestone(
            award=award, order=n + 1, kind=m.kind, title_ja=m.title_ja.strip(),
            title_en=m.title_en.strip(), fiscal_year=m.fiscal_year or 0, status=m.status,
            achieved_on=m.achieved_on if m.status == MilestoneStatus.ACHIEVED else None,
            note=m.note.strip()[:300],
        )
        for n, m in enumerate(milestones)
    )  # fmt: skip
    audit.record("ecosystem.roadmap.saved", actor=actor, obj=award,
                 before={"milestones": before},
                 after={"milestones": [_row(r) for r in rows]})  # fmt: skip
    return rows


def _row(m: RoadmapMilestone) -> dict[str, Any]:
    return {"kind": m.kind, "title_ja": m.title_ja, "fiscal_year": m.fiscal_year,
            "status": m.status, "achieved_on": m.achieved_on.isoformat() if m.achieved_on
            else None}  # fmt: skip


@dataclass(frozen=True)
class Progress:
    achieved: int
    delayed: int
    total: int


def progress(milestones: list[RoadmapMilestone]) -> Progress:
    kept = [m for m in milestones if m.status != MilestoneStatus.DROPPED]
    return Progress(
        sum(m.status == MilestoneStatus.ACHIEVED for m in kept),
        sum(m.status == MilestoneStatus.DELAYED for m in kept),
        len(kept),
    )


PHASE_NUMBERS = {"phase1": 1, "phase2": 2, "phase3": 3}


def phases_reached(company: Any) -> list[int]:
    """The SBIR phases the company reached: its awards here, and those on public
    record elsewhere (``SbirAwardRecord``)."""
    here = set()
    if company.organisation_id is not None:
        codes = Award.objects.filter(
            institution_id=company.organisation_id, program__code=SBIR
        ).values_list("element__code", flat=True)
        here = {PHASE_NUMBERS[c] for c in codes if c in PHASE_NUMBERS}
    elsewhere = set(company.sbir_records.values_list("phase", flat=True))
    return sorted(here | elsewhere)
