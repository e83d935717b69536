"""Screening flags over the API: the caller's agencies' flags; any other flag is a 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from openrd.accounts.api_auth import api_auth
from openrd.core.access import get_visible_or_404
from openrd.core.api_paging import PAGED_OPENAPI, PageQuery, paged
from openrd.core.api_schemas import ErrorOut, ValidationErrorOut
from openrd.core.listing import order_fields
from openrd.integrity.screening import queries
from openrd.integrity.screening.presenters import flag_dict
from openrd.integrity.screening.views import FLAGS

router = Router(tags=["integrity"])


class FlagOut(Schema):
    id: int
    proposal_key: str = Field(description='The screened proposal, e.g. "proposal:12"')
    kind: str = Field(description="near_duplicate, same_theme or over_concentration")
    kind_label: str
    status: str = Field(description="open, confirmed or dismissed")
    status_label: str
    agency: str
    applicant: str
    call_code: str
    matched_key: str = Field(description="The matched award or proposal (empty: none)")
    score: float | None = Field(description="Cosine similarity of the two texts")
    evidence: dict[str, Any] = Field(
        description="Matched record, passages side by side, or the funding breakdown"
    )
    note: str
    created_at: datetime
    reviewed_at: datetime | None


class FlagQuery(PageQuery):
    sort: Literal["found", "-found"] = Field("-found", description="Order; '-' reverses it")
    status: Literal["open", "confirmed", "dismissed"] | None = None
    kind: Literal["near_duplicate", "same_theme", "over_concentration"] | None = None
    call: str | None = Field(None, max_length=64, description="Only this call's flags")


@router.get(
    "/integrity/flags",
    response={200: list[FlagOut], 401: ErrorOut, 422: ValidationErrorOut},
    auth=api_auth,
    summary="Screening flags of the caller's agencies",
    description="For agency staff and research integrity officers: flags of their agencies' "
    "proposals (others get an empty list). Paged by cursor.",
    openapi_extra=PAGED_OPENAPI,
)
def list_flags(
    request: HttpRequest, response: HttpResponse, filters: Query[FlagQuery]
) -> list[dict[str, Any]]:
    rows = queries.filtered_flags(
        request.user, status=filters.status or "", kind=filters.kind or "", call=filters.call or ""
    )
    order = order_fields(FLAGS, filters.sort)
    return [flag_dict(f) for f in paged(request, response, rows, order, filters.sort, filters)]


@router.get(
    "/integrity/flags/{flag_id}",
    response={200: FlagOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=api_auth,
    summary="One screening flag with its evidence",
)
def get_flag(request: HttpRequest, flag_id: int) -> dict[str, Any]:
    flag = get_visible_or_404(
        queries.visible_flags(request.user).select_related("agency", "person"),
        request=request,
        pk=flag_id,
    )
    return flag_dict(flag)
