"""Pages for one's own disclosure: the form, the pledge and the history of versions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from openrd.core.access import deny
from openrd.integrity.forms import (
    SECTIONS,
    SPECS,
    Row,
    attach_errors,
    error_summary,
    new_row,
    refuse_dates_not_received,
    rows_from_post,
    rows_from_version,
)
from openrd.integrity.presenters import disclosure_history_changes
from openrd.integrity.queries import latest_disclosure
from openrd.integrity.rules import is_pledge_due, pledge_text
from openrd.integrity.services import check_disclosure_input, pledge, save_disclosure


def _render_edit(
    request: HttpRequest,
    rows: dict[str, list[Row]],
    *,
    status: int = 200,
    section_errors: dict[str, list[str]] | None = None,
    other_errors: list[str] | None = None,
    pledge_errors: list[str] | None = None,
) -> HttpResponse:
    section_errors = section_errors or {section: [] for section in SECTIONS}
    latest = latest_disclosure(request.user)
    context = {
        "latest": latest,
        "pledge_due": latest is not None and is_pledge_due(latest.pledged_at, timezone.now()),
        "funding_rows": rows["funding"],
        "position_rows": rows["position"],
        "section_errors": section_errors,
        "summary": error_summary(rows, section_errors),
        "other_errors": other_errors or [],
        "pledge_errors": pledge_errors or [],
        "pledge_text": pledge_text(),
    }
    return render(request, "integrity/edit.html", context, status=status)


def _own(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_perm("integrity.edit_own_disclosure", user):
        deny(request, what="disclosure")
    return user


@login_required
def edit(request: HttpRequest) -> HttpResponse:
    """The person's own disclosure as a form; on an error every typed value is shown back."""
    person = _own(request)
    latest = latest_disclosure(person)
    if request.method != "POST":
        return _render_edit(request, rows_from_version(latest))
    rows = rows_from_post(request.POST, latest)
    added = request.POST.get("add")
    if added in rows:
        # Without JavaScript the "add" buttons submit the form: show one more row, save nothing.
        rows[added].append(new_row(added))
        return _render_edit(request, rows)
    submitted = {s: [r for r in rows[s] if not r.removed and not r.is_blank()] for s in rows}
    refused = refuse_dates_not_received([r for s in SECTIONS for r in submitted[s]])
    entries = {
        "fundings": [r.as_input() for r in submitted["funding"]],
        "positions": [r.as_input() for r in submitted["position"]],
    }
    section_errors: dict[str, list[str]] = {section: [] for section in SECTIONS}
    stray: list[str] = []
    try:
        if refused:
            # Nothing is saved, but every other problem is shown at once.
            check_disclosure_input(**entries)
        else:
            version = save_disclosure(person, actor=person, **entries)
    except ValidationError as exc:
        refused = True
        stray = attach_errors(exc, submitted, section_errors)
    if refused:
        return _render_edit(
            request, rows, status=422, section_errors=section_errors, other_errors=stray
        )
    if version.pledged_at is None:
        messages.success(
            request,
            _("Version %(number)d of your disclosure has been saved. Please pledge it below.")
            % {"number": version.number},
        )
    else:
        messages.info(request, _("Nothing has changed since your last pledge."))
    return redirect("integrity:edit")


@login_required
@require_GET
def blank_row(request: HttpRequest, section: str) -> HttpResponse:
    """One empty entry, appended to the form by htmx."""
    _own(request)
    if section not in SPECS:
        raise Http404
    return render(request, "integrity/_entry.html", {"row": new_row(section)})


@login_required
@require_POST
def pledge_view(request: HttpRequest) -> HttpResponse:
    person = _own(request)
    errors = [_("Tick the box to make the pledge.")] if request.POST.get("agree") != "on" else []
    before = latest_disclosure(person)
    if not errors:
        try:
            pledged = pledge(person, actor=person)
        except ValidationError as exc:
            errors = exc.messages
    if errors:
        return _render_edit(request, rows_from_version(before), status=422, pledge_errors=errors)
    if before is not None and before.pledged_at is not None and pledged.pk != before.pk:
        messages.success(request, _("Your pledge has been renewed."))
    else:
        messages.success(request, _("Your pledge has been recorded."))
    return redirect("integrity:edit")


@login_required
def history(request: HttpRequest) -> HttpResponse:
    person = _own(request)
    versions = disclosure_history_changes(person)
    return render(request, "integrity/history.html", {"versions": versions})
