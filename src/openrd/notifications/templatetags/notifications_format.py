"""Filters for notification texts: bilingual values and times to the second."""

from __future__ import annotations

from datetime import datetime

from django import template

from openrd.core.fiscal import format_wareki_date, to_tokyo
from openrd.core.i18n import current_lang, localized

register = template.Library()


@register.filter
def local(value: object) -> str:
    """{"ja": …, "en": …} in the active language (Japanese when there is no English)."""
    if isinstance(value, dict):
        return localized(str(value.get("ja", "")), str(value.get("en", "")))
    return "" if value is None else str(value)


@register.filter
def tokyo_seconds(value: object) -> str:
    """ja "令和8年12月1日 18:20:05（日本時間）"; en "1 December 2026 18:20:05 JST".

    A receipt states the moment to the second, even when the seconds are zero."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        return ""
    moment = to_tokyo(value)
    lang = current_lang()
    day = format_wareki_date(moment.date(), lang)
    clock = moment.strftime("%H:%M:%S")
    if lang == "en":
        return f"{day.split(' (')[0]} {clock} {moment.tzname()}"
    return f"{day} {clock}（日本時間）"
