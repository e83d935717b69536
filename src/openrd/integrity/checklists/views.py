"""Checklist pages: a researcher's own, an institution officer's institution's, and the
agencies' view of which institutions have completed theirs this fiscal year."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.accounts.queries import signed_in_user
from openrd.core.access import deny
from openrd.core.fiscal import to_tokyo
from openrd.integrity.checklists import queries
from openrd.integrity.checklists.forms import (
    answers_from_post,
    attach_errors,
    error_summary,
    rows,
)
from openrd.integrity.checklists.services import complete_checklist, save_checklist_draft
from openrd.integrity.models import ChecklistCompletion, ChecklistKind
from openrd.integrity.rules.checklists import (
    checklist_fiscal_year,
    load_templates,
    template_in_force,
    template_version,
)


def _fill(
    request: HttpRequest,
    *,
    kind: str,
    row: ChecklistCompletion | None,
    subject: dict[str, Any],
    heading: str,
    action: str,
) -> HttpResponse:
    """One checklist form: GET shows it, POST saves a draft or completes it; on an error
    every typed answer and note is shown back beside its message."""
    now = timezone.now()
    templates = load_templates()
    template = (
        template_version(templates, kind, row.template_version)
        if row is not None
        else template_in_force(templates, kind, to_tokyo(now).date())
    )
    if template is None:
        deny(request, what=f"{kind} checklist")
    answers = row.answers if row is not None else {}
    status, stray = 200, []
    if request.method == "POST" and (row is None or row.completed_at is None):
        answers = answers_from_post(template, request.POST)
        complete = request.POST.get("action") == "complete"
        write = complete_checklist if complete else save_checklist_draft
        try:
            write(actor=signed_in_user(request), answers=answers, now=now, **subject)
        except ValidationError as exc:
            sections = rows(template, answers)
            stray = attach_errors(exc, sections)
            status = 422
        else:
            messages.success(
                request,
                _("The checklist has been completed.") if complete else _("Your draft is saved."),
            )
            return redirect(action)
    else:
        sections = rows(template, answers)
    context = {
        "heading": heading,
        "template": template,
        "row": row,
        "sections": sections,
        "fiscal_year": checklist_fiscal_year(now),
        "summary": error_summary(sections),
        "other_errors": stray,
        "action": action,
    }
    return render(request, "integrity/checklists/fill.html", context, status=status)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in researcher's own checklist for the current fiscal year."""
    user = signed_in_user(request)
    if not queries.may_fill_researcher_checklist(user):
        deny(request, what="researcher checklist")
    fiscal_year = checklist_fiscal_year(timezone.now())
    return _fill(
        request,
        kind=ChecklistKind.RESEARCHER,
        row=queries.researcher_checklist(user, fiscal_year),
        subject={"person": user},
        heading=_("My research-integrity checklist"),
        action=reverse("integrity-checklists:mine"),
    )


@login_required
def institutions(request: HttpRequest) -> HttpResponse:
    """The institutions whose checklist the officer fills in (straight to it if one)."""
    mine = list(queries.officer_institutions(request.user))
    if not mine:
        deny(request, what="institution checklists")
    if len(mine) == 1:
        return redirect("integrity-checklists:institution", pk=mine[0].pk)
    fiscal_year = checklist_fiscal_year(timezone.now())
    statuses = [s for s in queries.institution_statuses(fiscal_year) if s.organisation in set(mine)]
    return render(
        request,
        "integrity/checklists/institutions.html",
        {"statuses": statuses, "fiscal_year": fiscal_year},
    )


@login_required
def institution(request: HttpRequest, pk: int) -> HttpResponse:
    """An institution officer's checklist for their institution."""
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None or not queries.may_fill_institution_checklist(
        request.user, organisation
    ):
        deny(request, obj=organisation, what="institution checklist")
    fiscal_year = checklist_fiscal_year(timezone.now())
    return _fill(
        request,
        kind=ChecklistKind.INSTITUTION,
        row=queries.institution_checklist(organisation, fiscal_year),
        subject={"organisation": organisation},
        heading=_("Institution checklist: %(name)s") % {"name": organisation.name},
        action=reverse("integrity-checklists:institution", kwargs={"pk": organisation.pk}),
    )


@login_required
def completion(request: HttpRequest) -> HttpResponse:
    """For agency staff: every applying institution and this fiscal year's status."""
    if not queries.may_see_completion(request.user):
        deny(request, what="checklist completion")
    fiscal_year = checklist_fiscal_year(timezone.now())
    kind = request.GET.get("kind", "")
    statuses = queries.institution_statuses(fiscal_year, kind=kind)
    labels = {
        "completed": _("Completed"),
        "draft": _("Draft, not completed"),
        "not_started": _("Not started"),
    }
    return render(
        request,
        "integrity/checklists/completion.html",
        {
            "fiscal_year": fiscal_year,
            "statuses": [(s, labels[s.status]) for s in statuses],
            "completed_count": sum(1 for s in statuses if s.status == "completed"),
            "kinds": [(k.value, k.label) for k in queries.INSTITUTION_KINDS],
            "kind": kind if kind in queries.INSTITUTION_KINDS else "",
            "kind_labels": dict(OrganisationKind.choices),
        },
    )
