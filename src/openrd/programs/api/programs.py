"""The program endpoints: programs with their structure and rules, and their figures."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema, Status
from pydantic import ConfigDict

from openrd.accounts.api_auth import api_auth, optional_auth
from openrd.core.access import deny
from openrd.core.api_paging import PAGED_OPENAPI, PageQuery, paged
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut, ValidationErrorOut
from openrd.core.api_types import Yen
from openrd.core.fiscal import format_fiscal_year
from openrd.core.listing import order_fields
from openrd.core.money import format_yen
from openrd.programs.api import router
from openrd.programs.api.schemas import RuleTextOut
from openrd.programs.models import FigureKind, Program, ProgramElement, ProgramFigure
from openrd.programs.queries import PROGRAM_LISTING, listed_programs, program_overview
from openrd.programs.rules import RULE_KEYS, SEED_SOURCE, describe_rules, program_rules
from openrd.programs.services import record_figure


class SourceOut(Schema):
    document: str
    line: int | None
    excerpt: str


class ProgramSummaryOut(Schema):
    code: str
    kind: str
    name_ja: str
    name_en: str
    short_name_ja: str
    short_name_en: str
    owner: str | None
    agencies: list[str]


class ElementOut(Schema):
    kind: str
    code: str
    parent: str | None
    order: int
    title_ja: str
    title_en: str
    body_ja: str
    body_en: str
    attrs: dict[str, str | int | float | bool]
    source: SourceOut


class FigureOut(Schema):
    kind: str
    label_ja: str
    label_en: str
    fiscal_year: int | None
    fiscal_year_ja: str
    amount_yen: int
    amount_ja: str
    amount_en: str
    supplementary: bool
    from_preset: bool
    source: SourceOut


class ProgramOut(ProgramSummaryOut):
    summary_ja: str
    summary_en: str
    source: SourceOut
    rules: dict[str, object]
    rules_in_words: list[RuleTextOut]
    goals: list[ElementOut]
    themes: list[ElementOut]
    topics: list[ElementOut]
    projects: list[ElementOut]
    elements: list[ElementOut]
    figures: list[FigureOut]


def _source(line: int | None, excerpt: str) -> SourceOut:
    return SourceOut(document=SEED_SOURCE, line=line, excerpt=excerpt)


def _summary(p: Program) -> dict[str, Any]:
    return {
        "code": p.code,
        "kind": p.kind,
        "name_ja": p.name_ja,
        "name_en": p.name_en,
        "short_name_ja": p.short_name_ja,
        "short_name_en": p.short_name_en,
        "owner": p.owner.code if p.owner else None,
        "agencies": sorted(a.code for a in p.agencies.all()),
    }


def _element(e: ProgramElement, codes: dict[int, str]) -> ElementOut:
    return ElementOut(
        kind=e.kind,
        code=e.code,
        parent=codes.get(e.parent_id) if e.parent_id else None,
        order=e.order,
        title_ja=e.title_ja,
        title_en=e.title_en,
        body_ja=e.body_ja,
        body_en=e.body_en,
        attrs=e.attrs,
        source=_source(e.seed_line, e.seed_text),
    )


def _figure(f: ProgramFigure) -> FigureOut:
    return FigureOut(
        kind=f.kind,
        label_ja=f.label_ja,
        label_en=f.label_en,
        fiscal_year=f.fiscal_year,
        fiscal_year_ja=format_fiscal_year(f.fiscal_year, "ja") if f.fiscal_year else "",
        amount_yen=f.amount_yen,
        amount_ja=format_yen(f.amount_yen, "ja"),
        amount_en=format_yen(f.amount_yen, "en"),
        supplementary=f.supplementary,
        from_preset=f.from_preset,
        source=_source(f.seed_line, f.seed_text or f.source_note),
    )


class ProgramQuery(PageQuery):
    sort: Literal["code", "-code", "name", "-name"] = Field(
        "code", description="Order; '-' reverses it"
    )


@router.get(
    "/programs",
    response={200: list[ProgramSummaryOut], 422: ValidationErrorOut},
    auth=optional_auth,
    summary="All programs",
    description="Paged by cursor (limit, cursor; the next page's cursor is in the "
    "X-Next-Cursor and Link headers); q searches the codes and names.",
    operation_id="openrd_programs_api_list_programs",
    openapi_extra=PAGED_OPENAPI,
)
def list_programs(
    request: HttpRequest, response: HttpResponse, query: Query[ProgramQuery]
) -> list[dict[str, Any]]:
    rows = listed_programs(query.words)
    order = order_fields(PROGRAM_LISTING, query.sort)
    return [_summary(p) for p in paged(request, response, rows, order, query.sort, query)]


@router.get(
    "/programs/{code}",
    response={200: ProgramOut, 404: ErrorOut},
    auth=optional_auth,
    summary="One program with its structure, rules and figures",
    operation_id="openrd_programs_api_get_program",
)
def get_program(request: HttpRequest, code: str) -> ProgramOut:
    overview = program_overview(code)
    p = overview.program
    codes = {e.pk: e.code for e in overview.elements}
    elements = [_element(e, codes) for e in overview.elements]
    rules = program_rules(p.rules)
    return ProgramOut(
        **_summary(p),
        summary_ja=p.summary_ja,
        summary_en=p.summary_en,
        source=_source(p.seed_line, p.seed_text),
        rules={k: v for k, v in p.rules.items() if k in RULE_KEYS},
        rules_in_words=[RuleTextOut(text=t, source=s) for t, s in describe_rules(rules)],
        goals=[e for e in elements if e.kind == "goal"],
        themes=[e for e in elements if e.kind == "theme"],
        topics=[e for e in elements if e.kind == "topic"],
        projects=[e for e in elements if e.kind == "project"],
        elements=elements,
        figures=[_figure(f) for f in overview.figures],
    )


class FigureIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: FigureKind
    label_ja: str = Field(min_length=1, max_length=200)
    label_en: str = Field("", max_length=200)
    fiscal_year: int = Field(ge=1868, le=2200)
    amount_yen: Yen
    supplementary: bool = False
    source_note: str = Field("", max_length=300, description="Where the figure comes from")


@router.post(
    "/programs/{code}/figures",
    response={201: FigureOut, **WRITE_ERRORS},
    auth=api_auth,
    summary="Record a budget or fund figure (agency staff of the program, command tower)",
    operation_id="openrd_programs_api_create_figure",
)
def create_figure(request: HttpRequest, code: str, payload: FigureIn) -> Status:
    program = get_object_or_404(Program, code=code)
    if not request.user.has_perm("programs.record_figure", program):
        deny(request, program)
    figure = record_figure(program, actor=request.user, **payload.model_dump())
    return Status(201, _figure(figure))
