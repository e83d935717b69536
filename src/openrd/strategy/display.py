"""An indicator's numbers and statuses in words, in the reader's language:
yen as 億円/兆円, counts with their unit, percentages; a status as text with a
glyph of its own shape, never colour alone."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from openrd.core.i18n import current_lang
from openrd.core.money import format_yen


def format_value(value: float | int | Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    number = Decimal(str(value))
    whole = number == number.to_integral_value()
    if unit == "yen" and whole:
        return format_yen(int(number), current_lang())
    digits = f"{int(number):,}" if whole else f"{number.normalize():,f}"
    if unit == "percent":
        return f"{digits}%"
    suffix = {
        "people": pgettext("unit", "people"),
        "companies": pgettext("unit", "companies"),
        "count": pgettext("unit", "cases"),
        "items": pgettext("unit", "items"),
        "yen": pgettext("unit", "yen"),
    }.get(unit, "")
    joiner = "" if current_lang() == "ja" else " "
    return f"{digits}{joiner}{suffix}" if suffix else digits


# (CSS modifier, glyph) per status: each glyph a shape of its own.
STATUS_LOOK = {
    "on_track": ("success", "✔"),
    "at_risk": ("warning", "▲"),
    "off_track": ("error", "✕"),
    "no_data": ("neutral", "–"),
}


def status_label(status: str) -> str:
    return {
        "on_track": _("On track"),
        "at_risk": _("At risk"),
        "off_track": _("Off track"),
        "no_data": _("No data"),
    }.get(status, _("No target"))
