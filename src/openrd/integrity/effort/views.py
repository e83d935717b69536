"""The effort ledger pages: one's own, and an applicant's for their agency's staff."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from openrd.core.decisions import Decision
from openrd.integrity.effort.forms import WhatIfForm
from openrd.integrity.effort.queries import OUTSIDE, ledger, ledger_person_or_404
from openrd.integrity.rules.effort import EFFORT_LIMIT, EffortLine, check_awarded_effort


def source_label(line: EffortLine) -> str:
    if line.source == "award":
        return _("Award")
    if line.source == "proposal":
        return _("Proposal under review")
    if line.source == OUTSIDE and line.awarded:
        return _("Outside funding (current)")
    return _("Outside funding (applied for)")


def _what_if(request: HttpRequest, person: Any) -> tuple[WhatIfForm, dict[str, Any] | None]:
    """The form, and when it was filled in, the total it would make and the decision."""
    if "percent" not in request.GET:
        return WhatIfForm(), None
    form = WhatIfForm(request.GET)
    if not form.is_valid():
        return form, None
    facts = ledger(
        person, adding_percent=form.cleaned_data["percent"], adding_label=_("the new proposal")
    )
    decision: Decision = check_awarded_effort(facts)
    return form, {"facts": facts, "decision": decision}


def _render(request: HttpRequest, person: Any, *, own: bool, action: str) -> HttpResponse:
    facts = ledger(person)
    form, what_if = _what_if(request, person)
    context = {
        "person": person,
        "own": own,
        "facts": facts,
        "lines": [(line, source_label(line)) for line in facts.lines],
        "limit": EFFORT_LIMIT,
        "form": form,
        "what_if": what_if,
        "action": action,
    }
    if request.headers.get("HX-Request"):
        return render(request, "integrity/effort/_what_if.html", context)
    return render(request, "integrity/effort/ledger.html", context)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own ledger, with the what-if form."""
    return _render(request, request.user, own=True, action=reverse("integrity-effort:mine"))


@login_required
@require_GET
def person_ledger(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's ledger for their agency's staff or the command tower; 404 for anyone else."""
    person = ledger_person_or_404(request, person_id)
    action = reverse("integrity-effort:person", args=[person.pk])
    return _render(request, person, own=person.pk == request.user.pk, action=action)
