"""The command tower's pages: a year's strategy as a dashboard (whole, or one
ministry's measures), and each indicator with its chart, its data table and
downloads, the records behind a computed value, and the responsible
ministry's entry of a value. Public to read; national indicators are shown per
measure and never rank ministries or institutions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.accounts.models import Organisation
from openrd.core.access import deny
from openrd.core.charts import line_chart_svg, stacked_bar_chart_svg
from openrd.core.downloads import table_download
from openrd.core.fiscal import format_fiscal_year
from openrd.core.i18n import current_lang, localized
from openrd.strategy import metrics
from openrd.strategy.display import STATUS_LOOK, format_value, status_label
from openrd.strategy.exports import EXPORTS
from openrd.strategy.imports import ImportRefused, import_table
from openrd.strategy.models import Indicator, MeasureMinistry, Strategy
from openrd.strategy.presenters import indicator_view, strategy_view, with_indicators
from openrd.strategy.services import record_observation


def _decorate(indicator: dict[str, Any]) -> dict[str, Any]:
    """What a page shows of an indicator, in words."""
    unit = indicator["unit"]
    assessment = indicator["assessment"]
    status = assessment["status"] if assessment else "none"
    look, glyph = STATUS_LOOK.get(status, ("neutral", "◆"))
    target = None
    if assessment:
        year = assessment["target_fiscal_year"]
        ahead = [t for t in indicator["targets"] if t["kind"] != "baseline"]
        target = next((t for t in ahead if t["fiscal_year"] == year), None)
    latest = indicator["latest"]
    return indicator | {
        "latest_text": format_value(latest["value"], unit) if latest else "",
        "latest_year": latest["fiscal_year"] if latest else None,
        "target_text": format_value(target["value"], unit) if target else "",
        "target_year": target["fiscal_year"] if target else None,
        "status": status,
        "status_label": status_label(status),
        "status_look": look,
        "status_glyph": glyph,
        "progress_percent": (
            max(0, min(100, round(assessment["progress"] * 100)))
            if assessment and assessment["progress"] is not None
            else None
        ),
    }


def _walk(goals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every measure of the tree, in order."""
    found = []
    for goal in goals:
        found += goal["measures"]
        found += _walk(goal["goals"])
    return found


def _filtered(goals: list[dict[str, Any]], ministry: str) -> list[dict[str, Any]]:
    """The tree with only the measures the ministry is named on (and goals that keep one)."""
    kept = []
    for goal in goals:
        measures = [
            m for m in goal["measures"]
            if ministry in m["primary_ministries"] or ministry in m["collaborating_ministries"]
        ]  # fmt: skip
        children = _filtered(goal["goals"], ministry)
        if measures or children:
            kept.append(goal | {"measures": measures, "goals": children})
    return kept


def _decorate_tree(goals: list[dict[str, Any]], names: dict[str, str]) -> None:
    join = "、".join if current_lang() == "ja" else ", ".join
    for goal in goals:
        for measure in goal["measures"]:
            measure["indicators"] = [_decorate(i) for i in measure["indicators"]]
            measure["primary_names"] = join(names[c] for c in measure["primary_ministries"])
            measure["collaborating_names"] = join(
                names[c] for c in measure["collaborating_ministries"]
            )
        _decorate_tree(goal["goals"], names)


def strategy_latest(request: HttpRequest) -> HttpResponse:
    strategy = Strategy.objects.order_by("-year").first()
    if strategy is None:
        return render(request, "strategy/none.html", status=404)
    return redirect("strategy:strategy", year=strategy.year)


STATUSES = (*STATUS_LOOK, "none")


def _dashboard(request: HttpRequest, strategy: Strategy) -> dict[str, Any]:
    """The strategy's tree, decorated for the page, whole or one ministry's."""
    view = strategy_view(strategy)
    ministries = Organisation.objects.filter(
        pk__in=MeasureMinistry.objects.filter(measure__strategy=strategy).values("organisation")
    ).order_by("code")
    chosen = request.GET.get("ministry", "")
    ministry = next((m for m in ministries if m.code == chosen), None)
    pillars, cross_cutting = view["pillars"], view["cross_cutting"]
    if ministry is not None:
        pillars, cross_cutting = (_filtered(pillars, ministry.code),
                                  _filtered(cross_cutting, ministry.code))  # fmt: skip
    _decorate_tree(pillars + cross_cutting, {m.code: m.name for m in ministries})
    return {"view": view, "ministries": ministries, "ministry": ministry, "pillars": pillars,
            "cross_cutting": cross_cutting}  # fmt: skip


