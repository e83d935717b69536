"""Template filters for yen, era dates, fiscal years and Tokyo deadlines.

Installed as a template builtin, so every template can write
``{{ amount|yen }}`` without ``{% load %}``. Each filter follows the active
language and, like Django's own filters, renders an unusable value as "".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template

from openrd.core.fiscal import (
    format_fiscal_year,
    format_tokyo_datetime,
    format_wareki_date,
    to_tokyo,
)
from openrd.core.i18n import current_lang
from openrd.core.money import format_yen

register = template.Library()


@register.filter
def yen(value: object) -> str:
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return ""
    return format_yen(value, current_lang())


@register.filter
def wareki(value: object) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return ""
        # The calendar day that matters is the one in Tokyo, not in UTC.
        value = to_tokyo(value).date()
    if not isinstance(value, date):
        return ""
    try:
        return format_wareki_date(value, current_lang())
    except ValueError:
        return ""


@register.filter
def fiscal_year(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return ""
    try:
        return format_fiscal_year(value, current_lang())
    except ValueError:
        return ""


@register.filter
def tokyo(value: object) -> str:
    if not isinstance(value, datetime) or value.tzinfo is None:
        return ""
    return format_tokyo_datetime(value, current_lang())
