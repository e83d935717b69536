"""The proposal editor's form: shape only; the rules live in services and rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openrd.proposals.services import DraftChanges

TEXT = ("title_ja", "title_en", "abstract_ja", "abstract_en")


class ProposalForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=300, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300, required=False)
    abstract_ja = forms.CharField(
        label=_("Abstract (Japanese)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    abstract_en = forms.CharField(
        label=_("Abstract (English)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    effort_percent = forms.IntegerField(
        label=_("Effort on this project (%)"),
        required=False,
        help_text=_("The share of your working time, 1–100."),
    )
    co_investigators = forms.CharField(
        label=_("Co-investigators (e-Rad researcher numbers)"),
        required=False,
        help_text=_("Separate several numbers with commas."),
    )

    def __init__(self, *args: Any, fiscal_years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fiscal_years = fiscal_years
        for year in fiscal_years:
            # Text, not a number field: the yen rules (no fraction, no minus) give
            # the message, in the user's language, through the service.
            self.fields[f"budget_{year}"] = forms.CharField(
                label=_("Budget for FY%(year)d (yen)") % {"year": year}, required=False
            )

    def budget_fields(self) -> list[forms.BoundField]:
        return [self[f"budget_{y}"] for y in self.fiscal_years]

    def changes(self) -> DraftChanges:
        data = self.cleaned_data
        members = [
            n.strip()
            for n in (data.get("co_investigators") or "").replace("、", ",").split(",")
            if n.strip()
        ]
        budget: list[tuple[int, object]] = []
        for year in self.fiscal_years:
            raw = (data.get(f"budget_{year}") or "").strip()
            if raw:
                budget.append((year, raw))
        return DraftChanges(
            fields={
                **{k: data.get(k) or "" for k in TEXT},
                "effort_percent": data.get("effort_percent"),
            },
            budget=budget,
            co_investigators=members,
        )

    def add_service_errors(
        self, message_dict: dict[str, list[str]], budget_years: list[int]
    ) -> None:
        """Attach the service's field errors to this form's fields."""
        for key, messages in message_dict.items():
            field: str | None = key
            if key.startswith("budget."):
                index = int(key.split(".")[1])
                field = f"budget_{budget_years[index]}" if index < len(budget_years) else None
            if field not in self.fields or key == "__all__":
                field = None
            for message in messages:
                self.add_error(field, message)
