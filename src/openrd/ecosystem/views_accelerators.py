"""The acceleration programs (budgets by fiscal year, cohorts and their startups)
and the support organisations by hub city, public; with the forms to record a
cohort or an organisation for the command tower and the ministries."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.core.access import deny
from openrd.core.forms import add_service_errors
from openrd.ecosystem import accelerators
from openrd.ecosystem.forms import CohortForm, SupportForm
from openrd.ecosystem.models import (
    AcceleratorProgram,
    Company,
    HubConsortium,
    SupportOrganisation,
)


def _hubs() -> list[HubConsortium]:
    return list(HubConsortium.objects.order_by("order", "code"))


def _accelerator_context(request: HttpRequest, form: CohortForm | None = None) -> dict[str, Any]:
    programs = list(
        AcceleratorProgram.objects.prefetch_related("budgets", "cohorts__companies", "cohorts__hub")
    )
    may_manage = request.user.has_perm("ecosystem.manage_accelerators")
    return {
        "programs": [(p, accelerators.total_budget(p)) for p in programs],
        "form": form or (CohortForm(hubs=_hubs()) if may_manage else None),
    }


def accelerator_page(request: HttpRequest) -> HttpResponse:
    return render(request, "ecosystem/accelerators.html", _accelerator_context(request))


def _companies(text: str) -> tuple[list[Company], list[str]]:
    numbers = [n for n in re.split(r"[\s,、，]+", text) if n]
    found = {c.corporate_number: c for c in Company.objects.filter(corporate_number__in=numbers)}
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


@login_required
@require_POST
def save_cohort(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("ecosystem.manage_accelerators"):
        deny(request, what="acceleration cohorts")
    hubs = _hubs()
    form = CohortForm(request.POST, hubs=hubs)
    program = AcceleratorProgram.objects.order_by("code").first()
    if form.is_valid() and program is not None:
        data = form.cleaned_data
        companies, unknown = _companies(data["companies"])
        if unknown:
            message = _("No company on record has the corporate number %(numbers)s.")
            form.add_error("companies", message % {"numbers": "、".join(unknown)})
        else:
            try:
                accelerators.save_cohort(
                    actor=request.user, program=program, code=data["code"],
                    name_ja=data["name_ja"], name_en=data["name_en"],
                    fiscal_year=data["fiscal_year"], accelerator=data["accelerator"],
                    hub=next((h for h in hubs if h.code == data["hub"]), None),
                    starts_on=data["starts_on"], ends_on=data["ends_on"], companies=companies,
                )  # fmt: skip
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The cohort has been saved."))
                return redirect("ecosystem:accelerators")
    return render(request, "ecosystem/accelerators.html", _accelerator_context(request, form),
                  status=422)  # fmt: skip


def _support_context(request: HttpRequest, form: SupportForm | None = None) -> dict[str, Any]:
    hubs = _hubs()
    rows = list(SupportOrganisation.objects.select_related("hub").order_by("hub__order", "kind",
                                                                            "code"))  # fmt: skip
    may_manage = request.user.has_perm("ecosystem.manage_accelerators")
    return {
        "platform": accelerators.platform(),
        "organisations": rows,
        "in_plus": sum(o.in_plus for o in rows),
        "form": form or (SupportForm(hubs=hubs) if may_manage else None),
    }


def support_page(request: HttpRequest) -> HttpResponse:
    return render(request, "ecosystem/support.html", _support_context(request))


@login_required
@require_POST
def save_support(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("ecosystem.manage_accelerators"):
        deny(request, what="support organisations")
    hubs = _hubs()
    form = SupportForm(request.POST, hubs=hubs)
    if form.is_valid():
        data = form.cleaned_data
        try:
            accelerators.save_support_organisation(
                actor=request.user, code=data["code"], name_ja=data["name_ja"],
                name_en=data["name_en"], kind=data["kind"], in_plus=data["in_plus"],
                hub=next((h for h in hubs if h.code == data["hub"]), None),
                prefecture=data["prefecture"], website=data["website"],
            )  # fmt: skip
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("ecosystem:support")
    return render(request, "ecosystem/support.html", _support_context(request, form), status=422)
