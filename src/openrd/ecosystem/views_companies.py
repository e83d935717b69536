"""Company pages: the public record of a company as sourced facts — what it is,
the facts with where each comes from, its eligibility assessments with their
reasons, every SBIR phase it reached, the hub cities around it, its pilots and
contracts, and the open challenges matching suggests. A company's officers
declare its facts and keep its profile here; registry facts are shown, never
theirs to change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.awards.models import Award
from openrd.core import listing
from openrd.core.access import deny
from openrd.core.forms import add_service_errors
from openrd.ecosystem import matching
from openrd.ecosystem.forms import FactForm, ProfileForm
from openrd.ecosystem.hubs import hubs_of
from openrd.ecosystem.keywords import split_keywords
from openrd.ecosystem.models import Company, FactSource, ResponseStatus
from openrd.ecosystem.sbir import SBIR, phases_reached
from openrd.ecosystem.services import current_facts, record_fact, update_profile

COMPANIES = listing.Listing(
    sorts={"name": ("name_kana", "name_ja"), "prefecture": ("prefecture", "name_kana")},
    default_sort="name",
    per_page=50,
)


def company_list(request: HttpRequest) -> HttpResponse:
    params = listing.parse(COMPANIES, request.GET)
    rows = Company.objects.all()
    if params.q:
        rows = rows.filter(
            listing.search_q(params.q, ["name_ja", "name_kana", "name_en", "corporate_number"])
        )
    page = listing.paginate(rows, COMPANIES, params, request.GET)
    return render(request, "ecosystem/company_list.html", {"page": page, "q": params.q})


def _phases(company: Company) -> list[Award]:
    """The company's SBIR awards, phase by phase (the phases it reached)."""
    if company.organisation_id is None:
        return []
    return list(
        Award.objects.filter(institution_id=company.organisation_id, program__code=SBIR)
        .select_related("element", "call__presenting_ministry")
        .order_by("element__code", "starts_on", "grant_number")
    )


def _context(request: HttpRequest, company: Company, **forms: Any) -> dict[str, Any]:
    user = request.user
    counting = {f.pk for f in current_facts(company).values()}
    facts = [(f, f.pk in counting) for f in company.facts.order_by("kind", "-as_of", "source")]
    officer = user.has_perm("ecosystem.declare_fact", company)
    awards = _phases(company)
    records = list(company.sbir_records.select_related("ministry"))
    outcomes = company.challenge_responses.select_related("challenge")
    if not officer:  # the public sees public procurement only
        outcomes = outcomes.filter(status__in=[ResponseStatus.PILOT, ResponseStatus.CONTRACTED])
    profile = {"description_ja": company.description_ja, "description_en": company.description_en,
               "keywords": "、".join(company.keywords or [])}  # fmt: skip
    return {
        "company": company,
        "facts": facts,
        "assessments": list(company.assessments.filter(current=True).order_by("rule")),
        "sbir_awards": awards,
        "sbir_records": records,
        "phases_reached": phases_reached(company),
        "hubs": hubs_of(company),
        "outcomes": list(outcomes.order_by("-submitted_at")),
        "matches": matching.challenges_for(company, limit=10),
        "may_declare": officer,
        "may_edit_profile": user.has_perm("ecosystem.edit_profile", company),
        "fact_form": forms.get("fact_form") or FactForm(),
        "profile_form": forms.get("profile_form") or ProfileForm(initial=profile),
        "self_declared": FactSource.SELF_DECLARED,
    }


def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    return render(request, "ecosystem/company_detail.html", _context(request, company))


@login_required
@require_POST
def declare_fact(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    if not request.user.has_perm("ecosystem.declare_fact", company):
        deny(request, company)
    form = FactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_fact(
                company, actor=request.user, kind=data["kind"], value=data["value"],
                as_of=data["as_of"], precision=data["precision"],
                source=FactSource.SELF_DECLARED,
            )  # fmt: skip
        except PermissionDenied:
            deny(request, company)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The fact has been recorded and the company reassessed."))
            return redirect("ecosystem:company", pk)
    context = _context(request, company, fact_form=form)
    return render(request, "ecosystem/company_detail.html", context, status=422)


@login_required
@require_POST
def edit_profile(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    if not request.user.has_perm("ecosystem.edit_profile", company):
        deny(request, company)
    form = ProfileForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            update_profile(
                company, actor=request.user, description_ja=data["description_ja"],
                description_en=data["description_en"],
                keywords=split_keywords(data["keywords"]),
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The profile has been saved."))
            return redirect("ecosystem:company", pk)
    context = _context(request, company, profile_form=form)
    return render(request, "ecosystem/company_detail.html", context, status=422)
