"""The repository over the REST API: public records (``GET /api/v1/outputs``,
``/outputs/{id}``) built from the same ``records.build_record`` as the pages and
OAI-PMH, so a restricted or embargoed file never appears here either; and the
OA compliance roll-ups (``GET /api/v1/repository/compliance``) for those who
follow them (the compliance page's audiences)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from openrd.accounts.api_auth import api_auth, optional_auth
from openrd.core.access import get_visible_or_404
from openrd.core.api_paging import PAGED_OPENAPI, PageQuery, paged
from openrd.core.api_schemas import ErrorOut, ValidationErrorOut
from openrd.core.fiscal import to_tokyo
from openrd.repository import compliance, compliance_store, queries
from openrd.repository.records import Record, build_record

router = Router(tags=["repository"])


class NameOut(Schema):
    ja: str
    en: str


class CreatorOut(Schema):
    name: NameOut
    erad_researcher_number: str
    orcid: str
    affiliation: NameOut
    affiliation_ror: str


class FundingOut(Schema):
    funder: NameOut
    erad_funder_code: str
    crossref_funder_id: str
    program: NameOut
    award_number: str
    award_number_type: Literal["JGN", ""] = Field(description="JGN: a Japan Grant Number")
    award_uri: str


class FileOut(Schema):
    name: str
    url: str
    size: int
    mime_type: str
    sha256: str
    md5: str
    text_version: str


class OutputOut(Schema):
    id: int
    url: str
    concept_url: str
    version: int
    is_latest: bool
    deleted: bool = Field(description="Withdrawn: only the tombstone's fields remain")
    datestamp: datetime
    title: NameOut
    kind: str
    resource_type: str
    resource_type_uri: str
    access_rights: str
    access_rights_uri: str
    embargo_until: date | None
    licence: str
    doi: str
    journal_title: str
    published_on: date | None
    peer_reviewed: bool
    institution: str
    program: str
    creators: list[CreatorOut]
    funding: list[FundingOut]
    files: list[FileOut] = Field(description="Files anyone may download; never restricted ones")


class OutputQuery(PageQuery):
    program: str | None = Field(None, max_length=64, description="A program's code")
    institution: str | None = Field(None, max_length=64, description="An institution's code")
    resource_type: str | None = Field(None, max_length=40, description="A COAR type's key")
    sort: Literal["published", "-published"] = Field("-published", description="Order")


def _absolute(request: HttpRequest) -> Any:
    return request.build_absolute_uri


def output_dict(r: Record) -> dict[str, Any]:
    return {
        "id": r.pk,
        "url": r.identifier,
        "concept_url": r.concept_identifier,
        "version": r.version_number,
        "is_latest": r.is_latest,
        "deleted": r.deleted,
        "datestamp": r.datestamp,
        "title": {"ja": r.title.ja, "en": r.title.en},
        "kind": r.kind,
        "resource_type": r.resource_type,
        "resource_type_uri": r.resource_type_uri,
        "access_rights": r.access_rights,
        "access_rights_uri": r.access_rights_uri,
        "embargo_until": r.embargo_until,
        "licence": r.licence,
        "doi": r.doi,
        "journal_title": r.journal_title,
        "published_on": r.published_on,
        "peer_reviewed": r.peer_reviewed,
        "institution": r.institution_code,
        "program": r.program_code,
        "creators": [
            {
                "name": {"ja": c.name.ja, "en": c.name.en},
                "erad_researcher_number": c.erad_researcher_number,
                "orcid": c.orcid,
                "affiliation": {"ja": c.affiliation.ja, "en": c.affiliation.en},
                "affiliation_ror": c.affiliation_ror,
            }
            for c in r.creators
        ],
        "funding": [
            {
                "funder": {"ja": f.funder.ja, "en": f.funder.en},
                "erad_funder_code": f.erad_funder_code,
                "crossref_funder_id": f.crossref_funder_id,
                "program": {"ja": f.program.ja, "en": f.program.en},
                "award_number": f.award_number,
                "award_number_type": "JGN" if f.award_number_is_jgn else "",
                "award_uri": f.award_uri,
            }
            for f in r.funding
        ],
        "files": [
            {
                "name": f.name,
                "url": f.url,
                "size": f.size,
                "mime_type": f.mime_type,
                "sha256": f.sha256,
                "md5": f.md5,
                "text_version": f.text_version,
            }
            for f in r.files
        ],
    }


@router.get(
    "/outputs",
    response={200: list[OutputOut], 422: ValidationErrorOut},
    auth=optional_auth,
    summary="Published research outputs",
    description="Paged by cursor (limit, cursor; X-Next-Cursor and Link headers). Filters: "
    "program, institution, resource_type (COAR key); q searches the titles. Files are "
    "listed only when anyone may download them.",
    openapi_extra=PAGED_OPENAPI,
)
def list_outputs(
    request: HttpRequest, response: HttpResponse, query: Query[OutputQuery]
) -> list[dict[str, Any]]:
    rows = queries.public_outputs()
    if query.program:
        rows = rows.filter(program__code=query.program)
    if query.institution:
        rows = rows.filter(institution__code=query.institution)
    if query.resource_type:
        rows = rows.filter(resource_type=query.resource_type)
    for word in query.words.split():
        rows = rows.filter(title_ja__icontains=word) | rows.filter(title_en__icontains=word)
    order = ("published_at", "id") if query.sort == "published" else ("-published_at", "-id")
    page = paged(request, response, queries.with_record(rows), order, query.sort, query)
    build = _absolute(request)
    return [output_dict(build_record(o, build)) for o in page]


@router.get(
    "/outputs/{pk}",
    response={200: OutputOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=optional_auth,
    summary="One research output (a withdrawn one as its tombstone)",
)
def get_output(request: HttpRequest, pk: int) -> dict[str, Any]:
    output = get_visible_or_404(queries.with_record(queries.public_pages()), request=request, pk=pk)
    return output_dict(build_record(output, _absolute(request)))


class ComplianceRowOut(Schema):
    key: int
    code: str
    label: str
    total: int
    mandated: int
    compliant: int
    pending: int
    exception: int
    non_compliant: int
    not_mandated: int
    compliant_share: float | None = Field(description="Compliant over mandated (0–1)")


class ComplianceOut(Schema):
    by: str
    as_of: date
    total: ComplianceRowOut
    groups: list[ComplianceRowOut]


class ComplianceQuery(Schema):
    by: Literal["award", "institution", "program", "agency"] = Field("program")


@router.get(
    "/repository/compliance",
    response={200: ComplianceOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=api_auth,
    summary="Immediate-OA compliance of the outputs you follow, grouped",
    description="The command tower and ministries see every output; agency staff the "
    "outputs of the awards they fund; curators and institution officers their "
    "institution's; researchers their own. Others get a 404.",
)
def get_compliance(request: HttpRequest, query: Query[ComplianceQuery]) -> dict[str, Any]:
    scope = queries.compliance_scope(request.user)
    if scope is None:
        raise Http404
    today = to_tokyo(timezone.now()).date()
    groups = compliance_store.roll_up(scope, query.by, today=today)
    total = compliance.summary_row(compliance.total(groups))
    return {
        "by": query.by,
        "as_of": today,
        "total": {"key": 0, "code": "", "label": "", **total},
        "groups": [
            {"key": g.key, "code": g.code, "label": g.label, **compliance.summary_row(g.summary)}
            for g in groups
        ],
    }


class UsageRowOut(Schema):
    item_id: int
    concept_id: int | None
    title: str
    doi: str
    metric: str = Field(description="COUNTER R5: Total_Item_Investigations, …")
    months: dict[str, int] = Field(description="Count per month (YYYY-MM)")
    total: int


class UsageQuery(Schema):
    begin: str = Field(
        pattern=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", description="First month, YYYY-MM"
    )
    end: str = Field(pattern=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", description="Last month, YYYY-MM")


@router.get(
    "/repository/usage",
    response={200: list[UsageRowOut], 422: ValidationErrorOut},
    auth=optional_auth,
    summary="Usage of the public records (a COUNTER R5 item report)",
    description="One row per record and metric, robots and double clicks left out, for "
    "the months from begin to end (at most 24). Counts are updated daily.",
)
def usage_report(request: HttpRequest, query: Query[UsageQuery]) -> list[dict[str, Any]]:
    from ninja.errors import ValidationError as NinjaValidationError

    from openrd.repository import usage

    first = date.fromisoformat(query.begin + "-01")
    last = date.fromisoformat(query.end + "-01")
    span = (last.year - first.year) * 12 + last.month - first.month
    if span < 0 or span >= 24:
        raise NinjaValidationError(
            [
                {
                    "loc": ["query", "end"],
                    "msg": _("Give at most 24 months, from begin to end."),
                    "type": "value_error",
                }
            ]
        )
    return [
        row | {"months": {f"{m:%Y-%m}": n for m, n in row["months"].items()}}
        for row in usage.counter_report(first, last)
    ]
