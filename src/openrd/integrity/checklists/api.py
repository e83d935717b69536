"""The signed-in researcher's checklist, and the agencies' completion list, over the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from openrd.accounts.api_auth import api_auth
from openrd.accounts.queries import signed_in_user
from openrd.core.access import deny
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut, RefusalOut, ValidationErrorOut
from openrd.core.fiscal import to_tokyo
from openrd.integrity.checklists import queries
from openrd.integrity.checklists.services import complete_checklist, save_checklist_draft
from openrd.integrity.models import ChecklistCompletion, ChecklistKind
from openrd.integrity.rules.checklists import (
    MAX_NOTE,
    checklist_fiscal_year,
    load_templates,
    template_in_force,
    template_version,
)

router = Router(tags=["integrity"])

# queries.INSTITUTION_KINDS, the organisations that keep an institution checklist;
# empty: all of them. Any other kind is a 422, not silently the whole list.
InstitutionKind = Literal["", "university", "national_lab", "company", "startup", "other"]
assert set(get_args(InstitutionKind)) == {"", *queries.INSTITUTION_KINDS}


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["yes", "no", "not_applicable", ""] = ""
    note: str = Field("", max_length=MAX_NOTE)


class ChecklistIn(Schema):
    model_config = ConfigDict(extra="forbid")

    answers: dict[str, AnswerIn] = Field(description="Item code (e.g. R-1) to its answer")


class ItemOut(Schema):
    code: str
    section: str
    text: str
    clause: str
    expected: str
    allow_not_applicable: bool


class ChecklistOut(Schema):
    kind: str
    fiscal_year: int
    template_version: str
    title: str
    source: str
    status: Literal["not_started", "draft", "completed"]
    completed_at: datetime | None
    items: list[ItemOut]
    answers: dict[str, dict[str, str]]


class CompletionOut(Schema):
    organisation_code: str
    organisation_name: str
    kind: str
    status: Literal["not_started", "draft", "completed"]
    completed_at: datetime | None
    template_version: str


def _researcher(request: HttpRequest) -> Any:
    user = signed_in_user(request)
    if not queries.may_fill_researcher_checklist(user):
        deny(request, what="researcher checklist")
    return user


def _out(request: HttpRequest, row: ChecklistCompletion | None, fiscal_year: int) -> ChecklistOut:
    templates = load_templates()
    template = (
        template_version(templates, ChecklistKind.RESEARCHER, row.template_version)
        if row is not None
        else template_in_force(templates, ChecklistKind.RESEARCHER, to_tokyo(timezone.now()).date())
    )
    if template is None:
        deny(request, what="researcher checklist")
    status: Literal["not_started", "draft", "completed"] = (
        "not_started" if row is None else "completed" if row.completed_at else "draft"
    )
    return ChecklistOut(
        kind=template.kind,
        fiscal_year=fiscal_year,
        template_version=template.version,
        title=template.title,
        source=template.source,
        status=status,
        completed_at=row.completed_at if row else None,
        items=[
            ItemOut(
                code=i.code,
                section=s.code,
                text=i.text,
                clause=i.clause,
                expected=i.expected,
                allow_not_applicable=i.allow_not_applicable,
            )
            for s in template.sections
            for i in s.items
        ],
        answers=row.answers if row else {},
    )


@router.get(
    "/me/checklist",
    response={200: ChecklistOut, 401: ErrorOut, 404: ErrorOut},
    auth=api_auth,
    summary="The signed-in researcher's integrity checklist for the current fiscal year",
)
def get_my_checklist(request: HttpRequest) -> ChecklistOut:
    person = _researcher(request)
    fiscal_year = checklist_fiscal_year(timezone.now())
    return _out(request, queries.researcher_checklist(person, fiscal_year), fiscal_year)


@router.put(
    "/me/checklist",
    response={200: ChecklistOut, 409: RefusalOut, **WRITE_ERRORS},
    auth=api_auth,
    summary="Save the signed-in researcher's checklist answers as a draft",
)
def put_my_checklist(request: HttpRequest, payload: ChecklistIn) -> ChecklistOut:
    person = _researcher(request)
    row = save_checklist_draft(
        actor=person, person=person, answers={k: v.model_dump() for k, v in payload.answers.items()}
    )
    return _out(request, row, row.fiscal_year)


@router.post(
    "/me/checklist/complete",
    response={200: ChecklistOut, 409: RefusalOut, **WRITE_ERRORS},
    auth=api_auth,
    summary="Complete the signed-in researcher's checklist for the current fiscal year",
)
def complete_my_checklist(request: HttpRequest, payload: ChecklistIn) -> ChecklistOut:
    person = _researcher(request)
    row = complete_checklist(
        actor=person, person=person, answers={k: v.model_dump() for k, v in payload.answers.items()}
    )
    return _out(request, row, row.fiscal_year)


@router.get(
    "/integrity/checklists/completion",
    response={200: list[CompletionOut], 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=api_auth,
    summary="For agency staff: each institution's checklist status this fiscal year",
)
def list_completion(request: HttpRequest, kind: InstitutionKind = "") -> list[CompletionOut]:
    if not queries.may_see_completion(request.user):
        deny(request, what="checklist completion")
    return [
        CompletionOut(
            organisation_code=s.organisation.code,
            organisation_name=s.organisation.name,
            kind=s.organisation.kind,
            status=s.status,  # type: ignore[arg-type]
            completed_at=s.completion.completed_at if s.completion else None,
            template_version=s.completion.template_version if s.completion else "",
        )
        for s in queries.institution_statuses(checklist_fiscal_year(timezone.now()), kind=kind)
    ]
