"""The PD's portfolio page of one Moonshot goal or SIP theme, and its CSV.

Who may see it: everyone, without logging in, like the award pages. The portfolio
is built only from the public award records (title, principal investigator,
institution, period, status, budget by fiscal year, stage gates and their
outcomes); nothing of the review behind an award, and no gate's reasons or
evaluator, is read. Should it ever show more than the award pages do, it must
ask a permission first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from openrd.awards.portfolio import Portfolio, portfolio
from openrd.core.charts import stacked_bar_chart_svg
from openrd.core.fiscal import format_fiscal_year
from openrd.core.i18n import current_lang
from openrd.core.money import format_yen
from openrd.programs.models import ProgramElement


def _portfolio(program: str, element: str) -> Portfolio:
    try:
        return portfolio(program, element)
    except ProgramElement.DoesNotExist:
        raise Http404 from None


def _chart(folio: Portfolio) -> str:
    """The budget by fiscal year, each year's bar stacked from the projects' budgets."""
    if not folio.fiscal_years:
        return ""
    lang = current_lang()
    years = [format_fiscal_year(fy, lang) for fy in folio.fiscal_years]
    series = [
        (row.grant_number, [amount or 0 for amount in folio.amounts(row)]) for row in folio.projects
    ]
    totals = [format_yen(total, lang) for _fy, total in folio.totals_by_year]
    join = "、".join if lang == "ja" else ", ".join
    sentences = []
    for i, year in enumerate(years):
        parts = join(
            f"{name} {format_yen(values[i], lang)}" for name, values in series if values[i]
        )
        sentences.append(
            _("%(year)s: %(total)s (%(parts)s)")
            % {"year": year, "total": totals[i], "parts": parts}
        )
    return stacked_bar_chart_svg(
        years,
        series,
        total_labels=totals,
        title=_("Budget by fiscal year"),
        desc=("。" if lang == "ja" else ". ").join(sentences),
        chart_id="chart-portfolio",
    )


def portfolio_page(request: HttpRequest, program: str, element: str) -> HttpResponse:
    folio = _portfolio(program, element)
    rows = [
        (row, list(zip(folio.fiscal_years, folio.amounts(row), strict=True)))
        for row in folio.projects
    ]
    return render(
        request,
        "awards/portfolio.html",
        {"portfolio": folio, "rows": rows, "chart": _chart(folio)},
    )


def _csv(header: Sequence[str], rows: Iterable[Sequence[str | int]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Japanese text without garbling it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def portfolio_csv(request: HttpRequest, program: str, element: str) -> HttpResponse:
    """One row per project and fiscal year; a project without a budget has one row."""
    folio = _portfolio(program, element)
    lang = current_lang()
    header = (_("Grant number"), _("Title"), _("Status"), _("Fiscal year"), _("Budget (yen)"))
    rows: list[tuple[str, str, str, str, int | str]] = []
    for row in folio.projects:
        first = (row.grant_number, row.title, row.status_label)
        if not row.budget:
            rows.append((*first, "", ""))
        for year, amount in sorted(row.budget.items()):
            rows.append((*first, format_fiscal_year(year, lang), amount))
    response = HttpResponse(_csv(header, rows), content_type="text/csv; charset=utf-8")
    # Both codes are SlugFields: safe in a header as they are.
    name = f"portfolio-{folio.program.code}-{folio.element.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
