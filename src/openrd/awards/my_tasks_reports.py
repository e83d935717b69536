"""Award reports on "My tasks": for the award's PI (who holds the researcher role),
the reports due within 30 days or overdue and the returned ones; for the staff of
an agency that runs the program, the submitted reports awaiting their review. A
bounded number of queries each, none for a person with neither role."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from openrd.accounts.models import Role
from openrd.awards.models import AwardReport, ReportKind, ReportStatus
from openrd.awards.reports import due_at, staff_program_ids
from openrd.awards.rules import REPORTING_AWARD_STATES
from openrd.core.fiscal import format_fiscal_year, to_tokyo
from openrd.core.i18n import current_lang
from openrd.core.my_tasks import Section, Task, register, urgency_of

TO_SUBMIT = "awards.report_due"
TO_REVIEW = "awards.report_review"
WITHIN = timedelta(days=30)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _to_submit(user: Any, now: datetime) -> QuerySet[AwardReport] | None:
    # A PI holds the researcher role, as every applicant does: no query for anyone else.
    if Role.RESEARCHER.value not in user.role_codes():
        return None
    horizon = (to_tokyo(now) + WITHIN).date()
    return (
        AwardReport.objects.filter(award__pi=user, award__status__in=REPORTING_AWARD_STATES)
        .filter(Q(status=ReportStatus.RETURNED) | Q(status=ReportStatus.DUE, due_on__lte=horizon))
        .select_related("award")
        .order_by("due_on", "id")
    )


def _to_review(user: Any) -> QuerySet[AwardReport] | None:
    if Role.AGENCY_STAFF.value not in user.role_codes():
        return None  # no query for everyone else
    return (
        AwardReport.objects.filter(
            status=ReportStatus.SUBMITTED, award__program__in=staff_program_ids(user)
        )
        .select_related("award")
        .order_by("submitted_at", "id")
    )


def label(report: AwardReport) -> str:
    if report.kind == ReportKind.FINAL or report.fiscal_year is None:
        return gettext("Final report")
    return gettext("Progress report for %(year)s") % {
        "year": format_fiscal_year(report.fiscal_year, current_lang())
    }


def report_tasks(user: Any, now: datetime) -> list[Task]:
    if not _active(user):
        return []
    tasks = []
    for report in _to_submit(user, now) or ():
        moment = due_at(report)
        tasks.append(
            Task(
                kind=TO_SUBMIT,
                title=report.award.title,
                detail=label(report),
                url=reverse("awards:report", args=[report.pk]),
                due_at=moment,
                urgency=urgency_of(moment, now),
            )
        )
    for report in _to_review(user) or ():
        tasks.append(
            Task(
                kind=TO_REVIEW,
                title=report.award.title,
                detail=label(report),
                url=reverse("awards:report", args=[report.pk]),
            )
        )
    return tasks


def report_count(user: Any, now: datetime) -> int:
    if not _active(user):
        return 0
    owed, review = _to_submit(user, now), _to_review(user)
    return sum(0 if rows is None else rows.count() for rows in (owed, review))


register(
    "awards.reports",
    report_tasks,
    counter=report_count,
    sections=[
        Section(kind=TO_SUBMIT, order=42, heading=gettext_lazy("Reports to submit")),
        Section(kind=TO_REVIEW, order=44, heading=gettext_lazy("Reports to review")),
    ],
)
