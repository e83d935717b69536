"""The reports an award owes (年次報告書 each fiscal year, 終了報告書 at the end): the
writers, the reminder, and who may see them.

Reports are not public records: the award's PI writes and submits them; the staff
of an agency that runs the program accept them or return them with a comment.
Every state change passes ``core.lifecycle.enter_state`` with its audit entry;
the PI is told through ``notifications.services.notify``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Role, User
from openrd.accounts.queries import role_organisation_ids
from openrd.awards.models import REPORT_BODY_MAX, Award, AwardReport, ReportStatus
from openrd.awards.rules import (
    REPORTING_AWARD_STATES,
    ReportFacts,
    check_report_transition,
    report_schedule,
)
from openrd.awards.services import may_manage
from openrd.core import audit
from openrd.core.fiscal import TOKYO, to_tokyo
from openrd.core.lifecycle import enter_state
from openrd.notifications.services import notify
from openrd.programs.models import Program

REMIND_WITHIN = timedelta(days=14)
# Not submitted: still owed by the PI (a returned report is owed again).
OWED = (ReportStatus.DUE, ReportStatus.RETURNED)


def due_at(report: AwardReport) -> datetime:
    """A report is due by the end of its day in Japan."""
    return datetime.combine(report.due_on, time(23, 59, 59), tzinfo=TOKYO)


def _context(report: AwardReport) -> dict[str, Any]:
    award = report.award
    return {
        "grant_number": award.grant_number,
        "title": {"ja": award.title_ja, "en": award.title_en},
        "report_kind": report.kind,
        "fiscal_year": report.fiscal_year,
        "due_at": due_at(report),
        "link": {"name": "awards:report", "args": [report.pk]},
    }


# ---------------------------------------------------------------- reads


def staff_program_ids(user: Any) -> QuerySet[Program, int]:
    """The programs run by an agency where the user is staff (a subquery)."""
    agencies = role_organisation_ids(user, Role.AGENCY_STAFF)
    return Program.objects.filter(agencies__in=agencies).values_list("pk", flat=True)


def visible_reports(user: Any) -> QuerySet[AwardReport]:
    """The reports a person may see: the PI's own, and those of the programs their
    agency runs (staff). Nobody else sees any."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return AwardReport.objects.none()
    audience = Q(award__pi=user)
    if role_organisation_ids(user, Role.AGENCY_STAFF):
        audience |= Q(award__program__in=staff_program_ids(user))
    return AwardReport.objects.filter(audience).select_related("award", "award__program")


def overdue_for_staff(user: Any, today: date) -> QuerySet[AwardReport]:
    """Reports of the staff's programs past their due date and not submitted."""
    return (
        AwardReport.objects.filter(
            award__program__in=staff_program_ids(user), status__in=OWED, due_on__lt=today
        )
        .select_related("award")
        .order_by("due_on", "id")
    )


def awaiting_review_for_staff(user: Any) -> QuerySet[AwardReport]:
    """Submitted reports of the staff's programs, awaiting acceptance or return."""
    return (
        AwardReport.objects.filter(
            award__program__in=staff_program_ids(user), status=ReportStatus.SUBMITTED
        )
        .select_related("award")
        .order_by("submitted_at", "id")
    )


# ---------------------------------------------------------------- writers


@transaction.atomic
def schedule_reports(
    award: Award, *, actor: User, due_from: date | None = None
) -> list[AwardReport]:
    """Create the reports of the award's schedule that do not exist yet (idempotent):
    the new ones, none on a second call. ``due_from``: leave out those due earlier."""
    locked = Award.objects.select_for_update().select_related("program").get(pk=award.pk)
    if not may_manage(actor, locked.program):
        raise PermissionDenied
    have = set(locked.reports.values_list("kind", "fiscal_year"))
    made = [
        AwardReport.objects.create(award=locked, kind=kind, fiscal_year=fy, due_on=due)
        for kind, fy, due in report_schedule(locked.starts_on, locked.ends_on)
        if (kind, fy) not in have and (due_from is None or due >= due_from)
    ]
    if made:
        audit.record(
            "awards.reports.scheduled",
            actor=actor,
            obj=locked,
            after={
                "reports": [
                    {"kind": r.kind, "fiscal_year": r.fiscal_year, "due_on": r.due_on} for r in made
                ]
            },
        )
    return made


