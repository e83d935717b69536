"""The analyses page: success rates per funding agency and program for a call
year, the funding's concentration on few principal investigators over the
years, and the PIs' effort on their awards — each a captioned table with its
CSV and Excel, concentration with its chart. Public: every figure is an
aggregate over published awards and counted proposals, never one proposal."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.core.charts import line_chart_svg
from openrd.core.downloads import table_download
from openrd.core.fiscal import (
    fiscal_year_of,
    format_fiscal_year,
    requested_fiscal_year,
    to_tokyo,
)
from openrd.core.i18n import current_lang
from openrd.core.spreadsheet import Cell
from openrd.strategy import analysis

Table = tuple[list[str], list[list[Cell]]]


def _year(request: HttpRequest) -> int:
    return requested_fiscal_year(request.GET.get("fy"), today=to_tokyo(timezone.now()).date())


def _percent(value: Any) -> str:
    return "" if value is None else f"{value}%"


def rates_table(fiscal_year: int) -> Table:
    header = [_("Funding agency"), _("Program"), _("Proposals submitted"), _("Decided"),
              _("Selected"), _("Success rate")]  # fmt: skip
    body: list[list[Cell]] = [
        [r.agency.name, r.program.name, r.submitted, r.decided, r.selected, _percent(r.rate)]
        for r in analysis.success_rates(fiscal_year)
    ]
    return header, body


def concentration_table(concentrations: list[analysis.Concentration]) -> Table:
    header = [_("Fiscal year"), _("Principal investigators funded"), _("Award budget (yen)"),
              _("Top tenth of PIs"), _("Their budget (yen)"), _("Their share"),
              _("Gini coefficient")]  # fmt: skip
    lang = current_lang()
    body: list[list[Cell]] = [
        [format_fiscal_year(c.fiscal_year, lang), c.investigators, c.total_yen, c.top_count,
         c.top_yen, _percent(c.top_share), float(c.gini)]
        for c in concentrations
    ]  # fmt: skip
    return header, body


def effort_table(year: analysis.EffortYear) -> Table:
    labels = [_("under 10%"), _("10% to under 30%"), _("30% to under 50%"), _("at least 50%")]
    header = [_("Effort on the award"), _("Awards")]
    body: list[list[Cell]] = [[label, n] for label, n in zip(labels, year.bands, strict=True)]
    body.append([_("Mean effort"), _percent(year.mean) if year.awards else ""])
    return header, body


def _chart(concentrations: list[analysis.Concentration]) -> str:
    if not concentrations:
        return ""
    lang = current_lang()
    labels = [f"{c.fiscal_year}年度" if lang == "ja" else f"FY{c.fiscal_year}"
              for c in concentrations]  # fmt: skip
    join = "、".join if lang == "ja" else "; ".join
    return line_chart_svg(
        labels,
        [(_("Top tenth's share (%)"), [float(c.top_share) for c in concentrations])],
        title=_("The share of the award budget going to the top tenth of PIs"),
        desc=join(
            f"{format_fiscal_year(c.fiscal_year, lang)}: {c.top_share}%" for c in concentrations
        ),
        chart_id="chart-concentration",
    )


def analysis_page(request: HttpRequest) -> HttpResponse:
    fiscal_year = _year(request)
    this_year = fiscal_year_of(to_tokyo(timezone.now()).date())
    rates_header, rates_body = rates_table(fiscal_year)
    concentrations, computed = analysis.stored_concentration()
    conc_header, conc_body = concentration_table(concentrations)
    effort = analysis.effort(fiscal_year)
    effort_header, effort_body = effort_table(effort)
    context = {
        "fiscal_year": fiscal_year,
        "fy_query": f"?fy={fiscal_year}",
        "years": list(range(this_year - 9, this_year + 2)),
        "rates_header": rates_header, "rates_body": rates_body,
        "conc_header": conc_header, "conc_body": conc_body,
        "effort_header": effort_header, "effort_body": effort_body,
        "effort_awards": effort.awards,
        "concentration_computed": computed,
        "chart": _chart(concentrations),
    }  # fmt: skip
    return render(request, "strategy/analysis.html", context)


def analysis_download(request: HttpRequest, kind: str, ext: str) -> HttpResponse:
    fiscal_year = _year(request)
    tables = {
        "rates": lambda: rates_table(fiscal_year),
        "concentration": lambda: concentration_table(analysis.stored_concentration()[0]),
        "effort": lambda: effort_table(analysis.effort(fiscal_year)),
    }
    if kind not in tables:
        raise Http404
    header, body = tables[kind]()
    name = f"{kind}-fy{fiscal_year}" if kind != "concentration" else kind
    return table_download(header, body, name=name, ext=ext)
