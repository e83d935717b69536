"""The SBIR spending target page: for a fiscal year, the Cabinet's target
against the ministries' planned and actual spending on startups and SMEs from
their specified subsidies, with the subsidies each ministry counts, and the
Phase 3 projects for the council of responsible officials. Public to read
(the target, the subsidies and the awards are published); the command tower
and each ministry keep their own list of subsidies and plans here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.accounts.models import Organisation
from openrd.accounts.permissions import is_command_tower_admin
from openrd.awards.models import GateOutcome, ReportStatus
from openrd.core.access import deny
from openrd.core.charts import bar_chart_svg
from openrd.core.downloads import table_download
from openrd.core.fiscal import fiscal_year_of, format_fiscal_year, to_tokyo
from openrd.core.i18n import current_lang
from openrd.core.money import format_yen
from openrd.core.spreadsheet import Cell
from openrd.programs.models import Program
from openrd.strategy import sbir
from openrd.strategy.models import SpecifiedSubsidy
from openrd.strategy.services import (
    SUBSIDY_MINISTRY_KINDS,
    tag_specified_subsidy,
    untag_specified_subsidy,
)

FORM_FIELDS = ("ministry", "program", "planned_yen", "note")


def sbir_latest(request: HttpRequest) -> HttpResponse:
    """The latest fiscal year with a target or counted subsidies, up to this one."""
    this_year = fiscal_year_of(to_tokyo(timezone.now()).date())
    years = [fy for fy in sbir.spending_years() if fy <= this_year]
    return redirect("strategy:sbir", fiscal_year=years[-1] if years else this_year)


def _percent(value: Any) -> str:
    return "" if value is None else f"{value}%"


def _table(year: sbir.SpendingYear) -> tuple[list[str], list[list[Cell]]]:
    """Ministry × (subsidies, planned, actual, actual of plan), then the totals
    and the Cabinet's target: the page's table and the downloads."""
    header = [
        _("Ministry"),
        _("Specified subsidies counted"),
        _("Planned spending (yen)"),
        _("Actual spending (yen)"),
        _("Actual as a share of the plan"),
    ]
    body: list[list[Cell]] = []
    for m in year.ministries:
        names = "、".join(
            s.program.name + (_(" (designated)") if s.designated else "") for s in m.subsidies
        )
        body.append([m.ministry.name, names, m.planned_yen, m.actual_yen,
                     _percent(m.share_of_plan)])  # fmt: skip
    body.append([_("All ministries"), "", year.planned_yen, year.actual_yen,
                 _percent(year.share_of_plan)])  # fmt: skip
    body.append([_("Cabinet target"), "", year.target_yen, None, ""])
    return header, body


def _chart(year: sbir.SpendingYear) -> str:
    """The three totals side by side; ministries are in the table, not ranked."""
    if year.target_yen is None and not year.ministries:
        return ""
    lang = current_lang()
    bars = [(_("Cabinet target"), year.target_yen or 0), (_("Planned spending"), year.planned_yen),
            (_("Actual spending"), year.actual_yen)]  # fmt: skip
    shown = [format_yen(v, lang) if v or label != _("Cabinet target") else _("not set")
             for label, v in bars]  # fmt: skip
    join = "、".join if lang == "ja" else "; ".join
    return bar_chart_svg(
        [label for label, _v in bars],
        [float(v) for _l, v in bars],
        title=_("SBIR spending on startups and SMEs, %(year)s")
        % {"year": format_fiscal_year(year.fiscal_year, lang)},
        desc=join(f"{label}: {text}" for (label, _v), text in zip(bars, shown, strict=True)),
        chart_id="chart-sbir",
        value_labels=shown,
    )


def _project(award: Any) -> dict[str, Any]:
    gates = list(award.stage_gates.all())
    decided = [g for g in gates if g.status != GateOutcome.PENDING]
    pending = [g for g in gates if g.status == GateOutcome.PENDING]
    reports = list(award.reports.all())
    ministry = award.call.presenting_ministry if award.call else None
    return {
        "award": award,
        "ministry": ministry or award.program.owner,
        "gates_total": len(gates),
        "gates_decided": len(decided),
        "last_gate": decided[-1] if decided else None,
        "next_gate": pending[0] if pending else None,
        "reports_total": len(reports),
        "reports_accepted": sum(r.status == ReportStatus.ACCEPTED for r in reports),
    }


def _taggable(user: Any) -> list[Organisation]:
    """The ministries whose subsidies the user may keep (none for most)."""
    rows = Organisation.objects.filter(kind__in=SUBSIDY_MINISTRY_KINDS).order_by("code")
    if is_command_tower_admin(user):
        return list(rows)
    return [m for m in rows if user.has_perm("strategy.tag_subsidy", m)]


def _context(
    request: HttpRequest,
    fiscal_year: int,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    year = sbir.spending_year(fiscal_year)
    header, body = _table(year)
    taggable = _taggable(request.user)
    years = sorted(set(sbir.spending_years()) | {fiscal_year})
    return {
        "year": year,
        "fiscal_year": fiscal_year,
        "years": years,
        "previous_year": fiscal_year - 1,
        "next_year": fiscal_year + 1,
        "header": header,
        "body": body,
        "chart": _chart(year),
        "planned_of_target": year.share_of(year.planned_yen),
        "actual_of_target": year.share_of(year.actual_yen),
        "projects": [_project(a) for a in sbir.phase3_projects(fiscal_year)],
        "taggable": taggable,
        "editable": {m.pk for m in taggable},
        "programs": Program.objects.order_by("code") if taggable else [],
        "form": form or dict.fromkeys(FORM_FIELDS, ""),
        "errors": errors or {},
    }


def _checked_year(fiscal_year: int) -> int:
    if not 1990 <= fiscal_year <= 2100:
        raise Http404
    return fiscal_year


def sbir_page(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    context = _context(request, _checked_year(fiscal_year))
    return render(request, "strategy/sbir.html", context)


def sbir_download(request: HttpRequest, fiscal_year: int, ext: str) -> HttpResponse:
    header, body = _table(sbir.spending_year(_checked_year(fiscal_year)))
    name = f"sbir-spending-fy{fiscal_year}"
    return table_download(header, body, name=name, ext=ext, sheet_title=f"SBIR FY{fiscal_year}")


@require_POST
def sbir_tag(request: HttpRequest, fiscal_year: int) -> HttpResponse:
    """Count a program as a ministry's subsidy for the year, with its plan."""
    _checked_year(fiscal_year)
    if not _taggable(request.user):
        deny(request, what="SBIR specified subsidies")
    form: dict[str, Any] = {k: request.POST.get(k, "").strip() for k in FORM_FIELDS}
    form["designated"] = request.POST.get("designated") == "1"
    ministry = Organisation.objects.filter(code=form["ministry"]).first()
    program = Program.objects.filter(code=form["program"]).first()
    try:
        tag_specified_subsidy(
            actor=request.user, fiscal_year=fiscal_year, ministry=ministry, program=program,
            planned_yen=form["planned_yen"], designated=form["designated"],
            note=form["note"],
        )  # fmt: skip
    except PermissionDenied:
        deny(request, ministry)
    except ValidationError as error:
        # What was typed stays in the form, each field's error beside it.
        context = _context(request, fiscal_year, form=form, errors=error.message_dict)
        return render(request, "strategy/sbir.html", context, status=422)
    messages.success(request, _("The specified subsidy has been saved."))
    return redirect("strategy:sbir", fiscal_year=fiscal_year)


@require_POST
def sbir_untag(request: HttpRequest, pk: int) -> HttpResponse:
    subsidy = get_object_or_404(SpecifiedSubsidy.objects.select_related("ministry", "program"),
                                pk=pk)  # fmt: skip
    try:
        untag_specified_subsidy(subsidy, actor=request.user)
    except PermissionDenied:
        deny(request, subsidy)
    messages.success(request, _("The program no longer counts as the ministry's subsidy."))
    return redirect("strategy:sbir", fiscal_year=subsidy.fiscal_year)
