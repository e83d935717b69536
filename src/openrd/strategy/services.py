"""The writers of the strategy: the file loaded into the database, and the
observations the responsible ministries enter. Each writes the audit log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, OrganisationKind, User
from openrd.core import audit
from openrd.programs.models import Program
from openrd.programs.services.presets import PresetConflict, UnknownOrganisation
from openrd.strategy.models import (
    Goal,
    Indicator,
    IndicatorLink,
    Measure,
    MeasureMinistry,
    MinistryRole,
    Observation,
    ObservationStatus,
    SpecifiedSubsidy,
    Strategy,
    Target,
)
from openrd.strategy.strategy_files import Citation, StrategySpec, read_strategies


def _by_code(model: Any, codes: set[str], what: str) -> dict[str, Any]:
    found = {row.code: row for row in model.objects.filter(code__in=codes)}
    missing = sorted(codes - set(found))
    if missing:
        raise UnknownOrganisation(f"strategy names unknown {what} {', '.join(missing)}")
    return found


def _cited(c: Citation) -> dict[str, Any]:
    return {"seed_line": c.seed_line, "seed_text": c.seed_text}


def _sources(found: dict[str, Citation]) -> dict[str, Any]:
    return {key: _cited(c) for key, c in found.items()}


def _upsert(model: Any, keys: dict[str, Any], fields: dict[str, Any]) -> Any:
    row, _created = model.objects.update_or_create(**keys, defaults=fields)
    return row


@transaction.atomic
def load_strategy(spec: StrategySpec, *, actor: User | None = None) -> tuple[Strategy, bool]:
    """Create or bring in line one strategy from its file; (strategy, changed).

    A file already loaded (same digest) is left alone. Goals, measures and
    indicators are matched by code and updated in place, so what the ministries
    entered stays attached; the targets and observations the file cites are
    replaced by the file's. An indicator the file drops is refused while
    entered observations hang on it.
    """
    strategy = Strategy.objects.filter(code=spec.code).first()
    if strategy is not None and strategy.digest == spec.digest:
        return strategy, False
    ministry_codes = {c for m in spec.measures
                      for c in m.primary_ministries + m.collaborating_ministries}  # fmt: skip
    orgs: dict[str, Organisation] = _by_code(
        Organisation,
        ministry_codes
        | {m.lead_agency for m in spec.measures if m.lead_agency}
        | {i.owner for i in spec.indicators if i.owner},
        "organisation(s)",
    )
    programs: dict[str, Program] = _by_code(
        Program,
        {p for m in spec.measures for p in m.programs}
        | {i.program for i in spec.indicators if i.program},
        "program(s)",
    )
    if strategy is not None:
        kept = {i.code for i in spec.indicators}
        orphaned = sorted(
            Observation.objects.filter(indicator__measure__strategy=strategy, seed_line=None)
            .exclude(indicator__code__in=kept)
            .values_list("indicator__code", flat=True)
            .distinct()
        )
        if orphaned:
            raise PresetConflict(
                f"strategy {spec.code!r} drops indicator(s) {', '.join(orphaned)} "
                "that hold entered observations"
            )
    before = audit.snapshot(strategy, ["digest"])
    strategy = _upsert(
        Strategy, {"code": spec.code},
        {"year": spec.year, "name_ja": spec.name_ja, "name_en": spec.name_en,
         "cabinet_decision_on": spec.cabinet_decision_on, "ordinal": spec.ordinal,
         "basic_plan_ja": spec.basic_plan_ja, "basic_plan_en": spec.basic_plan_en,
         "basic_plan_first_year": spec.basic_plan_first_year,
         "basic_plan_last_year": spec.basic_plan_last_year, "sources": _sources(spec.sources),
         "digest": spec.digest, **_cited(spec.cited)},
    )  # fmt: skip
    goals: dict[str, Goal] = {}
    for g in spec.goals:  # the file lists parents before their children or not: two passes
        goals[g.code] = _upsert(
            Goal, {"strategy": strategy, "code": g.code},
            {"order": g.order, "title_ja": g.title_ja, "title_en": g.title_en, "parent": None,
             "cross_cutting": g.cross_cutting, **_cited(g.cited)},
        )  # fmt: skip
    for g in spec.goals:
        if g.parent:
            goals[g.code].parent = goals[g.parent]
            goals[g.code].save(update_fields=["parent"])
    measures: dict[str, Measure] = {}
    for m in spec.measures:
        measure = _upsert(
            Measure, {"strategy": strategy, "code": m.code},
            {"goal": goals[m.goal], "order": m.order, "title_ja": m.title_ja,
             "title_en": m.title_en, "summary_ja": m.summary_ja, "summary_en": m.summary_en,
             "others": m.others, "lead_agency": orgs.get(m.lead_agency),
             "sources": _sources(m.sources), **_cited(m.cited)},
        )  # fmt: skip
        measure.programs.set([programs[p] for p in m.programs])
        measure.ministries.all().delete()
        MeasureMinistry.objects.bulk_create(
            [MeasureMinistry(measure=measure, organisation=orgs[c], role=MinistryRole.PRIMARY,
                             order=n) for n, c in enumerate(m.primary_ministries)]
            + [MeasureMinistry(measure=measure, organisation=orgs[c],
                               role=MinistryRole.COLLABORATING, order=n)
               for n, c in enumerate(m.collaborating_ministries)]
        )  # fmt: skip
        measures[m.code] = measure
    indicators: dict[str, Indicator] = {}
    for i in spec.indicators:
        indicator = _upsert(
            Indicator, {"code": i.code},
            {"measure": measures[i.measure], "order": i.order, "name_ja": i.name_ja,
             "name_en": i.name_en, "tier": i.tier, "horizon": i.horizon, "unit": i.unit,
             "direction": i.direction, "owner": orgs.get(i.owner), "source_ja": i.source_ja,
             "source_en": i.source_en, "computed": i.computed,
             "program": programs.get(i.program), **_cited(i.cited)},
        )  # fmt: skip
        indicators[i.code] = indicator
        indicator.targets.exclude(seed_line=None).delete()
        Target.objects.bulk_create(
            Target(indicator=indicator, fiscal_year=t.fiscal_year, kind=t.kind, value=t.value,
                   **_cited(t.cited)) for t in i.targets
        )  # fmt: skip
        indicator.observations.exclude(seed_line=None).delete()
        Observation.objects.bulk_create(
            Observation(indicator=indicator, fiscal_year=o.fiscal_year, value=o.value,
                        status=ObservationStatus.CONFIRMED, **_cited(o.cited))
            for o in i.observations
        )  # fmt: skip
    IndicatorLink.objects.filter(source__measure__strategy=strategy).delete()
    IndicatorLink.objects.bulk_create(
        IndicatorLink(source=indicators[link.source], target=indicators[link.target],
                      narrative_ja=link.narrative_ja, narrative_en=link.narrative_en,
                      **_cited(link.cited)) for link in spec.links
    )  # fmt: skip
    # What the file no longer has (entered observations were refused above).
    Indicator.objects.filter(measure__strategy=strategy).exclude(code__in=indicators).delete()
    Measure.objects.filter(strategy=strategy).exclude(code__in=measures).delete()
    Goal.objects.filter(strategy=strategy).exclude(code__in=goals).delete()
    audit.record(
        "strategy.strategy.loaded", actor=actor, obj=strategy, before=before,
        after={"digest": spec.digest, "goals": len(goals), "measures": len(measures),
               "indicators": len(indicators)},
    )  # fmt: skip
    return strategy, True


def load_strategies(*, actor: User | None = None) -> list[tuple[Strategy, bool]]:
    """Every strategy file shipped with OpenRD, oldest first."""
    return [load_strategy(spec, actor=actor) for spec in read_strategies()]


def parse_value(raw: Any) -> Decimal:
    """A typed number ("1,200,000", 3.5); a field error otherwise."""
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": [_("Enter a number.")]}) from None
    if not value.is_finite():
        raise ValidationError({"value": [_("Enter a number.")]})
    return value


def _checked(fiscal_year: int, value: Any, errors: dict[str, list[str]]) -> Decimal:
    """The value as a number, or every field's error (with ``errors`` found before)."""
    number = None
    if not 1990 <= fiscal_year <= 2100:
        errors["fiscal_year"] = [_("Enter a fiscal year between 1990 and 2100.")]
    try:
        number = parse_value(value)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors or number is None:
        raise ValidationError(errors)
    return number


