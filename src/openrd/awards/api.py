"""Awards over the REST API: public, like KAKEN's records (``GET /api/v1/awards``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from openrd.accounts.api_auth import optional_auth
from openrd.awards.models import Award
from openrd.awards.queries import AWARD_LISTING, award_with_gates, public_awards
from openrd.core.api_paging import PAGED_OPENAPI, PageQuery, paged
from openrd.core.api_schemas import ErrorOut, ValidationErrorOut
from openrd.core.listing import order_fields

router = Router(tags=["awards"])


class BudgetOut(Schema):
    fiscal_year: int
    amount_yen: int
    carried_over_yen: int


class PersonNameOut(Schema):
    name_ja: str
    name_en: str


class InstitutionOut(Schema):
    code: str
    name_ja: str
    name_en: str


class AwardOut(Schema):
    id: int
    grant_number: str
    japan_grant_number: str
    title_ja: str
    title_en: str
    program: str
    status: str
    pi: PersonNameOut
    institution: InstitutionOut
    starts_on: date
    ends_on: date
    budget: list[BudgetOut]


class StageGateOut(Schema):
    name_ja: str
    name_en: str
    due_on: date
    outcome: str
    reasons: str
    changes: str
    decided_at: datetime | None


class AwardDetailOut(AwardOut):
    stage_gates: list[StageGateOut]


class AwardQuery(PageQuery):
    program: str | None = Field(None, max_length=64, description="A program's code, e.g. moonshot")
    sort: Literal["grant_number", "-grant_number", "start", "-start"] = Field(
        "grant_number", description="Order; '-' reverses it"
    )


def award_dict(a: Award) -> dict[str, Any]:
    return {
        "id": a.pk,
        "grant_number": a.grant_number,
        "japan_grant_number": a.japan_grant_number,
        "title_ja": a.title_ja,
        "title_en": a.title_en,
        "program": a.program.code,
        "status": a.status,
        "pi": {"name_ja": a.pi_name_ja, "name_en": a.pi_name_en},
        "institution": {
            "code": a.institution.code,
            "name_ja": a.institution.name_ja,
            "name_en": a.institution.name_en,
        },
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "budget": [
            {"fiscal_year": b.fiscal_year, "amount_yen": b.amount_yen,
             "carried_over_yen": b.carried_over_yen}
            for b in a.budget_lines.all()
        ],
    }  # fmt: skip


@router.get(
    "/awards",
    response={200: list[AwardOut], 422: ValidationErrorOut},
    auth=optional_auth,
    summary="Awards (public records)",
    description="Paged by cursor (limit, cursor; the next page's cursor is in the "
    "X-Next-Cursor and Link headers); program filters by a program's code; q searches "
    "the titles. Reviews and scores are never part of an award's record.",
    openapi_extra=PAGED_OPENAPI,
)
def list_awards(
    request: HttpRequest, response: HttpResponse, query: Query[AwardQuery]
) -> list[dict[str, Any]]:
    rows = public_awards(query.program or "", query.words)
    order = order_fields(AWARD_LISTING, query.sort)
    return [award_dict(a) for a in paged(request, response, rows, order, query.sort, query)]


@router.get(
    "/awards/{pk}",
    response={200: AwardDetailOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=optional_auth,
    summary="One award with its stage gates",
)
def get_award(request: HttpRequest, pk: int) -> dict[str, Any]:
    award = award_with_gates(pk).first()
    if award is None:
        raise Http404
    return award_dict(award) | {
        "stage_gates": [
            {"name_ja": g.name_ja, "name_en": g.name_en, "due_on": g.due_on,
             "outcome": g.status, "reasons": g.reasons, "changes": g.changes,
             "decided_at": g.decided_at}
            for g in award.stage_gates.all()
        ]
    }  # fmt: skip
