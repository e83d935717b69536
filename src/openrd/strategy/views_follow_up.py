"""The follow-up pages: a strategy's year of follow-up (each measure with its
follow-up, and the frozen reports), a measure's follow-up written by its
ministry and reviewed by the command tower, and the frozen reports served
exactly as they were approved. A follow-up is public once approved; until then
only the measure's ministries and the command tower see it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_command_tower_admin
from openrd.accounts.queries import role_organisation_ids
from openrd.core.access import deny
from openrd.core.downloads import XLSX, file_download
from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.core.i18n import current_lang
from openrd.strategy.follow_up import (
    EDITABLE,
    approve_report,
    goal_order,
    review_follow_up,
    save_follow_up,
)
from openrd.strategy.models import (
    FollowUp,
    FollowUpReport,
    FollowUpState,
    Measure,
    Progress,
    Strategy,
)

FORM_FIELDS = ("progress", "comment_ja", "comment_en")


def _fiscal_year(request: HttpRequest, strategy: Strategy) -> tuple[int, list[int]]:
    """The year asked for (?fy=), else the last one ended; and the years offered."""
    this_year = fiscal_year_of(to_tokyo(timezone.now()).date())
    years = list(range(strategy.year, max(this_year, strategy.year) + 1))
    try:
        chosen = int(request.GET.get("fy", ""))
    except ValueError:
        chosen = max(strategy.year, this_year - 1)
    return (chosen if chosen in years else max(strategy.year, this_year - 1)), years


def _insider(user: Any, measure: Measure, mine: frozenset[int]) -> bool:
    return is_command_tower_admin(user) or any(
        m.organisation_id in mine for m in measure.ministries.all()
    )


def follow_up_page(request: HttpRequest, year: int) -> HttpResponse:
    strategy = get_object_or_404(Strategy, year=year)
    fiscal_year, years = _fiscal_year(request, strategy)
    mine = role_organisation_ids(request.user, Role.MINISTRY)
    follow_ups = {
        f.measure_id: f
        for f in FollowUp.objects.filter(measure__strategy=strategy, fiscal_year=fiscal_year)
    }
    rows: list[dict[str, Any]] = []
    approved_count = 0
    order = goal_order(strategy)
    measures = sorted(
        strategy.measures.select_related("goal").prefetch_related("ministries__organisation"),
        key=lambda m: (order.get(m.goal_id, 0), m.order, m.pk),
    )
    for measure in measures:
        insider = _insider(request.user, measure, mine)
        f = follow_ups.get(measure.pk)
        shown = f if f is not None and (insider or f.state == FollowUpState.APPROVED) else None
        approved_count += shown is not None and shown.state == FollowUpState.APPROVED
        rows.append({
            "measure": measure,
            "ministries": [m.organisation for m in measure.ministries.all()],
            "follow_up": shown,
            "insider": insider,
            "mine": any(m.organisation_id in mine for m in measure.ministries.all()),
        })  # fmt: skip
    if request.GET.get("mine") == "1":
        rows = [r for r in rows if r["mine"]]
    reports = list(FollowUpReport.objects.filter(strategy=strategy).defer("html_ja", "html_en"))
    context = {
        "strategy": strategy,
        "fiscal_year": fiscal_year,
        "years": years,
        "rows": rows,
        "approved_count": approved_count,
        "reports": reports,
        "may_approve": request.user.has_perm("strategy.review_follow_up"),
        "only_mine": request.GET.get("mine") == "1",
        "is_official": bool(mine),
    }
    return render(request, "strategy/follow_up_list.html", context)


def _measure(year: int, code: str) -> Measure:
    return get_object_or_404(
        Measure.objects.select_related("strategy", "goal").prefetch_related(
            "ministries__organisation", "indicators"
        ),
        strategy__year=year,
        code=code,
    )


def _edit_context(
    request: HttpRequest,
    measure: Measure,
    fiscal_year: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    row = FollowUp.objects.filter(measure=measure, fiscal_year=fiscal_year).first()
    may_write = request.user.has_perm("strategy.write_follow_up", measure) and (
        row is None or row.state in EDITABLE
    )
    if form is None:
        form = {k: getattr(row, k, "") if row else "" for k in FORM_FIELDS}
    return {
        "strategy": measure.strategy,
        "measure": measure,
        "fiscal_year": fiscal_year,
        "follow_up": row,
        "may_write": may_write,
        "may_review": request.user.has_perm("strategy.review_follow_up")
        and row is not None
        and row.state == FollowUpState.SUBMITTED,
        "progress_choices": Progress.choices,
        "form": form,
        "errors": errors or {},
    }


def _may_see(request: HttpRequest, measure: Measure) -> bool:
    return _insider(request.user, measure, role_organisation_ids(request.user, Role.MINISTRY))


def follow_up_edit(request: HttpRequest, year: int, code: str, fiscal_year: int) -> HttpResponse:
    measure = _measure(year, code)
    if not 1990 <= fiscal_year <= 2100:
        raise Http404
    if not _may_see(request, measure):
        deny(request, measure)
    if request.method != "POST":
        return render(
            request, "strategy/follow_up.html", _edit_context(request, measure, fiscal_year)
        )
    form = {k: request.POST.get(k, "") for k in FORM_FIELDS}
    submit = request.POST.get("action") == "submit"
    try:
        save_follow_up(measure, actor=request.user, fiscal_year=fiscal_year, submit=submit,
                       **form)  # fmt: skip
    except PermissionDenied:
        deny(request, measure)
    except ValidationError as error:
        # Everything typed stays in the form, each error beside its field.
        context = _edit_context(request, measure, fiscal_year, form=form,
                                errors=error.message_dict)  # fmt: skip
        return render(request, "strategy/follow_up.html", context, status=422)
    messages.success(
        request,
        _("The follow-up has been submitted to the command tower.")
        if submit
        else _("The follow-up has been saved as a draft."),
    )
    return redirect("strategy:follow_up_edit", year=year, code=code, fiscal_year=fiscal_year)


@require_POST
def follow_up_review(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.select_related("measure__strategy"), pk=pk)
    measure = follow_up.measure
    if not request.user.has_perm("strategy.review_follow_up"):
        deny(request, follow_up)
    approve = request.POST.get("action") == "approve"
    comment = request.POST.get("review_comment", "")
    try:
        review_follow_up(follow_up, actor=request.user, approve=approve, comment=comment)
    except ValidationError as error:
        context = _edit_context(request, _measure(measure.strategy.year, measure.code),
                                follow_up.fiscal_year, errors=error.message_dict)  # fmt: skip
        context["review_comment"] = comment
        return render(request, "strategy/follow_up.html", context, status=422)
    messages.success(
        request,
        _("The follow-up has been approved.") if approve else _("The follow-up has been returned."),
    )
    return redirect("strategy:follow_up_edit", year=measure.strategy.year, code=measure.code,
                    fiscal_year=follow_up.fiscal_year)  # fmt: skip


@require_POST
def report_approve(request: HttpRequest, year: int) -> HttpResponse:
    strategy = get_object_or_404(Strategy, year=year)
    if not request.user.has_perm("strategy.review_follow_up"):
        deny(request, strategy)
    try:
        fiscal_year = int(request.POST.get("fiscal_year", ""))
    except ValueError:
        fiscal_year = 0
    try:
        report = approve_report(strategy, fiscal_year, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(f"{reverse('strategy:follow_up', args=[year])}?fy={fiscal_year}")
    messages.success(request, _("The follow-up report has been approved and frozen."))
    return redirect("strategy:report", pk=report.pk)


def _report(pk: int) -> FollowUpReport:
    report = get_object_or_404(FollowUpReport.objects.select_related("strategy"), pk=pk)
    if not report.intact:
        # Never serve a snapshot that is no longer the one approved.
        raise Http404
    return report


def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The frozen report, byte for byte as approved, in the reader's language."""
    report = _report(pk)
    html = report.html_en if current_lang() == "en" else report.html_ja
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    # A document of its own: its inline style only, nothing loaded, nothing run.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-OpenRD-Report-Digest"] = f"sha-256={report.digest}"
    return response


def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    name = f"follow-up-{report.strategy.code}-fy{report.fiscal_year}-v{report.version}.xlsx"
    return file_download(bytes(report.xlsx), name=name, content_type=XLSX)
