"""The ecosystem endpoints: a company's facts with their sources and its current
eligibility assessments, by corporate number; the hub cities' consortia; the
procurement challenges."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema

from openrd.accounts.api_auth import optional_auth
from openrd.core.api_schemas import ErrorOut, ValidationErrorOut
from openrd.ecosystem.challenges import public_challenges
from openrd.ecosystem.models import Company, HubConsortium
from openrd.ecosystem.sbir import phases_reached
from openrd.ecosystem.services import current_facts

router = Router(tags=["ecosystem"])

CorporateNumber = Annotated[str, Path(pattern=r"^[0-9]{13}$", examples=["1180301018771"])]


class FactOut(Schema):
    kind: str
    value: str = Field(description="ISO date, whole yen, a count, an industry code or a share")
    precision: str = Field(description="day, month or year for a date; empty otherwise")
    as_of: date
    source: str = Field(description="self_declared, registry_document or public_registry")
    source_ref: str
    counts: bool = Field(description="This is the fact the assessments read")


class ReasonOut(Schema):
    code: str
    message: str
    source: str


class AssessmentOut(Schema):
    rule: str = Field(description="sme, or a program's code such as sbir")
    version: str = Field(description="The rule set's version")
    status: str = Field(description="yes, no or undetermined")
    small: bool | None = Field(description="A small enterprise (SME rule only)")
    facts: dict[str, Any] = Field(description="The facts the rule read")
    reasons: list[ReasonOut]
    on: date
    assessed_at: datetime


class CompanyOut(Schema):
    corporate_number: str | None
    name_ja: str
    name_kana: str
    name_en: str
    individual: bool
    prefecture: str
    city: str
    status: str
    closed_on: date | None
    successor: str | None = Field(description="The successor's corporate number")
    facts: list[FactOut]
    assessments: list[AssessmentOut]
    sbir_phases_reached: list[int] = Field(
        description="The SBIR phases (1–3) reached: awards here and on public record"
    )


@router.get(
    "/companies/{corporate_number}",
    response={200: CompanyOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=optional_auth,
    summary="A company: its facts with their sources and its current eligibility assessments",
    operation_id="openrd_ecosystem_api_get_company",
)
def get_company(request: HttpRequest, corporate_number: CorporateNumber) -> dict[str, Any]:
    company = get_object_or_404(
        Company.objects.select_related("successor").prefetch_related("facts"),
        corporate_number=corporate_number,
    )
    counting = {f.pk for f in current_facts(company).values()}
    return {
        "corporate_number": company.corporate_number, "name_ja": company.name_ja,
        "name_kana": company.name_kana, "name_en": company.name_en,
        "individual": company.individual, "prefecture": company.prefecture,
        "city": company.city, "status": company.status, "closed_on": company.closed_on,
        "successor": company.successor.corporate_number if company.successor else None,
        "facts": [
            {"kind": f.kind, "value": f.value, "precision": f.precision, "as_of": f.as_of,
             "source": f.source, "source_ref": f.source_ref, "counts": f.pk in counting}
            for f in company.facts.all()
        ],
        "assessments": [
            {"rule": a.rule, "version": a.version, "status": a.status, "small": a.small,
             "facts": a.facts, "reasons": a.reasons, "on": a.on, "assessed_at": a.assessed_at}
            for a in company.assessments.filter(current=True).order_by("rule")
        ],
        "sbir_phases_reached": phases_reached(company),
    }  # fmt: skip


class HubMemberOut(Schema):
    name_ja: str
    kind: str = Field(description="prefecture, municipality or university")
    prefecture: str


class HubOut(Schema):
    code: str
    kind: str = Field(description="global or promotion")
    name_ja: str
    name_en: str
    summary_ja: str
    summary_en: str
    selected_on: date
    members: list[HubMemberOut]
    source: dict[str, Any] = Field(description="The briefing's line and excerpt")
    url: str


@router.get(
    "/hubs",
    response={200: list[HubOut]},
    auth=optional_auth,
    summary="The startup ecosystem hub cities' consortia (global and promotion)",
    operation_id="openrd_ecosystem_api_list_hubs",
)
def list_hubs(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": h.code, "kind": h.kind, "name_ja": h.name_ja, "name_en": h.name_en,
         "summary_ja": h.summary_ja, "summary_en": h.summary_en, "selected_on": h.selected_on,
         "members": [{"name_ja": m.name_ja, "kind": m.kind, "prefecture": m.prefecture}
                     for m in h.members.all()],
         "source": {"line": h.seed_line, "excerpt": h.seed_text},
         "url": reverse("ecosystem:hub", args=[h.code])}
        for h in HubConsortium.objects.prefetch_related("members")
    ]  # fmt: skip


class ChallengeOut(Schema):
    code: str
    kind: str = Field(description="open_innovation or trial_procurement")
    status: str = Field(description="open or closed")
    owner: str = Field(description="The owner's organisation code")
    owner_name: str
    title_ja: str
    title_en: str
    need_ja: str
    need_en: str
    keywords: list[str]
    prefecture: str
    opens_on: date
    closes_on: date
    contract_basis: str = Field(description="The legal basis under which a pilot may be contracted")
    url: str


@router.get(
    "/challenges",
    response={200: list[ChallengeOut], 422: ValidationErrorOut},
    auth=optional_auth,
    summary="Procurement challenges posted by ministries and municipalities",
    operation_id="openrd_ecosystem_api_list_challenges",
)
def list_challenges(
    request: HttpRequest,
    status: Literal["open", "closed"] | None = None,
    kind: Literal["open_innovation", "trial_procurement"] | None = None,
    owner: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    rows = public_challenges()
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if owner:
        rows = rows.filter(owner__code=owner)
    return [
        {"code": c.code, "kind": c.kind, "status": c.status, "owner": c.owner.code,
         "owner_name": c.owner.name, "title_ja": c.title_ja, "title_en": c.title_en,
         "need_ja": c.need_ja, "need_en": c.need_en, "keywords": c.keywords,
         "prefecture": c.prefecture, "opens_on": c.opens_on, "closes_on": c.closes_on,
         "contract_basis": c.contract_basis, "url": reverse("ecosystem:challenge", args=[c.code])}
        for c in rows[:500]
    ]  # fmt: skip
