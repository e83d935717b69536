"""The public face of the shared registry: ``GET /api/v1/sanctions``."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from openrd.accounts.api_auth import optional_auth
from openrd.core.api_paging import PAGED_OPENAPI, PageQuery, paged
from openrd.core.api_schemas import ValidationErrorOut
from openrd.core.listing import order_fields
from openrd.integrity.models import Sanction
from openrd.integrity.sanctions import queries
from openrd.integrity.sanctions.views import LISTING

router = Router(tags=["integrity"])


class SanctionOut(Schema):
    id: int
    name_ja: str
    name_en: str
    institution_ja: str
    institution_en: str
    program_code: str
    program_ja: str
    program_en: str
    agency: str = Field(description="Code of the deciding agency")
    offence: str = Field(description="misuse, deceit, misconduct or false_declaration")
    offence_label: str
    row: str = Field(description="The offence table's row (offence, role, severity)")
    years: int
    first_fiscal_year: int | None = Field(description="First restricted fiscal year (April–March)")
    last_fiscal_year: int | None
    restricted_until: date | None = Field(description="The last day of the restriction")
    measures: list[str]
    decided_on: date
    source: str = Field(description="The clause of the offence table applied")


class SanctionQuery(PageQuery):
    sort: Literal["decided", "-decided", "end", "-end"] = Field(
        "-decided", description="Order; '-' reverses it"
    )
    fiscal_year: int | None = Field(
        None, ge=2000, le=2100, description="Only restrictions in force in this fiscal year"
    )


def _out(s: Sanction) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name_ja": s.person_name_ja,
        "name_en": s.person_name_en,
        "institution_ja": s.institution_name_ja,
        "institution_en": s.institution_name_en,
        "program_code": s.program_code,
        "program_ja": s.program_name_ja,
        "program_en": s.program_name_en,
        "agency": s.agency.code,
        "offence": s.offence,
        "offence_label": s.offence_label,
        "row": s.row_code,
        "years": s.years,
        "first_fiscal_year": s.first_fiscal_year,
        "last_fiscal_year": s.last_fiscal_year,
        "restricted_until": date(s.last_fiscal_year + 1, 3, 31) if s.last_fiscal_year else None,
        "measures": s.measures,
        "decided_on": s.decided_on,
        "source": s.source,
    }


@router.get(
    "/sanctions",
    response={200: list[SanctionOut], 422: ValidationErrorOut},
    auth=optional_auth,
    summary="Published sanctions in force",
    description="Application restrictions that the deciding agency published and has not "
    "lifted, from every agency on the platform. Paged by cursor (limit, cursor; the next "
    "page's cursor is in the X-Next-Cursor and Link headers).",
    openapi_extra=PAGED_OPENAPI,
)
def list_sanctions(
    request: HttpRequest, response: HttpResponse, filters: Query[SanctionQuery]
) -> list[dict[str, Any]]:
    rows = queries.published_sanctions()
    if filters.fiscal_year is not None:
        rows = rows.filter(queries.in_force(filters.fiscal_year))
    order = order_fields(LISTING, filters.sort)
    return [_out(s) for s in paged(request, response, rows, order, filters.sort, filters)]
