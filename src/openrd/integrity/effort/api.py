"""The effort ledger (エフォート) across awards, pending proposals and outside funding."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from openrd.accounts.api_auth import api_auth
from openrd.core.access import deny
from openrd.core.api_schemas import ErrorOut, ReasonOut, ValidationErrorOut
from openrd.integrity.effort.queries import ledger, ledger_person_or_404, may_view_ledger
from openrd.integrity.rules.effort import EFFORT_LIMIT, EffortFacts, check_awarded_effort

router = Router(tags=["integrity"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut}


class EffortLineOut(Schema):
    key: str = Field(description='"award:<id>", "proposal:<id>" or "disclosure:<entry key>"')
    source: str = Field(description="award, proposal (under review) or outside (the disclosure)")
    label: str = Field(description="The title in the request's language")
    agency: str = Field(description="The agency, or the outside funder")
    program: str
    starts_on: date | None
    ends_on: date | None
    effort_percent: int
    awarded: bool = Field(description="Counts toward the 100 % limit")


class LedgerOut(Schema):
    person_id: int
    lines: list[EffortLineOut]
    awarded_percent: int = Field(description="Active awards and current outside funding")
    pending_percent: int = Field(description="Proposals under review and pending applications")
    with_pending_percent: int
    limit_percent: int


class WhatIfOut(LedgerOut):
    adding_percent: int
    awarded_after_percent: int = Field(description="Awarded effort with the new proposal")
    allowed: bool = Field(description="False: a submission with this effort would be refused")
    reasons: list[ReasonOut]


class WhatIfQuery(Schema):
    percent: int = Field(ge=1, le=EFFORT_LIMIT, description="Effort of the new proposal, 1–100")


def _ledger_out(person: Any, facts: EffortFacts) -> dict[str, Any]:
    return {
        "person_id": person.pk,
        "lines": [
            {
                "key": line.key,
                "source": line.source,
                "label": line.label,
                "agency": line.agency,
                "program": line.program,
                "starts_on": line.starts_on,
                "ends_on": line.ends_on,
                "effort_percent": line.effort_percent,
                "awarded": line.awarded,
            }
            for line in facts.lines
        ],
        "awarded_percent": facts.awarded_percent,
        "pending_percent": facts.pending_percent,
        "with_pending_percent": facts.with_pending_percent,
        "limit_percent": EFFORT_LIMIT,
    }


def _own(request: HttpRequest) -> Any:
    if not may_view_ledger(request.user, request.user):
        deny(request, what="effort ledger")
    return request.user


@router.get(
    "/me/effort",
    response={200: LedgerOut, **READ_ERRORS},
    auth=api_auth,
    summary="The signed-in person's effort ledger across all agencies",
)
def get_my_effort(request: HttpRequest) -> dict[str, Any]:
    person = _own(request)
    return _ledger_out(person, ledger(person))


@router.get(
    "/me/effort/what-if",
    response={200: WhatIfOut, **READ_ERRORS, 422: ValidationErrorOut},
    auth=api_auth,
    summary="What awarded effort would be with a new proposal of the given effort",
    description="Nothing is saved. allowed is False when a submission with this effort "
    "would be refused for taking awarded effort above 100 %; reasons give the breakdown.",
)
def get_my_effort_what_if(request: HttpRequest, query: Query[WhatIfQuery]) -> dict[str, Any]:
    person = _own(request)
    facts = ledger(person, adding_percent=query.percent, adding_label=_("the new proposal"))
    decision = check_awarded_effort(facts)
    return _ledger_out(person, facts) | {
        "adding_percent": facts.adding_percent,
        "awarded_after_percent": facts.total_after,
        "allowed": decision.allowed,
        "reasons": [reason.as_dict() for reason in decision.reasons],
    }


@router.get(
    "/integrity/people/{person_id}/effort",
    response={200: LedgerOut, **READ_ERRORS, 422: ValidationErrorOut},
    auth=api_auth,
    summary="A person's effort ledger, for staff of an agency they apply to or are funded by",
)
def get_person_effort(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = ledger_person_or_404(request, person_id)
    return _ledger_out(person, ledger(person))
