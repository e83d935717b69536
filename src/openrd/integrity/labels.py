"""Names and display of disclosure fields, shared by the form and the history page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from openrd.accounts.models import AffiliationKind
from openrd.core.fiscal import format_wareki_date
from openrd.core.i18n import current_lang
from openrd.core.money import format_yen

FUNDING_STATUS_CHOICES: list[tuple[str, Promise]] = [
    ("current", gettext_lazy("Current (received)")),
    ("pending", gettext_lazy("Pending (applied for)")),
]
# The same four kinds as a person's affiliations in their account.
POSITION_KIND_CHOICES: list[tuple[str, Any]] = list(AffiliationKind.choices)

FUNDING_LABELS: dict[str, Promise] = {
    "status": pgettext_lazy("funding", "Status"),
    "program": gettext_lazy("Funding program"),
    "title": gettext_lazy("Research title"),
    "funder": gettext_lazy("Funder"),
    "country": gettext_lazy("Country"),
    "start": gettext_lazy("Start date"),
    "end": gettext_lazy("End date"),
    "amount_yen": gettext_lazy("Amount (yen)"),
    "effort_percent": gettext_lazy("Effort (%)"),
    "nda": gettext_lazy("Under a non-disclosure agreement (NDA)"),
    "on_platform": gettext_lazy("Funded through OpenRD"),
}
POSITION_LABELS: dict[str, Promise] = {
    "organisation": gettext_lazy("Organisation"),
    "country": gettext_lazy("Country"),
    "title": gettext_lazy("Position"),
    "kind": gettext_lazy("Kind"),
    "paid": gettext_lazy("Paid position"),
    "start": gettext_lazy("Start date"),
    "end": gettext_lazy("End date"),
}
SECTION_LABELS: dict[str, Promise] = {
    "funding": gettext_lazy("Research funding"),
    "position": gettext_lazy("Position held"),
}
CHANGE_LABELS: dict[str, Promise] = {
    "added": gettext_lazy("added"),
    "removed": gettext_lazy("removed"),
    "changed": gettext_lazy("changed"),
}


def field_label(section: str, name: str) -> str:
    labels = FUNDING_LABELS if section == "funding" else POSITION_LABELS
    return str(labels.get(name, name))


def display_value(name: str, value: Any) -> str:
    """A stored value as a person reads it: era dates, yen in 万/億, labels for codes."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name in {"start", "end"} and isinstance(value, date):
        try:
            return format_wareki_date(value, current_lang())
        except ValueError:  # before the Meiji era, which has no wareki form
            return value.isoformat()
    if name == "amount_yen" and isinstance(value, int):
        return format_yen(value, current_lang())
    if name == "effort_percent":
        return f"{value}%"
    if name == "status":
        return str(dict(FUNDING_STATUS_CHOICES).get(value, value))
    if name == "kind":
        return str(dict(POSITION_KIND_CHOICES).get(value, value))
    return str(value)
