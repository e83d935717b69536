"""The strategy endpoints: a year's strategy whole, one indicator with its
values, and the responsible ministry's entry of a value."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema, Status
from pydantic import ConfigDict

from openrd.accounts.api_auth import api_auth, optional_auth
from openrd.core.access import deny
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut, ValidationErrorOut
from openrd.strategy import sbir
from openrd.strategy.models import Indicator, Strategy
from openrd.strategy.presenters import cite, indicator_view, strategy_view, with_indicators
from openrd.strategy.services import record_observation

router = Router(tags=["strategy"])

Number = int | float


class SeedOut(Schema):
    line: int
    excerpt: str
    text: str = Field(description="The citation in words, in the reader's language")


class ValueSourceOut(Schema):
    line: int | None = None
    excerpt: str | None = None
    text: str


class TargetOut(Schema):
    fiscal_year: int
    kind: str = Field(description="baseline, interim or final")
    value: Number
    source: SeedOut | None


class ValueOut(Schema):
    fiscal_year: int
    value: Number
    status: str = Field(description="draft or confirmed")
    computed: bool
    as_of: date | None
    source: ValueSourceOut | None
    entered_at: datetime | None


class ReasonOut(Schema):
    code: str
    message: str
    source: str


class AssessmentOut(Schema):
    status: str = Field(description="on_track, at_risk, off_track or no_data")
    progress: float | None = Field(description="0 at the baseline, 1 at the target")
    expected: float | None = Field(description="The share of the time to the target gone by")
    reached: bool
    target_fiscal_year: int
    reason: ReasonOut


class LatestOut(Schema):
    fiscal_year: int
    value: Number


class IndicatorSummaryOut(Schema):
    code: str
    name_ja: str
    name_en: str
    measure: str
    tier: str
    horizon: str
    unit: str
    direction: str
    owner: str | None
    data_source: str
    computed: bool = Field(description="Computed from OpenRD's records, never typed")
    definition: str = Field(description="How a computed indicator is computed")
    program: str | None
    source: SeedOut | None
    targets: list[TargetOut]
    latest: LatestOut | None
    assessment: AssessmentOut | None
    as_of: date | None
    computed_at: datetime | None = Field(
        description="When a computed indicator's stored values were computed"
    )
    stale: bool = Field(
        description="The records changed since computed_at; refreshed values follow shortly"
    )


class IndicatorOut(IndicatorSummaryOut):
    values: list[ValueOut]


class MeasureOut(Schema):
    code: str
    goal: str
    title_ja: str
    title_en: str
    summary_ja: str
    summary_en: str
    primary_ministries: list[str]
    collaborating_ministries: list[str]
    others: bool = Field(description="The strategy adds 'and other ministries'")
    lead_agency: str | None
    programs: list[str]
    source: SeedOut | None
    indicators: list[IndicatorSummaryOut]


class GoalOut(Schema):
    code: str
    title_ja: str
    title_en: str
    source: SeedOut | None
    goals: list[GoalOut]
    measures: list[MeasureOut]


class StrategyOut(Schema):
    code: str
    year: int
    name_ja: str
    name_en: str
    cabinet_decision_on: date | None
    ordinal: int | None = Field(description="Which annual strategy under the basic plan")
    basic_plan_ja: str
    basic_plan_en: str
    basic_plan_first_year: int | None
    basic_plan_last_year: int | None
    source: SeedOut | None
    pillars: list[GoalOut]
    cross_cutting: list[GoalOut] = Field(
        description="Top-level goals beside the pillars (総合知 in 2023)"
    )
    current_fiscal_year: int


@router.get(
    "/strategy/{year}",
    response={200: StrategyOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=optional_auth,
    summary="A year's strategy: pillars, measures, indicators with targets and latest values",
    operation_id="openrd_strategy_api_get_strategy",
)
def get_strategy(request: HttpRequest, year: int) -> dict[str, Any]:
    return strategy_view(get_object_or_404(Strategy, year=year))


@router.get(
    "/indicators/{code}",
    response={200: IndicatorOut, 404: ErrorOut},
    auth=optional_auth,
    summary="One indicator: its targets and values by fiscal year",
    description="A computed indicator's values are computed from the records at the time "
    "of the request (``computed: true``, with its definition).",
    operation_id="openrd_strategy_api_get_indicator",
)
def get_indicator(request: HttpRequest, code: str) -> dict[str, Any]:
    return indicator_view(get_object_or_404(with_indicators(Indicator.objects.all()), code=code))


class ObservationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    fiscal_year: int = Field(ge=1990, le=2100)
    value: float | str = Field(description="A number; digits with commas are read too")
    source: str = Field("", max_length=300)
    as_of: date | None = None
    confirmed: bool = False


@router.post(
    "/indicators/{code}/observations",
    response={201: ValueOut, **WRITE_ERRORS},
    auth=api_auth,
    summary="Enter a value for a fiscal year (the responsible ministry, the command tower)",
    operation_id="openrd_strategy_api_record_observation",
)
def create_observation(request: HttpRequest, code: str, payload: ObservationIn) -> Status:
    indicator = get_object_or_404(with_indicators(Indicator.objects.all()), code=code)
    if not request.user.has_perm("strategy.record_observation", indicator):
        deny(request, indicator)
    record_observation(indicator, actor=request.user, **payload.model_dump())
    values = indicator_view(get_object_or_404(with_indicators(Indicator.objects.all()), code=code))
    entered = next(v for v in values["values"] if v["fiscal_year"] == payload.fiscal_year)
    return Status(201, entered)


class SubsidyOut(Schema):
    program: str
    designated: bool = Field(description="Also a designated subsidy (指定補助金等)")
    planned_yen: int
    note: str


class MinistrySpendingOut(Schema):
    ministry: str
    ministry_name: str
    planned_yen: int
    actual_yen: int
    subsidies: list[SubsidyOut]


class SpendingOut(Schema):
    fiscal_year: int
    target_yen: int | None = Field(description="The Cabinet's target for the fiscal year")
    target_source: SeedOut | None
    planned_yen: int
    actual_yen: int
    actual_computed_at: datetime | None = Field(
        description="When the actual spending was last rolled up from the awards"
    )
    actual_stale: bool = Field(
        description="The records changed since actual_computed_at; a new roll-up follows shortly"
    )
    ministries: list[MinistrySpendingOut] = Field(
        description="In the order of the ministries' codes, never ranked"
    )


@router.get(
    "/strategy/sbir/{fiscal_year}",
    response={200: SpendingOut, 422: ValidationErrorOut},
    auth=optional_auth,
    summary="The SBIR spending target for a fiscal year against each ministry's plan and actual",
    description="Actual spending is rolled up from the awards and kept (recomputed at once "
    "when quick, else shortly after a change; see actual_computed_at): "
    "the fiscal year's budget lines of awards to startups and SMEs under the programs counted "
    "as the ministry's specified new-technology subsidies that year.",
    operation_id="openrd_strategy_api_get_sbir_spending",
)
def get_sbir_spending(
    request: HttpRequest, fiscal_year: Annotated[int, Path(ge=1990, le=2100)]
) -> dict[str, Any]:
    year = sbir.spending_year(fiscal_year)
    target = year.target
    return {
        "fiscal_year": fiscal_year,
        "target_yen": year.target_yen,
        "target_source": cite(target.seed_line, target.seed_text) if target else None,
        "planned_yen": year.planned_yen,
        "actual_yen": year.actual_yen,
        "actual_computed_at": year.computed_at,
        "actual_stale": year.stale,
        "ministries": [
            {"ministry": m.ministry.code, "ministry_name": m.ministry.name,
             "planned_yen": m.planned_yen, "actual_yen": m.actual_yen,
             "subsidies": [{"program": s.program.code, "designated": s.designated,
                            "planned_yen": s.planned_yen, "note": s.note}
                           for s in m.subsidies]}
            for m in year.ministries
        ],
    }  # fmt: skip
