"""Awards over the REST API: public, like KAKEN's records (``GET /api/v1/awards``), with
their members and, for SIP, their matching funds. The reports an award owes are not
public: only its principal investigator and the staff of an agency that runs the
program read them; anyone else gets the 404 of a missing award (audited)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from openrd.accounts.api_auth import api_auth, optional_auth
from openrd.accounts.models import Role
from openrd.accounts.queries import is_active_user, role_organisation_ids, signed_in_user
from openrd.awards import reports
from openrd.awards.matching import matching_entry, matching_for
from openrd.awards.members import member_entry
from openrd.awards.models import Award, AwardMember, AwardReport
from openrd.awards.queries import AWARD_LISTING, award_with_gates, public_awards
from openrd.core.access import get_visible_or_404
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


class MemberOut(Schema):
    name_ja: str
    name_en: str
    institution: str = Field(description="The institution as published")
    role: Literal["pi", "co_investigator"]
    share_percent: int = Field(description="Share of the award's budget, in percent")


class MatchingYearOut(Schema):
    fiscal_year: int
    required_yen: int | None = Field(
        description="What industry must contribute that year (null: the program gives no ratio)"
    )
    contributed_yen: int
    met: bool | None


class AwardDetailOut(AwardOut):
    stage_gates: list[StageGateOut]
    members: list[MemberOut]
    matching_funds: list[MatchingYearOut] | None = Field(
        description="Per fiscal year, for programs with matching funds (SIP); else null"
    )


class ReportOut(Schema):
    id: int
    award_id: int
    grant_number: str
    kind: Literal["progress", "final"]
    fiscal_year: int | None
    due_on: date
    status: Literal["due", "submitted", "accepted", "returned"]
    submitted_at: datetime | None
    reviewed_at: datetime | None


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
    award = (
        award_with_gates(pk)
        .prefetch_related(
            Prefetch("members", queryset=AwardMember.objects.select_related("institution"))
        )
        .first()
    )
    if award is None:
        raise Http404
    matching = matching_for(award)
    return award_dict(award) | {
        "stage_gates": [
            {"name_ja": g.name_ja, "name_en": g.name_en, "due_on": g.due_on,
             "outcome": g.status, "reasons": g.reasons, "changes": g.changes,
             "decided_at": g.decided_at}
            for g in award.stage_gates.all()
        ],
        "members": [member_entry(m) for m in award.members.all()],
        "matching_funds": None if matching is None else [matching_entry(y) for y in matching],
    }  # fmt: skip


def report_awards(user: Any) -> QuerySet[Award]:
    """The awards whose reports a person reads: as their PI, or as staff of an agency
    that runs the program (the audience of ``reports.visible_reports``)."""
    if not is_active_user(user):
        return Award.objects.none()
    audience = Q(pi=user)
    if role_organisation_ids(user, Role.AGENCY_STAFF):
        audience |= Q(program__in=reports.staff_program_ids(user))
    return Award.objects.filter(audience)


def report_dict(r: AwardReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "award_id": r.award_id,
        "grant_number": r.award.grant_number,
        "kind": r.kind,
        "fiscal_year": r.fiscal_year,
        "due_on": r.due_on,
        "status": r.status,
        "submitted_at": r.submitted_at,
        "reviewed_at": r.reviewed_at,
    }


@router.get(
    "/awards/{pk}/reports",
    response={200: list[ReportOut], 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=api_auth,
    summary="The reports an award owes (its PI and the program's agency staff only)",
    description="Progress reports by fiscal year and the final report, without their text. "
    "Anyone but the award's principal investigator and the staff of an agency that runs "
    "the program gets a 404.",
)
def award_reports(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    award = get_visible_or_404(report_awards(request.user), request=request, pk=pk)
    rows = reports.visible_reports(request.user).filter(award=award).order_by("due_on", "id")
    return [report_dict(r) for r in rows]


@router.get(
    "/me/reports",
    response={200: list[ReportOut], 401: ErrorOut},
    auth=api_auth,
    summary="Your reports as a principal investigator, across your awards",
)
def my_reports(request: HttpRequest) -> list[dict[str, Any]]:
    rows = (
        AwardReport.objects.filter(award__pi=signed_in_user(request), award__pi__is_active=True)
        .select_related("award")
        .order_by("due_on", "id")
    )
    return [report_dict(r) for r in rows]
