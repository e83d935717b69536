"""The yearly follow-up cycle (フォローアップ): for each measure and fiscal year a
ministry responsible for it writes the progress and a comment and submits it;
the command tower approves it or returns it with a reason; the command tower
then approves the year's report, which is frozen (``FollowUpReport``): the page
in Japanese and English and the Excel workbook exactly as they read at that
moment, with a digest. Later changes to values or follow-ups never reach a
frozen report; approving the year again makes a new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, Role
from openrd.accounts.queries import role_organisation_ids
from openrd.core import audit
from openrd.core.fiscal import format_fiscal_year, to_tokyo
from openrd.core.spreadsheet import Cell, table_xlsx
from openrd.strategy.display import format_value, status_label
from openrd.strategy.models import (
    FOLLOW_UP_COMMENT_MAX,
    FollowUp,
    FollowUpReport,
    FollowUpState,
    Goal,
    Indicator,
    Measure,
    MinistryRole,
    Progress,
    Strategy,
    TargetKind,
    report_digest,
)
from openrd.strategy.presenters import indicator_view, with_indicators

EDITABLE = (FollowUpState.DRAFT, FollowUpState.RETURNED)
FIELDS = ["progress", "comment_ja", "comment_en", "state", "ministry_id"]


def writing_ministry(user: Any, measure: Measure) -> Organisation | None:
    """The user's ministry among those named on the measure (a primary one first)."""
    mine = role_organisation_ids(user, Role.MINISTRY)
    named = sorted(
        (m for m in measure.ministries.all() if m.organisation_id in mine),
        key=lambda m: (m.role != MinistryRole.PRIMARY, m.order),
    )
    return named[0].organisation if named else None


