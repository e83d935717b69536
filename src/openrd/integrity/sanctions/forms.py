"""The officer's sanction form: it parses what was typed; the rules are the service's."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openrd.accounts.models import User
from openrd.integrity.rules.sanctions import OffenceRow, OffenceTable
from openrd.integrity.sanctions.labels import MEASURES


def row_choices(table: OffenceTable) -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in table.rows]


class SanctionForm(forms.Form):
    person = forms.CharField(
        label=gettext_lazy("Person (username or e-Rad researcher number)"),
        max_length=150,
    )
    row = forms.ChoiceField(label=gettext_lazy("Offence, role and severity"))
    decided_on = forms.DateField(
        label=gettext_lazy("Date of the decision"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    years = forms.IntegerField(
        label=gettext_lazy("Restriction (years)"),
        help_text=gettext_lazy("Leave empty for the least the table allows."),
        required=False,
        min_value=0,
        max_value=10,
    )
    call_fiscal_year = forms.IntegerField(
        label=gettext_lazy("Fiscal year of the call concerned"),
        help_text=gettext_lazy(
            "Needed for a false declaration: it applies to calls from FY2022 on."
        ),
        required=False,
        min_value=2000,
        max_value=2100,
    )
    program_code = forms.CharField(
        label=gettext_lazy("Program code"), max_length=64, required=False
    )
    program_name_ja = forms.CharField(
        label=gettext_lazy("Program (Japanese)"), max_length=200, required=False
    )
    program_name_en = forms.CharField(
        label=gettext_lazy("Program (English)"), max_length=200, required=False
    )
    measures = forms.MultipleChoiceField(
        label=gettext_lazy("Measures"),
        choices=[(k, v) for k, v in MEASURES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    refund_yen = forms.CharField(label=gettext_lazy("Refund (yen)"), max_length=30, required=False)
    reasons = forms.CharField(
        label=gettext_lazy("Reasons for the decision"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
    )
    published = forms.BooleanField(
        label=gettext_lazy("Publish (name, institution, program, offence, period)"),
        required=False,
    )

    def __init__(self, *args: Any, table: OffenceTable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = table
        row_field = self.fields["row"]
        assert isinstance(row_field, forms.ChoiceField)
        row_field.choices = [("", "—"), *row_choices(table)]
        for f in self.fields.values():
            if isinstance(f.widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                continue
            css = "textarea" if isinstance(f.widget, forms.Textarea) else "input"
            if isinstance(f, forms.ChoiceField):
                css = "select"
            f.widget.attrs.setdefault("class", css)
        self.fields["person"].widget.attrs["autocomplete"] = "off"

    def clean_person(self) -> User:
        typed = self.cleaned_data["person"].strip()
        found = User.objects.filter(Q(username=typed) | Q(erad_researcher_number=typed)).first()
        if found is None:
            raise ValidationError(_("No registered person has this username or researcher number."))
        return found

    def clean_row(self) -> OffenceRow:
        code = self.cleaned_data["row"]
        for row in self.table.rows:
            if row.code == code:
                return row
        raise ValidationError(_("Choose a row of the table."))

    def clean_decided_on(self) -> date:
        value: date = self.cleaned_data["decided_on"]
        return value


class LiftForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for lifting"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "textarea"}),
        max_length=4000,
    )