@transaction.atomic
def record_observation(
    indicator: Indicator,
    *,
    actor: Any,
    fiscal_year: int,
    value: Any,
    source: str = "",
    as_of: date | None = None,
    confirmed: bool = False,
) -> Observation:
    """Enter (or correct) the indicator's value for a fiscal year: the
    responsible ministry's, or the command tower's. A computed indicator takes
    no typed values, and a value the strategy itself states is not overwritten."""
    if not actor.has_perm("strategy.record_observation", indicator):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if indicator.is_computed:
        errors["indicator"] = [
            _("This indicator is computed from the system's records; it takes no typed values.")
        ]
    number = _checked(fiscal_year, value, errors)
    row = (
        Observation.objects.select_for_update()
        .filter(indicator=indicator, fiscal_year=fiscal_year)
        .first()
    )
    if row is not None and row.seed_line is not None:
        raise ValidationError(
            {"fiscal_year": [_("The strategy states this year's value; it cannot be changed.")]}
        )
    fields = ["value", "source", "as_of", "status", "entered_by_id"]
    before = audit.snapshot(row, fields)
    if row is None:
        row = Observation(indicator=indicator, fiscal_year=fiscal_year)
    row.value = number
    row.source = source.strip()
    row.as_of = as_of
    row.status = ObservationStatus.CONFIRMED if confirmed else ObservationStatus.DRAFT
    row.entered_by = actor
    row.full_clean()
    row.save()
    audit.record(
        "strategy.observation.recorded", actor=actor, obj=row, before=before,
        after=audit.snapshot(row, fields) | {"indicator": indicator.code,
                                            "fiscal_year": fiscal_year},
    )  # fmt: skip
    return row