def _check_fields(
    fiscal_year: int, progress: str, comment_ja: str, comment_en: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not 1990 <= fiscal_year <= 2100:
        errors["fiscal_year"] = [_("Enter a fiscal year between 1990 and 2100.")]
    if progress not in Progress.values:
        errors["progress"] = [_("Choose how the measure progressed.")]
    if not comment_ja:
        errors["comment_ja"] = [_("Write the comment in Japanese.")]
    for key, text in (("comment_ja", comment_ja), ("comment_en", comment_en)):
        if len(text) > FOLLOW_UP_COMMENT_MAX:
            errors[key] = [
                _("Keep the comment to %(n)d characters.") % {"n": FOLLOW_UP_COMMENT_MAX}
            ]
    return errors


@transaction.atomic
def save_follow_up(
    measure: Measure,
    *,
    actor: Any,
    fiscal_year: int,
    progress: str,
    comment_ja: str,
    comment_en: str = "",
    submit: bool = False,
) -> FollowUp:
    """Write (or rewrite, while a draft or returned) the measure's follow-up for
    the year, and submit it to the command tower when ``submit``."""
    if not actor.has_perm("strategy.write_follow_up", measure):
        raise PermissionDenied
    ministry = writing_ministry(actor, measure)
    assert ministry is not None  # the permission says the user's ministry is named
    comment_ja, comment_en = comment_ja.strip(), comment_en.strip()
    errors = _check_fields(fiscal_year, progress, comment_ja, comment_en)
    row = (
        FollowUp.objects.select_for_update()
        .filter(measure=measure, fiscal_year=fiscal_year)
        .first()
    )
    if row is not None and row.state not in EDITABLE:
        errors["progress"] = [
            _("The follow-up was submitted and can be changed only once it is returned.")
        ]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(row, FIELDS)
    if row is None:
        row = FollowUp(measure=measure, fiscal_year=fiscal_year)
    row.ministry = ministry
    row.progress = progress
    row.comment_ja, row.comment_en = comment_ja, comment_en
    row.written_by = actor
    if submit:
        row.state = FollowUpState.SUBMITTED
        row.submitted_at = timezone.now()
    elif row.state != FollowUpState.RETURNED:
        row.state = FollowUpState.DRAFT
    row.save()
    audit.record(
        "strategy.follow_up.submitted" if submit else "strategy.follow_up.saved",
        actor=actor, obj=row, before=before,
        after=audit.snapshot(row, FIELDS) | {"measure": measure.code, "fiscal_year": fiscal_year},
    )  # fmt: skip
    return row


@transaction.atomic
def review_follow_up(
    follow_up: FollowUp, *, actor: Any, approve: bool, comment: str = ""
) -> FollowUp:
    """The command tower approves a submitted follow-up, or returns it with a reason."""
    if not actor.has_perm("strategy.review_follow_up"):
        raise PermissionDenied
    row = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    comment = comment.strip()
    errors: dict[str, list[str]] = {}
    if row.state != FollowUpState.SUBMITTED:
        errors["review_comment"] = [_("Only a submitted follow-up can be reviewed.")]
    elif not approve and not comment:
        errors["review_comment"] = [_("Say what the ministry should change.")]
    elif len(comment) > 2000:
        errors["review_comment"] = [_("Keep the comment to %(n)d characters.") % {"n": 2000}]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(row, ["state", "review_comment"])
    row.state = FollowUpState.APPROVED if approve else FollowUpState.RETURNED
    row.review_comment = comment
    row.reviewed_by = actor
    row.reviewed_at = timezone.now()
    row.save()
    audit.record(
        "strategy.follow_up.approved" if approve else "strategy.follow_up.returned",
        actor=actor, obj=row, before=before,
        after=audit.snapshot(row, ["state", "review_comment"]),
    )  # fmt: skip
    return row


# ------------------------------------------------------------------ the report


@dataclass
class IndicatorLine:
    indicator: Indicator
    value: str
    target: str
    status: str
    status_text: str


@dataclass
class MeasureLine:
    goal: Goal
    measure: Measure
    ministries: list[Organisation]
    follow_up: FollowUp | None
    indicators: list[IndicatorLine] = field(default_factory=list)


def _indicator_line(indicator: Indicator, fiscal_year: int) -> IndicatorLine:
    view = indicator_view(indicator)
    value = next((v for v in view["values"] if v["fiscal_year"] == fiscal_year), None)
    ahead = [t for t in view["targets"]
             if t["kind"] != TargetKind.BASELINE and t["fiscal_year"] >= fiscal_year]  # fmt: skip
    target = ahead[0] if ahead else None
    assessment = view["assessment"]
    status = assessment["status"] if assessment else "none"
    return IndicatorLine(
        indicator=indicator,
        value=format_value(value["value"], indicator.unit) if value else "",
        target=(
            f"{format_value(target['value'], indicator.unit)} "
            f"({format_fiscal_year(target['fiscal_year'], translation.get_language() or 'ja')})"
            if target
            else ""
        ),
        status=status,
        status_text=str(status_label(status)),
    )


def goal_order(strategy: Strategy) -> dict[int, int]:
    """Each goal's place when the tree is read depth first (pillars in order)."""
    by_parent: dict[int | None, list[Goal]] = {}
    for goal in strategy.goals.order_by("order", "id"):
        by_parent.setdefault(goal.parent_id, []).append(goal)
    order: dict[int, int] = {}

    def visit(parent: int | None) -> None:
        for goal in by_parent.get(parent, []):
            order[goal.pk] = len(order)
            visit(goal.pk)

    visit(None)
    return order


def report_lines(strategy: Strategy, fiscal_year: int) -> list[MeasureLine]:
    """Every measure of the strategy, in the order of its goal tree, with its
    approved follow-up for the year (or none) and its indicators' values."""
    order = goal_order(strategy)
    approved = FollowUp.objects.filter(fiscal_year=fiscal_year, state=FollowUpState.APPROVED)
    measures = (
        Measure.objects.filter(strategy=strategy)
        .select_related("goal")
        .prefetch_related(
            "ministries__organisation",
            Prefetch("follow_ups", queryset=approved, to_attr="approved"),
            Prefetch("indicators", queryset=with_indicators(Indicator.objects.all())),
        )
    )
    ordered = sorted(measures, key=lambda m: (order.get(m.goal_id, 0), m.order, m.pk))
    return [
        MeasureLine(
            goal=m.goal,
            measure=m,
            ministries=[mm.organisation for mm in m.ministries.all()],
            follow_up=m.approved[0] if m.approved else None,
            indicators=[_indicator_line(i, fiscal_year) for i in m.indicators.all()],
        )
        for m in ordered
    ]


def _workbook(strategy: Strategy, fiscal_year: int, lines: list[MeasureLine]) -> bytes:
    header = [
        _("Goal"), _("Measure"), _("Ministries"), _("Progress"), _("Comment"),
        _("Indicator"), _("Value in the fiscal year"), _("Next target"), _("Status"),
    ]  # fmt: skip
    body: list[list[Cell]] = []
    for line in lines:
        f = line.follow_up
        common: list[Cell] = [
            line.goal.title,
            line.measure.title,
            "、".join(o.name for o in line.ministries),
            f.get_progress_display() if f else _("No approved follow-up"),
            f.comment if f else "",
        ]
        cells: list[list[Cell]] = [[i.indicator.name, i.value, i.target, i.status_text]
                                   for i in line.indicators]  # fmt: skip
        body.extend(common + c for c in cells or [["", "", "", ""]])
    title = f"{strategy.year} FY{fiscal_year}"
    return table_xlsx(header, body, sheet_title=title)


def _render(
    strategy: Strategy, fiscal_year: int, lang: str, *, version: int, approved_at: datetime,
    approved_by: Any,
) -> tuple[str, bytes]:  # fmt: skip
    with translation.override(lang):
        lines = report_lines(strategy, fiscal_year)
        html = render_to_string(
            "strategy/report_snapshot.html",
            {
                "strategy": strategy, "fiscal_year": fiscal_year, "lines": lines,
                "version": version, "approved_at": to_tokyo(approved_at),
                "approved_by": approved_by, "lang": lang,
                "reported": sum(1 for line in lines if line.follow_up),
            },
        )  # fmt: skip
        xlsx = _workbook(strategy, fiscal_year, lines) if lang == "ja" else b""
    return html, xlsx


@transaction.atomic
def approve_report(strategy: Strategy, fiscal_year: int, *, actor: Any) -> FollowUpReport:
    """Freeze the year's follow-up report as it reads now, as a new version."""
    if not actor.has_perm("strategy.review_follow_up"):
        raise PermissionDenied
    Strategy.objects.select_for_update().get(pk=strategy.pk)  # one approval at a time
    if not 1990 <= fiscal_year <= 2100:
        raise ValidationError({"fiscal_year": [_("Enter a fiscal year between 1990 and 2100.")]})
    approved = FollowUp.objects.filter(
        measure__strategy=strategy, fiscal_year=fiscal_year, state=FollowUpState.APPROVED
    )
    if not approved.exists():
        raise ValidationError(
            {"fiscal_year": [_("No follow-up of this fiscal year has been approved yet.")]}
        )
    last = FollowUpReport.objects.filter(strategy=strategy, fiscal_year=fiscal_year).aggregate(
        v=Max("version")
    )["v"]
    version = (last or 0) + 1
    now = timezone.now()
    kwargs = {"version": version, "approved_at": now, "approved_by": actor}
    html_ja, xlsx = _render(strategy, fiscal_year, "ja", **kwargs)
    html_en, _none = _render(strategy, fiscal_year, "en", **kwargs)
    report = FollowUpReport(
        strategy=strategy, fiscal_year=fiscal_year, version=version, approved_by=actor,
        approved_at=now, measures_total=strategy.measures.count(),
        measures_reported=approved.count(), html_ja=html_ja, html_en=html_en, xlsx=xlsx,
        digest=report_digest(html_ja, html_en, xlsx),
    )  # fmt: skip
    report.save()
    audit.record(
        "strategy.report.approved", actor=actor, obj=report,
        after={"strategy": strategy.code, "fiscal_year": fiscal_year, "version": version,
               "digest": report.digest, "measures_reported": report.measures_reported},
    )  # fmt: skip
    return report
