"""The endpoints of calls for proposals: listing, reading, drafting, opening and closing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from pydantic import AwareDatetime, ConfigDict

from openrd.accounts.api_auth import api_auth, optional_auth
from openrd.accounts.models import Organisation, OrganisationKind
from openrd.core.access import deny
from openrd.core.api_paging import PAGED_OPENAPI, PageQuery, paged
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut, RefusalOut, ValidationErrorOut
from openrd.core.api_types import Yen
from openrd.core.fiscal import to_tokyo
from openrd.core.listing import order_fields
from openrd.programs.api import router
from openrd.programs.api.schemas import RuleTextOut
from openrd.programs.models import Call, CallCriterion, CallDocument, Program
from openrd.programs.queries import (
    CALL_LISTING,
    CallFilters,
    effective_rules,
    listed_calls,
    visible_call,
)
from openrd.programs.rules import call_phase, describe_rules, rules_as_dict
from openrd.programs.services import close_call, create_call, open_call

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", examples=["sbir-2023-01"])]
FiscalYear = Annotated[int, Field(ge=1868, le=2200, description="Fiscal year, e.g. 2023")]


class CallSummaryOut(Schema):
    id: int
    code: str
    program: str = Field(description="Program code")
    topic: str | None = Field(description="Code of the program element the call is opened under")
    agency: str = Field(description="Code of the funding agency running the call")
    title_ja: str
    title_en: str
    opens_at: datetime = Field(description="Opening time, Japan Standard Time (+09:00)")
    closes_at: datetime = Field(description="Closing time (deadline), inclusive to the second, JST")
    fiscal_year: int
    status: Literal["draft", "open", "closed"]
    phase: Literal["draft", "upcoming", "open", "closed"] = Field(
        description="Where the call stands now: an open call is upcoming before it opens "
        "and closed after its deadline"
    )
    cap_per_proposal_yen: int
    total_budget_yen: int


class CallDocumentOut(Schema):
    code: str
    name_ja: str
    name_en: str
    required: bool
    order: int


class CallCriterionOut(Schema):
    code: str
    name_ja: str
    name_en: str
    weight: int
    order: int


class CallOut(CallSummaryOut):
    presenting_ministry: str | None = Field(description="Ministry that presented the topic (SBIR)")
    summary_ja: str
    summary_en: str
    first_budget_year: int
    last_budget_year: int
    eligibility: dict[str, object] = Field(
        description="The rules in force for this call: the program's, as the call narrows them"
    )
    eligibility_set_by_call: dict[str, object] = Field(
        description="The rules the call itself sets (its narrowing of the program's rules)"
    )
    rules_in_words: list[RuleTextOut]
    documents: list[CallDocumentOut]
    criteria: list[CallCriterionOut]


def _call_summary(call: Call, now: datetime) -> dict[str, Any]:
    return {
        "id": call.pk,
        "code": call.code,
        "program": call.program.code,
        "topic": call.topic.code if call.topic else None,
        "agency": call.agency.code,
        "title_ja": call.title_ja,
        "title_en": call.title_en,
        "opens_at": to_tokyo(call.opens_at),
        "closes_at": to_tokyo(call.closes_at),
        "fiscal_year": call.fiscal_year,
        "status": call.status,
        "phase": call_phase(call.status, call.opens_at, call.closes_at, now),
        "cap_per_proposal_yen": call.cap_per_proposal_yen,
        "total_budget_yen": call.total_budget_yen,
    }


def _document(d: CallDocument) -> CallDocumentOut:
    return CallDocumentOut(
        code=d.code, name_ja=d.name_ja, name_en=d.name_en, required=d.required, order=d.order
    )


def _criterion(c: CallCriterion) -> CallCriterionOut:
    return CallCriterionOut(
        code=c.code, name_ja=c.name_ja, name_en=c.name_en, weight=c.weight, order=c.order
    )


def _call_out(call: Call) -> CallOut:
    rules = effective_rules(call)
    return CallOut(
        **_call_summary(call, timezone.now()),
        presenting_ministry=call.presenting_ministry.code if call.presenting_ministry else None,
        summary_ja=call.summary_ja,
        summary_en=call.summary_en,
        first_budget_year=call.first_budget_year,
        last_budget_year=call.last_budget_year,
        eligibility=rules_as_dict(rules),
        eligibility_set_by_call=dict(call.eligibility),
        rules_in_words=[RuleTextOut(text=t, source=s) for t, s in describe_rules(rules)],
        documents=[_document(d) for d in call.documents.all()],
        criteria=[_criterion(c) for c in call.criteria.all()],
    )


CallSort = Literal[
    "deadline", "-deadline", "opens", "-opens", "title", "-title", "budget", "-budget"
]


class CallQuery(PageQuery):
    sort: CallSort = Field("deadline", description="Order; '-' reverses it")
    program: str | None = Field(None, description="Program code, e.g. sbir")
    agency: str | None = Field(None, description="Funding agency code, e.g. jst")
    status: Literal["upcoming", "open", "closed"] | None = Field(
        None, description="Where the call stands now (the phase of each item)"
    )
    fiscal_year: FiscalYear | None = None


@router.get(
    "/calls",
    response={200: list[CallSummaryOut], 422: ValidationErrorOut},
    auth=optional_auth,
    summary="Open and closed calls for proposals",
    description="Paged by cursor (limit, cursor; the next page's cursor is in the "
    "X-Next-Cursor and Link headers), soonest deadline first unless sort says otherwise; "
    "q searches the titles and the program's names.",
    operation_id="openrd_programs_api_list_calls",
    openapi_extra=PAGED_OPENAPI,
)
def list_calls(
    request: HttpRequest, response: HttpResponse, filters: Query[CallQuery]
) -> list[dict[str, Any]]:
    chosen = CallFilters(
        program=filters.program or "",
        agency=filters.agency or "",
        status=filters.status or "",
        fiscal_year=filters.fiscal_year,
    )
    now = timezone.now()
    rows = listed_calls(chosen, filters.words, now=now)
    order = order_fields(CALL_LISTING, filters.sort)
    return [
        _call_summary(c, now) for c in paged(request, response, rows, order, filters.sort, filters)
    ]


@router.get(
    "/calls/{id}",
    response={200: CallOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=optional_auth,
    summary="One call with its budget years, eligibility, documents and review criteria",
    description="A draft call is visible only to those who manage it (signed in with a session).",
    operation_id="openrd_programs_api_get_call",
)
def get_call(request: HttpRequest, id: int) -> CallOut:
    return _call_out(visible_call(request.user, id, request=request))


class EligibilityIn(Schema):
    """How the call narrows the program's rules; a call may only narrow them."""

    model_config = ConfigDict(extra="forbid")

    eligible_org_kinds: list[OrganisationKind] | None = None
    max_years_since_founding: int | None = Field(None, ge=1)
    founding_limit_in_principle: bool | None = None
    sme_required: bool | None = None
    max_duration_years: int | None = Field(None, ge=1)
    matching_funds_required: bool | None = None
    phases: list[str] | None = None
    stage_gates: bool | None = None
    exit_strategy_required: bool | None = None


class CallDocumentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name_ja: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    required: bool = True


class CallCriterionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: Code
    name_ja: str = Field(min_length=1, max_length=200)
    name_en: str = Field("", max_length=200)
    weight: int = Field(ge=1, le=100, description="Points; a call's weights add up to 100")


class CallIn(Schema):
    model_config = ConfigDict(extra="forbid")

    program: str = Field(description="Program code, e.g. sbir")
    topic: str | None = Field(None, description="Code of the goal, theme, topic or phase")
    agency: str = Field(description="Code of the funding agency running the call")
    presenting_ministry: str | None = Field(None, description="Ministry code (SBIR topics)")
    code: Code
    title_ja: str = Field(min_length=1, max_length=300)
    title_en: str = Field("", max_length=300)
    summary_ja: str = ""
    summary_en: str = ""
    opens_at: AwareDatetime
    closes_at: AwareDatetime = Field(description="Deadline, inclusive to the second")
    fiscal_year: FiscalYear
    first_budget_year: FiscalYear
    last_budget_year: FiscalYear
    total_budget_yen: Yen
    cap_per_proposal_yen: Yen
    eligibility: EligibilityIn | None = None
    documents: list[CallDocumentIn] = Field(default_factory=list)
    criteria: list[CallCriterionIn]


# The payload fields that go to the service as they are (the others name records by code).
_PLAIN_CALL_FIELDS = {
    "code", "title_ja", "title_en", "summary_ja", "summary_en", "fiscal_year",
    "first_budget_year", "last_budget_year", "total_budget_yen", "cap_per_proposal_yen",
}  # fmt: skip


