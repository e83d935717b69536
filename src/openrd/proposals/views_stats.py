"""The statistics page of a call and its CSV, for the agency running it and the
program's PD and PM there."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from openrd.core.access import deny
from openrd.core.charts import bar_chart_svg
from openrd.core.fiscal import format_fiscal_year
from openrd.core.i18n import current_lang
from openrd.core.money import format_yen
from openrd.programs.models import Call
from openrd.programs.queries import may_see_call_statistics, visible_call
from openrd.proposals.call_stats import CallStatistics, call_statistics, statistics_csv


def _statistics(request: HttpRequest, pk: int) -> CallStatistics:
    call = visible_call(request.user, pk, request=request)
    if not may_see_call_statistics(request.user, call):
        deny(request, call)
    return call_statistics(call)


def _rows(stats: CallStatistics) -> list[tuple[str, str, int | str]]:
    """The figures as (section, item, value), the same for the table and the CSV."""
    lang = current_lang()
    rows: list[tuple[str, str, int | str]] = [
        (_("Proposals by status"), label, n) for _code, label, n in stats.by_status
    ]
    rows.append((_("Proposals by status"), _("All proposals"), stats.total))
    rows.append((_("Endorsement"), _("Endorsed proposals"), stats.endorsed))
    rows += [
        (_("Requested amounts (yen)"), format_fiscal_year(fy, lang), amount)
        for fy, amount in stats.requested_by_year
    ]
    return rows


def _charts(stats: CallStatistics) -> list[str]:
    lang = current_lang()
    labels = [label for _c, label, _n in stats.by_status]
    counts = [n for _c, _l, n in stats.by_status]
    join = "、".join if lang == "ja" else ", ".join
    charts = [
        bar_chart_svg(
            labels,
            counts,
            title=_("Proposals by status"),
            desc=join(
                _("%(label)s: %(count)d") % {"label": label, "count": n}
                for label, n in zip(labels, counts, strict=True)
            ),
            chart_id="chart-status",
        )
    ]
    if stats.requested_by_year:
        years = [format_fiscal_year(fy, lang) for fy, _a in stats.requested_by_year]
        amounts = [a for _fy, a in stats.requested_by_year]
        shown = [format_yen(a, lang) for a in amounts]
        charts.append(
            bar_chart_svg(
                years,
                amounts,
                value_labels=shown,
                title=_("Requested amounts by fiscal year"),
                desc=join(f"{year}: {amount}" for year, amount in zip(years, shown, strict=True)),
                chart_id="chart-requested",
            )
        )
    return charts


def call_stats(request: HttpRequest, pk: int) -> HttpResponse:
    stats = _statistics(request, pk)
    context: dict[str, Any] = {
        "call": stats.call,
        "stats": stats,
        "charts": _charts(stats),
    }
    return render(request, "proposals/call_stats.html", context)


def call_stats_csv(request: HttpRequest, pk: int) -> HttpResponse:
    stats = _statistics(request, pk)
    header = (_("Section"), _("Item"), _("Value"))
    response = HttpResponse(
        statistics_csv(_rows(stats), header), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="call-{_slug(stats.call)}-stats.csv"'
    return response


def _slug(call: Call) -> str:
    return call.code  # a SlugField: safe in a header as it is