def _status_rows(tops: list[dict[str, Any]]) -> list[tuple[str, dict[str, int]]]:
    """Per top-level goal, its indicators counted by status."""
    rows = []
    for goal in tops:
        counts = dict.fromkeys(STATUSES, 0)
        for measure in _walk([goal]):
            for i in measure["indicators"]:
                counts[i["status"]] += 1
        rows.append((localized(goal["title_ja"], goal["title_en"]), counts))
    return rows


def _status_table(rows: list[tuple[str, dict[str, int]]]) -> tuple[list[str], list[list[Any]]]:
    header = [_("Goal"), *[status_label(s) for s in STATUSES]]
    return header, [[title, *[counts[s] for s in STATUSES]] for title, counts in rows]


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _status_chart(rows: list[tuple[str, dict[str, int]]]) -> str:
    if not rows:
        return ""
    lang = current_lang()
    join = "、".join if lang == "ja" else "; ".join
    desc = join(
        f"{title}: " + ", ".join(f"{status_label(s)} {counts[s]}" for s in STATUSES if counts[s])
        for title, counts in rows
    )
    return stacked_bar_chart_svg(
        [_short(title) for title, _counts in rows],
        [(status_label(s), [counts[s] for _t, counts in rows]) for s in STATUSES],
        title=_("Indicators by status, per pillar"),
        desc=desc,
        chart_id="chart-status",
    )


def strategy_page(request: HttpRequest, year: int) -> HttpResponse:
    strategy = get_object_or_404(Strategy, year=year)
    board = _dashboard(request, strategy)
    pillars, cross_cutting = board["pillars"], board["cross_cutting"]
    measures = _walk(pillars + cross_cutting)
    indicators = [i for m in measures for i in m["indicators"]]
    counts = {status: 0 for status in STATUSES}
    for i in indicators:
        counts[i["status"]] += 1
    summary = [
        {"status": s, "label": status_label(s), "look": STATUS_LOOK.get(s, ("neutral", "◆"))[0],
         "glyph": STATUS_LOOK.get(s, ("neutral", "◆"))[1], "count": n}
        for s, n in counts.items()
    ]  # fmt: skip
    rows = _status_rows(pillars + cross_cutting)
    status_header, status_body = _status_table(rows)
    context = board | {
        "strategy": strategy,
        "summary": summary,
        "indicator_count": len(indicators),
        "measure_count": len(measures),
        "status_chart": _status_chart(rows),
        "status_header": status_header,
        "status_body": status_body,
        "ministry_query": f"?ministry={board['ministry'].code}" if board["ministry"] else "",
        "may_import": request.user.has_perm("strategy.import_values"),
        "exports": [("measures", _("Measures")), ("indicators", _("Indicators")),
                    ("targets", _("Targets")), ("values", _("Values (long)")),
                    ("values-wide", _("Targets and actuals by fiscal year (wide)"))],
    }  # fmt: skip
    return render(request, "strategy/strategy.html", context)


def status_download(request: HttpRequest, year: int, ext: str) -> HttpResponse:
    """The dashboard's table of indicators by status and pillar."""
    strategy = get_object_or_404(Strategy, year=year)
    board = _dashboard(request, strategy)
    header, body = _status_table(_status_rows(board["pillars"] + board["cross_cutting"]))
    suffix = f"-{board['ministry'].code}" if board["ministry"] else ""
    return table_download(header, body, name=f"strategy-{year}-status{suffix}", ext=ext)


def _indicator(code: str) -> Indicator:
    return get_object_or_404(with_indicators(Indicator.objects.all()), code=code)