def _resolve(payload: CallIn) -> dict[str, Any]:
    """The records the payload names by code; an unknown code is a field error."""
    errors: dict[str, str] = {}
    program = Program.objects.filter(code=payload.program).first()
    agency = Organisation.objects.filter(code=payload.agency).first()
    ministry = None
    topic = None
    if program is None:
        errors["program"] = _("No program has this code.")
    if agency is None:
        errors["agency"] = _("No organisation has this code.")
    if payload.presenting_ministry:
        ministry = Organisation.objects.filter(code=payload.presenting_ministry).first()
        if ministry is None:
            errors["presenting_ministry"] = _("No organisation has this code.")
    if payload.topic and program is not None:
        topic = program.elements.filter(code=payload.topic).first()
        if topic is None:
            errors["topic"] = _("The program has no element with this code.")
    if errors:
        raise ValidationError(errors)
    return {"program": program, "agency": agency, "presenting_ministry": ministry, "topic": topic}


@router.post(
    "/calls",
    response={201: CallOut, **WRITE_ERRORS},
    auth=api_auth,
    summary="Draft a call (staff of the agency running it, command tower)",
    operation_id="openrd_programs_api_post_call",
)
def post_call(request: HttpRequest, payload: CallIn) -> Status:
    resolved = _resolve(payload)
    if not request.user.has_perm("programs.manage_call", Call(**resolved)):
        deny(request, resolved["program"], what=f"call {payload.code}")
    plain = payload.model_dump(include=_PLAIN_CALL_FIELDS)
    tightening = (
        payload.eligibility.model_dump(mode="json", exclude_none=True)
        if payload.eligibility
        else {}
    )
    call = create_call(
        actor=request.user,
        program=resolved["program"],
        agency=resolved["agency"],
        presenting_ministry=resolved["presenting_ministry"],
        topic=resolved["topic"],
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        eligibility=tightening,
        documents=[d.model_dump() for d in payload.documents],
        criteria=[c.model_dump() for c in payload.criteria],
        **plain,
    )
    return Status(201, _call_out(visible_call(request.user, call.pk, request=request)))


def _managed_call(request: HttpRequest, call_id: int) -> Call:
    call = visible_call(request.user, call_id, request=request)
    if not request.user.has_perm("programs.manage_call", call):
        deny(request, call)
    return call


@router.post(
    "/calls/{id}/open",
    response={200: CallOut, **WRITE_ERRORS, 409: RefusalOut},
    auth=api_auth,
    summary="Open a draft call (staff of the agency running it, command tower)",
    operation_id="openrd_programs_api_post_open_call",
)
def post_open_call(request: HttpRequest, id: int) -> Status:
    call = _managed_call(request, id)
    open_call(call, actor=request.user)
    return Status(200, _call_out(visible_call(request.user, call.pk)))


@router.post(
    "/calls/{id}/close",
    response={200: CallOut, **WRITE_ERRORS, 409: RefusalOut},
    auth=api_auth,
    summary="Close an open call (staff of the agency running it, command tower)",
    operation_id="openrd_programs_api_post_close_call",
)
def post_close_call(request: HttpRequest, id: int) -> Status:
    call = _managed_call(request, id)
    close_call(call, actor=request.user)
    return Status(200, _call_out(visible_call(request.user, call.pk)))