def _lock(report: AwardReport) -> tuple[AwardReport, Award]:
    locked = AwardReport.objects.select_for_update().get(pk=report.pk)
    award = Award.objects.select_related("program").get(pk=locked.award_id)
    locked.award = award
    return locked, award


@transaction.atomic
def submit_report(
    report: AwardReport, *, actor: User, body: str, now: datetime | None = None
) -> AwardReport:
    """The PI submits the report (first time, or again after a return)."""
    moment = now or timezone.now()
    locked, award = _lock(report)
    if award.pi_id is None or award.pi_id != actor.pk:
        raise PermissionDenied
    text = body.strip()
    if len(text) > REPORT_BODY_MAX:
        raise ValidationError(
            {
                "body": [
                    _("The report is at most %(max)d characters long.") % {"max": REPORT_BODY_MAX}
                ]
            }
        )

    def stamp(row: AwardReport) -> dict[str, Any]:
        row.body, row.submitted_by, row.submitted_at = text, actor, moment
        row.save(update_fields=["body", "submitted_by", "submitted_at"])
        return {"award": award.grant_number, "characters": len(text)}

    return enter_state(
        locked,
        ReportStatus.SUBMITTED,
        decision=check_report_transition(
            ReportFacts(status=locked.status, award_status=award.status, body=text),
            ReportStatus.SUBMITTED,
        ),
        actor=actor,
        action="awards.report.submitted",
        at=moment,
        effect=stamp,
    )


def _review(
    report: AwardReport, target: str, *, actor: User, comment: str, now: datetime | None
) -> AwardReport:
    moment = now or timezone.now()
    locked, award = _lock(report)
    if not may_manage(actor, award.program):
        raise PermissionDenied
    text = comment.strip()

    def stamp(row: AwardReport) -> dict[str, Any]:
        row.reviewed_by, row.reviewed_at = actor, moment
        fields = ["reviewed_by", "reviewed_at"]
        if target == ReportStatus.RETURNED:
            row.return_comment = text
            fields.append("return_comment")
        row.save(update_fields=fields)
        return {"award": award.grant_number, "comment": text}

    moved = enter_state(
        locked,
        target,
        decision=check_report_transition(
            ReportFacts(status=locked.status, award_status=award.status, comment=text), target
        ),
        actor=actor,
        action=f"awards.report.{target}",
        at=moment,
        effect=stamp,
    )
    if target == ReportStatus.RETURNED and award.pi is not None:
        notify(
            [award.pi],
            "award.report_returned",
            _context(moved) | {"comment": text, "returned_at": moment},
            now=moment,
        )
    return moved


@transaction.atomic
def accept_report(report: AwardReport, *, actor: User, now: datetime | None = None) -> AwardReport:
    """Agency staff accept a submitted report."""
    return _review(report, ReportStatus.ACCEPTED, actor=actor, comment="", now=now)


@transaction.atomic
def return_report(
    report: AwardReport, *, actor: User, comment: str, now: datetime | None = None
) -> AwardReport:
    """Agency staff return a submitted report to the PI, saying what to change."""
    return _review(report, ReportStatus.RETURNED, actor=actor, comment=comment, now=now)


# ---------------------------------------------------------------- reminders


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02}"


@transaction.atomic
def remind_due_reports(now: datetime) -> int:
    """Remind the PI of every report due within 14 days or overdue and not submitted;
    the number of reminders sent. At most one per report per ISO week (in Tokyo):
    the dedupe key names the report and the week, so a daily run is safe."""
    today = to_tokyo(now).date()
    rows = AwardReport.objects.filter(
        status__in=OWED,
        due_on__lte=today + REMIND_WITHIN,
        award__pi__isnull=False,
        award__status__in=REPORTING_AWARD_STATES,
    ).select_related("award", "award__pi")
    week = iso_week(today)
    sent = 0
    for report in rows:
        pi = report.award.pi
        assert pi is not None  # filtered above
        days = (report.due_on - today).days
        sent += len(
            notify(
                [pi],
                "award.report_due",
                _context(report) | {"days": max(days, 0), "overdue": days < 0},
                dedupe_key=f"award.report_due:{report.pk}:{week}",
                now=now,
            )
        )
    return sent