@transaction.atomic
def record_target(
    indicator: Indicator, *, actor: Any, fiscal_year: int, value: Any, kind: str = "interim"
) -> Target:
    """Set a target the strategy file does not state (from a review sheet, say):
    the command tower's to set. A target the strategy states is not overwritten."""
    if not actor.has_perm("strategy.load_strategy"):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if kind not in {"baseline", "interim", "final"}:
        errors["kind"] = [_("Choose baseline, interim or final.")]
    number = _checked(fiscal_year, value, errors)
    if indicator.targets.filter(fiscal_year=fiscal_year).exclude(seed_line=None).exists():
        raise ValidationError(
            {"fiscal_year": [_("The strategy states this year's target; it cannot be changed.")]}
        )
    row = Target.objects.filter(indicator=indicator, fiscal_year=fiscal_year, kind=kind).first()
    before = audit.snapshot(row, ["value"])
    if row is None:
        row = Target(indicator=indicator, fiscal_year=fiscal_year, kind=kind)
    row.value = number
    row.full_clean()
    row.save()
    audit.record(
        "strategy.target.recorded", actor=actor, obj=row, before=before,
        after={"value": str(number), "indicator": indicator.code, "fiscal_year": fiscal_year,
               "kind": kind},
    )  # fmt: skip
    return row


# Whose subsidies count: the ministries' and the Cabinet Office's own.
SUBSIDY_MINISTRY_KINDS = (OrganisationKind.MINISTRY, OrganisationKind.CABINET_OFFICE)


def _yen(raw: Any, errors: dict[str, list[str]]) -> int:
    try:
        number = parse_value(raw)
    except ValidationError:
        number = None
    if number is None or number < 0 or number != number.to_integral_value():
        errors["planned_yen"] = [_("Enter an amount in whole yen, 0 or more.")]
        return 0
    if number >= 10**17:
        errors["planned_yen"] = [_("Enter an amount below 10 quadrillion yen.")]
        return 0
    return int(number)


@transaction.atomic
def tag_specified_subsidy(
    *,
    actor: Any,
    fiscal_year: int,
    ministry: Organisation | None,
    program: Program | None,
    planned_yen: Any,
    designated: bool = False,
    note: str = "",
) -> SpecifiedSubsidy:
    """Count a program as the ministry's specified new-technology subsidy for the
    fiscal year, with the spending on startups and SMEs it plans from it (or
    correct the plan): the command tower's, or the ministry's own."""
    errors: dict[str, list[str]] = {}
    if ministry is None or ministry.kind not in SUBSIDY_MINISTRY_KINDS:
        errors["ministry"] = [_("Choose a ministry.")]
    elif not actor.has_perm("strategy.tag_subsidy", ministry):
        raise PermissionDenied
    if program is None:
        errors["program"] = [_("Choose a program.")]
    if not 1990 <= fiscal_year <= 2100:
        errors["fiscal_year"] = [_("Enter a fiscal year between 1990 and 2100.")]
    amount = _yen(planned_yen, errors)
    if len(note.strip()) > 300:
        errors["note"] = [_("Keep the note to 300 characters.")]
    if errors or ministry is None or program is None:
        raise ValidationError(errors)
    fields = ["planned_yen", "designated", "note", "entered_by_id"]
    row = (
        SpecifiedSubsidy.objects.select_for_update()
        .filter(fiscal_year=fiscal_year, ministry=ministry, program=program)
        .first()
    )
    before = audit.snapshot(row, fields)
    if row is None:
        row = SpecifiedSubsidy(fiscal_year=fiscal_year, ministry=ministry, program=program)
    row.planned_yen = amount
    row.designated = designated
    row.note = note.strip()
    row.entered_by = actor
    row.save()
    audit.record(
        "strategy.subsidy.tagged", actor=actor, obj=row, before=before,
        after=audit.snapshot(row, fields) | {"fiscal_year": fiscal_year,
                                            "ministry": ministry.code, "program": program.code},
    )  # fmt: skip
    return row


@transaction.atomic
def untag_specified_subsidy(subsidy: SpecifiedSubsidy, *, actor: Any) -> None:
    """The program no longer counts as the ministry's subsidy for that year."""
    if not actor.has_perm("strategy.tag_subsidy", subsidy.ministry):
        raise PermissionDenied
    before = audit.snapshot(subsidy, ["planned_yen", "designated", "note"])
    audit.record(
        "strategy.subsidy.untagged", actor=actor, obj=subsidy, before=before,
        after={"fiscal_year": subsidy.fiscal_year, "ministry": subsidy.ministry.code,
               "program": subsidy.program.code},
    )  # fmt: skip
    subsidy.delete()