def _years(view: dict[str, Any]) -> list[int]:
    """The fiscal years with a value or a target, oldest first."""
    return sorted({v["fiscal_year"] for v in view["values"]}
                  | {t["fiscal_year"] for t in view["targets"]})  # fmt: skip


def _table(view: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Fiscal year × (value, status, target, source): the page's table and the downloads."""
    lang = current_lang()
    years = _years(view)
    values = {v["fiscal_year"]: v for v in view["values"]}
    header = [_("Fiscal year"), _("Value"), _("Status of the value"), _("Target"), _("Source")]
    body = []
    for fy in years:
        value = values.get(fy)
        targets = [t for t in view["targets"] if t["fiscal_year"] == fy]
        kinds = {"baseline": _("baseline"), "interim": _("interim target"),
                 "final": _("final target")}  # fmt: skip
        target_text = "、".join(
            f"{kinds[t['kind']]} {format_value(t['value'], view['unit'])}" for t in targets
        )
        if value is None:
            source = ""
        elif value["computed"]:
            source = _("Computed from OpenRD's records")
        else:
            source = (value["source"] or {}).get("text", "")
        body.append([
            format_fiscal_year(fy, lang),
            format_value(value["value"], view["unit"]) if value else "",
            "" if value is None else (
                _("computed") if value["computed"] else
                (_("confirmed") if value["status"] == "confirmed" else _("draft"))
            ),
            target_text,
            source,
        ])  # fmt: skip
    return header, body


def _chart(view: dict[str, Any]) -> str:
    lang = current_lang()
    years = _years(view)
    if not years:
        return ""
    values = {v["fiscal_year"]: v["value"] for v in view["values"]}
    targets = {t["fiscal_year"]: t["value"] for t in view["targets"] if t["kind"] != "baseline"}
    # Short axis labels; the description and the table give the era as well.
    labels = [f"{fy}年度" if lang == "ja" else f"FY{fy}" for fy in years]
    join = "、".join if lang == "ja" else "; ".join
    desc = join(
        [_("%(year)s: %(value)s") % {"year": format_fiscal_year(fy, lang),
                                      "value": format_value(values[fy], view["unit"])}
         for fy in years if fy in values]
        + [_("target for %(year)s: %(value)s") % {"year": format_fiscal_year(fy, lang),
                                                   "value": format_value(targets[fy], view["unit"])}
           for fy in years if fy in targets]
    )  # fmt: skip
    return line_chart_svg(
        labels,
        [(_("Value"), [values.get(fy) for fy in years])],
        markers=[(_("Target"), [targets.get(fy) for fy in years])],
        title=localized(view["name_ja"], view["name_en"]),
        desc=desc or _("No values yet."),
        chart_id=f"chart-{view['code']}",
    )


BEHIND = 200  # the records shown behind a value


def _behind(indicator: Indicator, view: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    if not indicator.is_computed or not view["values"]:
        return {}
    years = [v["fiscal_year"] for v in view["values"]]
    try:
        year = int(request.GET.get("fy", years[-1]))
    except ValueError:
        year = years[-1]
    if year not in years:
        year = years[-1]
    if indicator.computed == "oa_share_mandated":
        # Only published records are public; the rest are counted, never named.
        behind = metrics.outputs_behind(indicator.program, year)
        return {
            "years": years, "year": year, "outputs": behind.public, "outputs_total": behind.total,
            "outputs_unpublished": behind.unpublished,
        }  # fmt: skip
    awards = metrics.awards_behind(indicator.computed, indicator.program, year)
    if awards is None:
        return {"years": years, "year": year, "awards": None}
    # One row past the page says whether there are more: no count over a
    # nation's awards on every view of the page.
    rows = list(awards[: BEHIND + 1])
    more = len(rows) > BEHIND
    return {"years": years, "year": year, "awards": rows[:BEHIND], "more": more,
            "total": len(rows[:BEHIND])}  # fmt: skip


def _indicator_context(
    request: HttpRequest,
    indicator: Indicator,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    view = _decorate(indicator_view(indicator))
    header, body = _table(view)
    return {
        "indicator": indicator,
        "view": view,
        "measure": indicator.measure,
        "strategy": indicator.measure.strategy,
        "chart": _chart(view),
        "header": header,
        "body": body,
        "behind": _behind(indicator, view, request),
        "may_enter": not indicator.is_computed
        and request.user.has_perm("strategy.record_observation", indicator),
        "form": form or {"fiscal_year": "", "value": "", "source": "", "as_of": ""},
        "errors": errors or {},
    }


def indicator_page(request: HttpRequest, code: str) -> HttpResponse:
    context = _indicator_context(request, _indicator(code))
    return render(request, "strategy/indicator.html", context)


def indicator_download(request: HttpRequest, code: str, ext: str) -> HttpResponse:
    indicator = _indicator(code)
    header, body = _table(_decorate(indicator_view(indicator)))
    return table_download(header, body, name=f"indicator-{indicator.code}", ext=ext,
                          sheet_title=indicator.code[:31])  # fmt: skip


@require_POST
def indicator_record(request: HttpRequest, code: str) -> HttpResponse:
    indicator = _indicator(code)
    if indicator.is_computed or not request.user.has_perm("strategy.record_observation", indicator):
        deny(request, indicator)
    form = {k: request.POST.get(k, "").strip()
            for k in ("fiscal_year", "value", "source", "as_of", "confirmed")}  # fmt: skip
    errors: dict[str, list[str]] = {}
    try:
        fiscal_year = int(form["fiscal_year"])
    except ValueError:
        errors["fiscal_year"] = [_("Enter a fiscal year between 1990 and 2100.")]
        fiscal_year = 0
    as_of = None
    if form["as_of"]:
        try:
            as_of = date.fromisoformat(form["as_of"])
        except ValueError:
            errors["as_of"] = [_("Enter a date as YYYY-MM-DD.")]
    if not errors:
        try:
            record_observation(
                indicator, actor=request.user, fiscal_year=fiscal_year, value=form["value"],
                source=form["source"], as_of=as_of, confirmed=form["confirmed"] == "1",
            )  # fmt: skip
        except ValidationError as error:
            errors = error.message_dict
    if errors:
        # What was typed stays in the form, with each field's error beside it.
        context = _indicator_context(request, indicator, form=form, errors=errors)
        return render(request, "strategy/indicator.html", context, status=422)
    messages.success(request, _("The value has been saved."))
    return redirect("strategy:indicator", code=indicator.code)


def strategy_export(request: HttpRequest, year: int, kind: str, ext: str) -> HttpResponse:
    """The strategy's measures, indicators, targets or values as CSV or Excel."""
    strategy = get_object_or_404(Strategy, year=year)
    table = EXPORTS.get(kind)
    if table is None:
        raise Http404
    header, body = table(strategy)
    return table_download(header, body, name=f"strategy-{strategy.year}-{kind}", ext=ext,
                          sheet_title=f"{strategy.year} {kind}")  # fmt: skip


MAX_IMPORT_BYTES = 5 * 1024 * 1024


def strategy_import(request: HttpRequest) -> HttpResponse:
    """Values (and, for the command tower, targets) from a CSV or Excel file."""
    if not request.user.has_perm("strategy.import_values"):
        deny(request, what="strategy import")
    context: dict[str, Any] = {"report": None, "errors": {}}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["errors"] = {"file": [_("Choose a CSV or Excel file.")]}
            status = 422
        elif upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            context["errors"] = {"file": [_("The file is larger than 5 MB.")]}
            status = 422
        else:
            try:
                report = import_table(upload.read(), upload.name or "", actor=request.user)
            except ValidationError as error:
                context["errors"], status = error.message_dict, 422
            except ImportRefused as refused:
                context["report"], status = refused.report, 422
            else:
                messages.success(
                    request,
                    _(
                        "Imported %(values)d values and %(targets)d targets; %(skipped)d left "
                        "as they were (computed, or unchanged)."
                    )
                    % {"values": report.values, "targets": report.targets,
                       "skipped": report.skipped},
                )  # fmt: skip
                return redirect("strategy:import")
    return render(request, "strategy/import.html", context, status=status)
