"""The pages of award reports (not public): the PI writes and submits a report; the
staff of an agency that runs the program accept or return it, and see the list of
overdue reports and of those awaiting their review. Anyone else gets a 404 with an
audit entry.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Role
from openrd.accounts.queries import role_organisation_ids, signed_in_user
from openrd.awards import reports
from openrd.awards.models import REPORT_BODY_MAX, AwardReport, ReportStatus
from openrd.awards.services import may_manage
from openrd.core.access import deny, get_visible_or_404
from openrd.core.refusals import Refused


@login_required
def reports_overdue(request: HttpRequest) -> HttpResponse:
    if not role_organisation_ids(request.user, Role.AGENCY_STAFF):
        deny(request, what="awards:reports_overdue")
    today = timezone.localdate()
    return render(
        request,
        "awards/reports/overdue.html",
        {
            "overdue": list(reports.overdue_for_staff(request.user, today)),
            "awaiting": list(reports.awaiting_review_for_staff(request.user)),
        },
    )


def _render_report(
    request: HttpRequest,
    report: AwardReport,
    *,
    refusal: Refused | None = None,
    errors: dict[str, list[str]] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    me = signed_in_user(request)
    award = report.award
    is_pi = award.pi_id is not None and award.pi_id == me.pk
    is_staff = may_manage(me, award.program)
    typed = typed or {}
    return render(
        request,
        "awards/reports/report.html",
        {
            "report": report,
            "award": award,
            "may_submit": is_pi and report.status in (ReportStatus.DUE, ReportStatus.RETURNED),
            "may_review": is_staff and report.status == ReportStatus.SUBMITTED,
            "is_staff": is_staff,
            "body": typed.get("body", report.body),
            "comment": typed.get("comment", ""),
            "body_max": REPORT_BODY_MAX,
            "refusal": refusal,
            "errors": errors or {},
        },
        status=status,
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_visible_or_404(reports.visible_reports(request.user), request=request, pk=pk)
    if request.method != "POST":
        return _render_report(request, report)
    action = request.POST.get("action", "")
    typed: dict[str, Any] = {
        "body": request.POST.get("body", ""),
        "comment": request.POST.get("comment", ""),
    }
    try:
        if action == "submit":
            reports.submit_report(report, actor=signed_in_user(request), body=typed["body"])
            messages.success(request, _("Your report was submitted."))
        elif action == "accept":
            reports.accept_report(report, actor=signed_in_user(request))
            messages.success(request, _("The report was accepted."))
        elif action == "return":
            reports.return_report(report, actor=signed_in_user(request), comment=typed["comment"])
            messages.success(request, _("The report was returned to the principal investigator."))
        else:
            return _render_report(request, report, status=400)
    except Refused as refused:
        # Shown inside the page's own form, which keeps what was typed.
        return _render_report(request, report, refusal=refused, typed=typed, status=422)
    except ValidationError as error:
        return _render_report(request, report, errors=error.message_dict, typed=typed, status=422)
    return redirect("awards:report", pk=report.pk)
