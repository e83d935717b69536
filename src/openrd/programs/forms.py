from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.accounts.models import Organisation
from openrd.core.fiscal import format_fiscal_year
from openrd.core.i18n import current_lang
from openrd.programs.models import Program
from openrd.programs.queries import PUBLIC_PHASES, CallFilters


class CallFilterForm(forms.Form):
    """The public call list's filters, read from the query string. Choices only:
    a value outside them is reported on its field and does not filter."""

    program = forms.ChoiceField(label=_("Program"), required=False)
    agency = forms.ChoiceField(label=_("Funding agency"), required=False)
    # A context keeps this label apart from other apps' "Status".
    status = forms.ChoiceField(label=pgettext_lazy("call filters", "Status"), required=False)
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        data: Any = None,
        *,
        programs: Iterable[Program],
        agencies: Iterable[Organisation],
        fiscal_years: Iterable[int],
    ) -> None:
        super().__init__(data)
        lang = current_lang()
        self._choose(
            "program",
            [
                ("", _("All programs")),
                *((p.code, p.short_name) for p in programs),
            ],
        )
        self._choose(
            "agency",
            [
                ("", _("All agencies")),
                *((a.code, a.name) for a in agencies),
            ],
        )
        self._choose(
            "status",
            [
                ("", _("Any status")),
                *((phase.value, phase.label) for phase in PUBLIC_PHASES),
            ],
        )
        self._choose(
            "fiscal_year",
            [
                ("", _("All fiscal years")),
                *((str(fy), format_fiscal_year(fy, lang)) for fy in fiscal_years),
            ],
        )
        for field in self.fields.values():
            field.widget.attrs["class"] = "select"

    def _choose(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def filters(self) -> CallFilters:
        if not self.is_bound:
            return CallFilters()
        self.is_valid()
        # Only the fields that passed validation are in cleaned_data.
        data = self.cleaned_data
        return CallFilters(
            program=data.get("program") or "",
            agency=data.get("agency") or "",
            status=data.get("status") or "",
            fiscal_year=data.get("fiscal_year"),
        )
