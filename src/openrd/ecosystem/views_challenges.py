"""A challenge's page: the need, and what became of it — the pilots and contracts
(public procurement) for everyone; for a company's officers, the proposal form;
for the owner, every proposal with its decision form and the startups matching
suggests, each with the components of its score. And the adoption rates per owner."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.accounts.models import Role
from openrd.accounts.queries import role_organisation_ids
from openrd.core.access import deny
from openrd.core.downloads import table_download
from openrd.core.fiscal import to_tokyo
from openrd.core.forms import add_service_errors
from openrd.core.spreadsheet import Cell
from openrd.ecosystem import matching, responses
from openrd.ecosystem.challenge_files import contract_bases
from openrd.ecosystem.challenges import public_challenges
from openrd.ecosystem.forms import ProposalForm, StepForm
from openrd.ecosystem.models import Challenge, ChallengeResponse, ChallengeStatus, Company
from openrd.ecosystem.rules.responses import BY_COMPANY, TRANSITIONS, WITHDRAWN

# The states from which the owner still has a step to take.
OWNER_STEPS_FROM = {s for s, targets in TRANSITIONS.items() if targets - BY_COMPANY}


def _own_companies(user: Any) -> list[Company]:
    """The companies whose officer the user is (they propose for them)."""
    if not user.is_authenticated:
        return []
    orgs = role_organisation_ids(user, Role.INSTITUTION_OFFICER)
    return list(Company.objects.filter(organisation_id__in=orgs).order_by("name_ja", "pk"))


def _context(request: HttpRequest, challenge: Challenge, **forms: Any) -> dict[str, Any]:
    user = request.user
    owner = user.has_perm("ecosystem.decide_response", challenge.owner)
    companies = _own_companies(user)
    mine = {r.company_id: r for r in challenge.responses.filter(company__in=companies)}
    today = to_tokyo(timezone.now()).date()
    open_ = challenge.status == ChallengeStatus.OPEN and (
        challenge.opens_on <= today <= challenge.closes_on
    )
    proposal_form = forms.get("proposal_form") or (
        ProposalForm(companies=companies) if companies and open_ else None
    )
    rows = []
    if owner:
        step_forms = forms.get("step_forms", {})
        for r in challenge.responses.select_related("company").order_by("submitted_at", "pk"):
            form = step_forms.get(r.pk) or StepForm(prefix=f"r{r.pk}")
            rows.append((r, form, r.status in OWNER_STEPS_FROM))
    bases = contract_bases()
    return {
        "challenge": challenge,
        "public_responses": [
            (r, bases.get(r.contract_basis)) for r in responses.public_responses(challenge)
        ],
        "is_owner": owner,
        "responses": rows,
        "matches": matching.companies_for(challenge, limit=20) if owner else [],
        "proposal_form": proposal_form,
        "mine": [
            (c, r, r is not None and WITHDRAWN in TRANSITIONS[r.status])
            for c in companies
            for r in [mine.get(c.pk)]
        ],
    }


def challenge_detail(request: HttpRequest, code: str) -> HttpResponse:
    challenge = get_object_or_404(public_challenges(), code=code)
    return render(request, "ecosystem/challenge_detail.html", _context(request, challenge))


@login_required
@require_POST
def propose(request: HttpRequest, code: str) -> HttpResponse:
    challenge = get_object_or_404(public_challenges(), code=code)
    companies = _own_companies(request.user)
    if not companies:
        deny(request, challenge)
    form = ProposalForm(request.POST, companies=companies)
    if form.is_valid():
        company = next(c for c in companies if str(c.pk) == form.cleaned_data["company"])
        try:
            responses.respond(
                actor=request.user, challenge=challenge, company=company,
                proposal_ja=form.cleaned_data["proposal_ja"],
                proposal_en=form.cleaned_data["proposal_en"],
            )  # fmt: skip
        except PermissionDenied:
            deny(request, company)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your proposal has been submitted."))
            return redirect("ecosystem:challenge", code)
    context = _context(request, challenge, proposal_form=form)
    return render(request, "ecosystem/challenge_detail.html", context, status=422)


@login_required
@require_POST
def step(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    challenge = get_object_or_404(public_challenges(), code=code)
    response = get_object_or_404(ChallengeResponse, pk=pk, challenge=challenge)
    if request.POST.get("withdraw"):
        try:
            responses.take_step(response, actor=request.user, to="withdrawn")
        except PermissionDenied:
            deny(request, response)
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("ecosystem:challenge", code)
    if not request.user.has_perm("ecosystem.decide_response", challenge.owner):
        deny(request, response)
    form = StepForm(request.POST, prefix=f"r{response.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            responses.take_step(
                response, actor=request.user, to=data["to"], note=data["note"],
                pilot_starts_on=data["pilot_starts_on"], contract_basis=data["contract_basis"],
                contracted_on=data["contracted_on"], contract_yen=data["contract_yen"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("ecosystem:challenge", code)
    context = _context(request, challenge, step_forms={response.pk: form})
    return render(request, "ecosystem/challenge_detail.html", context, status=422)


def adoption_table() -> tuple[list[str], list[list[Cell]]]:
    header = [_("Owner"), _("Challenges posted"), _("Closed"), _("With a pilot"),
              _("With a contract"), _("Proposals"), _("Proposals contracted"),
              _("Adoption rate (%)")]  # fmt: skip
    body: list[list[Cell]] = [
        [a.owner.name, a.challenges, a.closed, a.with_pilot, a.with_contract, a.proposals,
         a.contracted, a.rate]
        for a in responses.adoption()
    ]  # fmt: skip
    return header, body


def adoption_page(request: HttpRequest) -> HttpResponse:
    header, body = adoption_table()
    return render(request, "ecosystem/adoption.html", {"header": header, "body": body})


def adoption_download(request: HttpRequest, ext: str) -> HttpResponse:
    header, body = adoption_table()
    return table_download(header, body, name="challenge-adoption", ext=ext,
                          sheet_title=_("Adoption"))  # fmt: skip
