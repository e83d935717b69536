"""Charts drawn on the server as SVG that can be inlined in a page.

Matplotlib draws; the result is then made fit for a strict Content-Security-Policy
(no ``<style>`` element, no ``style`` attribute: each declaration becomes the SVG
presentation attribute of the same name) and accessible (``role="img"``, a
``<title>`` and a ``<desc>`` named by ``aria-labelledby``). Text stays text
(``svg.fonttype: none``), so it can be read, searched and translated.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")

from lxml import etree
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.typing import RcKeyType

SVG_NS = "http://www.w3.org/2000/svg"

FONT_FAMILY = ["Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "DejaVu Sans", "sans-serif"]
BAR_COLOUR = "#0017c1"  # the Digital Agency blue of the design tokens
RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "openrd",  # stable ids: the same data gives the same SVG
    "font.family": FONT_FAMILY,
    "font.size": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# The server only measures the text; the browser picks the first family it has.
# Families missing here are expected, so matplotlib's warning about each is noise.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def _find_fonts_installed_after_the_cache() -> None:
    # matplotlib lists the system's fonts once and caches the list; Japanese fonts
    # installed later (apt install fonts-noto-cjk) stay unknown and the labels are
    # measured with a Latin font. Look again, once, for the families we ask for.
    known = {f.name for f in font_manager.fontManager.ttflist}
    if known.intersection(FONT_FAMILY[:3]):
        return
    for path in font_manager.findSystemFonts():
        if any(key in Path(path).name.lower() for key in ("notosanscjk", "notosansjp", "ipaex")):
            font_manager.fontManager.addfont(path)


_find_fonts_installed_after_the_cache()
# pyplot keeps global state; one figure at a time keeps threads from mixing them.
_LOCK = threading.Lock()


def bar_chart_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    desc: str,
    chart_id: str,
    value_labels: Sequence[str] | None = None,
    axis_label: str = "",
) -> str:
    """A horizontal bar chart of ``values`` named by ``labels``, as an ``<svg>`` string.

    ``value_labels`` are written at the end of each bar (e.g. "1.2億円"); by default
    the values themselves. ``chart_id`` prefixes the ids of the title and description.
    """
    if len(labels) != len(values):
        raise ValueError("one label per value")
    shown = list(value_labels) if value_labels is not None else [f"{v:,.0f}" for v in values]
    height = 0.9 + 0.45 * max(len(labels), 1)
    with _LOCK, plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7, height))
        try:
            positions = list(range(len(labels)))
            bars = ax.barh(positions, list(values), color=BAR_COLOUR)
            ax.set_yticks(positions, labels=list(labels))
            ax.invert_yaxis()  # the first label on top, as in the table
            ax.bar_label(bars, labels=shown, padding=4)
            top = max(values, default=0)
            ax.set_xlim(0, (top or 1) * 1.25)
            ax.xaxis.set_visible(False)
            ax.spines["bottom"].set_visible(False)
            if axis_label:
                ax.set_title(axis_label, loc="left", fontsize=10)
            fig.tight_layout()
            out = io.StringIO()
            fig.savefig(out, format="svg")
        finally:
            plt.close(fig)
    return _accessible(out.getvalue(), title=title, desc=desc, chart_id=chart_id)


# Series colours, distinct in hue and lightness; past the seventh series they come
# round again, hatched, so that no two segments look alike.
SERIES_COLOURS = ["#0017c1", "#e25100", "#197a4b", "#8843e1", "#b78f00", "#00a3bf", "#ec0000"]
SERIES_HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo"]


def stacked_bar_chart_svg(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    desc: str,
    chart_id: str,
    total_labels: Sequence[str] | None = None,
    axis_label: str = "",
) -> str:
    """Horizontal bars named by ``labels``, each stacked from ``series``
    (name, one value per label), with a legend of the series names, as an ``<svg>``.

    ``total_labels`` are written at the end of each bar (e.g. "1.2億円"); by default
    the sums themselves. ``chart_id`` prefixes the ids of the title and description.
    """
    if any(len(values) != len(labels) for _name, values in series):
        raise ValueError("one value per label in every series")
    totals = [sum(float(values[i]) for _n, values in series) for i in range(len(labels))]
    shown = list(total_labels) if total_labels is not None else [f"{v:,.0f}" for v in totals]
    height = 1.3 + 0.45 * max(len(labels), 1) + 0.25 * ((len(series) + 2) // 3)
    with _LOCK, plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7, height))
        try:
            positions = list(range(len(labels)))
            left = [0.0] * len(labels)
            bars = None
            for i, (name, values) in enumerate(series):
                bars = ax.barh(
                    positions,
                    [float(v) for v in values],
                    left=list(left),
                    label=name,
                    color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                    hatch=SERIES_HATCHES[(i // len(SERIES_COLOURS)) % len(SERIES_HATCHES)] or None,
                    edgecolor="white",
                    linewidth=0.8,
                )
                left = [a + float(b) for a, b in zip(left, values, strict=True)]
            ax.set_yticks(positions, labels=list(labels))
            ax.invert_yaxis()  # the first label on top, as in the table
            if bars is not None:
                ax.bar_label(bars, labels=shown, padding=4)
            ax.set_xlim(0, (max(totals, default=0) or 1) * 1.3)
            ax.xaxis.set_visible(False)
            ax.spines["bottom"].set_visible(False)
            if axis_label:
                ax.set_title(axis_label, loc="left", fontsize=10)
            if series:
                ax.legend(
                    loc="upper center",
                    bbox_to_anchor=(0.5, -0.02),
                    ncol=min(3, len(series)),
                    frameon=False,
                    fontsize=9,
                )
            svg = _tight_svg(fig)
        finally:
            plt.close(fig)
    return _accessible(svg, title=title, desc=desc, chart_id=chart_id)


def line_chart_svg(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    desc: str,
    chart_id: str,
    markers: Sequence[tuple[str, Sequence[float | None]]] = (),
    axis_label: str = "",
) -> str:
    """Values over ``labels`` (fiscal years, left to right): each of ``series`` a
    line (``None`` where it has no value), each of ``markers`` points alone (the
    targets), with a legend, as an ``<svg>``."""
    if any(len(values) != len(labels) for _n, values in (*series, *markers)):
        raise ValueError("one value (or None) per label in every series")
    with _LOCK, plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7, 3.4))
        try:
            xs = list(range(len(labels)))
            for i, (name, values) in enumerate(series):
                points = [(x, float(v)) for x, v in zip(xs, values, strict=True) if v is not None]
                ax.plot([p[0] for p in points], [p[1] for p in points], label=name, marker="o",
                        color=SERIES_COLOURS[i % len(SERIES_COLOURS)], linewidth=2)  # fmt: skip
            shapes = ["D", "s", "^", "v"]
            for i, (name, values) in enumerate(markers):
                points = [(x, float(v)) for x, v in zip(xs, values, strict=True) if v is not None]
                ax.plot([p[0] for p in points], [p[1] for p in points], label=name,
                        linestyle="none", marker=shapes[i % len(shapes)], markersize=8,
                        markerfacecolor="white", markeredgewidth=2,
                        color=SERIES_COLOURS[(i + len(series)) % len(SERIES_COLOURS)])  # fmt: skip
            ax.set_xticks(xs, labels=list(labels))
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _p: f"{v:,.0f}"))
            ax.grid(axis="y", linewidth=0.4, color="#cccccc")
            if axis_label:
                ax.set_title(axis_label, loc="left", fontsize=10)
            if series or markers:
                ax.legend(loc="upper left", frameon=False, fontsize=9)
            svg = _tight_svg(fig)
        finally:
            plt.close(fig)
    return _accessible(svg, title=title, desc=desc, chart_id=chart_id)


def _tight_svg(fig: Any) -> str:
    """The figure as SVG, cropped to what is drawn (legends below the axes included)."""
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight")
    return out.getvalue()


_DECLARATION = re.compile(r"\s*([a-z-]+)\s*:\s*([^;]+?)\s*(?:;|$)")


def _accessible(svg: str, *, title: str, desc: str, chart_id: str) -> str:
    # lxml keeps the document's own namespace declarations (SVG as the default
    # namespace); ElementTree would write the prefix some other library last
    # registered for SVG (qrcode registers "svg"), and an <svg:svg> inline in
    # HTML draws nothing.
    root = etree.fromstring(svg.encode("utf-8"))  # our own matplotlib output
    # Collected first: lxml's iterator loses its place when the tree changes under it.
    for child in list(root.iter(f"{{{SVG_NS}}}style", f"{{{SVG_NS}}}metadata")):
        child.getparent().remove(child)
    for element in root.iter(etree.Element):
        style = element.attrib.pop("style", None)
        if style:
            for name, value in _DECLARATION.findall(style):
                element.set(name, value)
    for name in ("width", "height"):
        root.attrib.pop(name, None)  # sized by the page through the viewBox
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    root.set("role", "img")
    root.set("aria-labelledby", f"{title_id} {desc_id}")
    root.set("id", chart_id)
    root.set("class", "chart")
    desc_el = etree.Element(f"{{{SVG_NS}}}desc", {"id": desc_id})
    desc_el.text = desc
    title_el = etree.Element(f"{{{SVG_NS}}}title", {"id": title_id})
    title_el.text = title
    root.insert(0, desc_el)
    root.insert(0, title_el)
    return str(etree.tostring(root, encoding="unicode"))
