"""The proposal pages' forms: shape only; the rules live in services and rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
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

    def __init__(
        self, *args: Any, fiscal_years: list[int], document_codes: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fiscal_years = fiscal_years
        self.document_codes = document_codes
        for year in fiscal_years:
            # Text, not a number field: the yen rules (no fraction, no minus) give
            # the message, in the user's language, through the service.
            self.fields[f"budget_{year}"] = forms.CharField(
                label=_("Budget for FY%(year)d (yen)") % {"year": year}, required=False
            )
        for code in document_codes:
            # Checked as PDF by the file store, which reads the bytes, not the name.
            self.fields[f"file_{code}"] = forms.FileField(
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
            )

    def budget_fields(self) -> list[forms.BoundField]:
        return [self[f"budget_{y}"] for y in self.fiscal_years]

    def file_field_names(self) -> list[str]:
        return [f"file_{code}" for code in self.document_codes]

    def uploads(self) -> Iterator[tuple[str, UploadedFile]]:
        """The files chosen in this submission of the form, by document code."""
        for code in self.document_codes:
            upload = self.files.get(f"file_{code}")
            if upload is not None:
                yield code, upload

    def changes(self) -> DraftChanges:
        """The fields that passed the form's own checks (``cleaned_data`` holds only
        those), for the service to check and save; the others stay as typed."""
        data = getattr(self, "cleaned_data", {})
        fields: dict[str, Any] = {k: data[k] or "" for k in TEXT if k in data}
        if "effort_percent" in data:
            fields["effort_percent"] = data["effort_percent"]
        members = None
        if "co_investigators" in data:
            members = [
                n.strip()
                for n in (data["co_investigators"] or "").replace("、", ",").split(",")
                if n.strip()
            ]
        budget: list[tuple[int, object]] = []
        for year in self.fiscal_years:
            raw = (data.get(f"budget_{year}") or "").strip()
            if raw:
                budget.append((year, raw))
        return DraftChanges(fields=fields, budget=budget, co_investigators=members)

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


class EndorsementForm(forms.Form):
    """The institution's answer: endorse, or return with a reason (never both)."""

    decision = forms.ChoiceField(
        choices=[("endorse", _("Endorse")), ("return", _("Return to the applicant"))],
        error_messages={"required": _("Choose whether to endorse or to return the proposal.")},
    )
    comment = forms.CharField(
        label=_("Reason for return (only when returning)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "textarea"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        comment = (data.get("comment") or "").strip()
        if data.get("decision") == "endorse" and comment:
            # Pressing "endorse" with a reason typed is most likely a slip: keep the text.
            self.add_error(
                "comment",
                _(
                    "You typed a reason for return. To return the proposal, press "
                    "“Return to the applicant”; to endorse it, clear the reason first."
                ),
            )
        if data.get("decision") == "return" and not comment:
            self.add_error("comment", _("Say why the proposal is returned."))
        return data


class WithdrawalForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that a withdrawn proposal cannot be submitted again."),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )
