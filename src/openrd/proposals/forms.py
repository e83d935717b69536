"""The proposal pages' forms: shape only; the rules live in services and rules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.proposals.models import MemberRole
from openrd.proposals.rules.guidance import Counter, Requirement, character_counter
from openrd.proposals.services import DraftChanges

TEXT = ("title_ja", "title_en", "abstract_ja", "abstract_en")


class GuidedBoundField(forms.BoundField):
    """A field also described by its guidance (character counter, upload limits):
    each id in ``field.described_by`` is added after Django's help and error ids."""

    @property
    def aria_describedby(self) -> str | None:
        own = super().aria_describedby
        if own is None:
            return None
        extra = [f"{self.auto_id}_{part}" for part in getattr(self.field, "described_by", ())]
        return " ".join(token for token in [*own.split(), *extra] if token) if self.auto_id else own

    @property
    def requirement(self) -> str:
        """ "required", "any_of" (one of several fields will do) or "" (optional)."""
        return str(getattr(self.field, "requirement", ""))

    @property
    def counter(self) -> Counter | None:
        """The character counter of a text field with a limit, for what it holds now."""
        limit = getattr(self.field, "max_length", None)
        if limit is None or "counter" not in getattr(self.field, "described_by", ()):
            return None
        return character_counter(str(self.value() or ""), limit)


class TextField(forms.CharField):
    """Text whose line breaks count as one character, as the editor's counter counts
    them (a browser sends CR LF): a value is never judged longer than it looks."""

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            value = value.replace("\r\n", "\n")
        return super().to_python(value)


class ProposalForm(forms.Form):
    bound_field_class = GuidedBoundField

    revision = forms.IntegerField(widget=forms.HiddenInput)
    title_ja = TextField(label=_("Title (Japanese)"), max_length=300, required=False)
    title_en = TextField(label=_("Title (English)"), max_length=300, required=False)
    abstract_ja = TextField(
        label=_("Abstract (Japanese)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    abstract_en = TextField(
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

    def __init__(
        self,
        *args: Any,
        fiscal_years: list[int],
        document_codes: list[str],
        document_names: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fiscal_years = fiscal_years
        self.document_codes = document_codes
        self.budget_required = False
        for name in TEXT:
            # A counter shows the length instead: the browser would cut a pasted
            # text silently; the limit is still checked here, as a field error.
            field = self.fields[name]
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs["data-counter-limit"] = str(field.max_length)  # type: ignore[attr-defined]
            field.described_by = ("counter",)  # type: ignore[attr-defined]
        for year in fiscal_years:
            # Text, not a number field: the yen rules (no fraction, no minus) give
            # the message, in the user's language, through the service.
            self.fields[f"budget_{year}"] = forms.CharField(
                label=_("Budget for FY%(year)d (yen)") % {"year": year}, required=False
            )
        for code in document_codes:
            # Checked as PDF by the file store, which reads the bytes, not the name.
            self.fields[f"file_{code}"] = forms.FileField(
                # The document's name, so an error read in the summary says which file.
                label=(document_names or {}).get(code, code),
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
            )
            self.fields[f"file_{code}"].described_by = ("limits",)  # type: ignore[attr-defined]

    def mark_required(self, requirements: Iterable[Requirement]) -> None:
        """Mark the fields the call's rules require: ``field.requirement`` is "required"
        (with aria-required) or "any_of" (one of several will do, e.g. the two titles)."""
        for requirement in requirements:
            for name in requirement.fields:
                if name not in self.fields:
                    continue
                field = self.fields[name]
                field.requirement = "any_of" if requirement.any_of else "required"  # type: ignore[attr-defined]
                if not requirement.any_of:
                    field.widget.attrs["aria-required"] = "true"
                if name.startswith("budget_"):
                    self.budget_required = True

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
        budget: list[tuple[int, object]] = []
        for year in self.fiscal_years:
            raw = (data.get(f"budget_{year}") or "").strip()
            if raw:
                budget.append((year, raw))
        return DraftChanges(fields=fields, budget=budget)

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


class InviteForm(forms.Form):
    """An invitation to a co-investigator or collaborator; the service checks it."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=200, required=False)
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        help_text=_("The invitation is sent here, with a link to accept it."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    erad_researcher_number = forms.CharField(
        label=_("e-Rad researcher number (if known)"),
        required=False,
        max_length=20,
        help_text=_(
            "8 digits. Only the researcher with this number can then accept the invitation."
        ),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=MemberRole.choices,
        initial=MemberRole.CO_INVESTIGATOR,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a role from the list.")},
    )

    def add_service_errors(self, message_dict: dict[str, list[str]]) -> None:
        for key, messages in message_dict.items():
            field = key if key in self.fields else None
            for message in messages:
                self.add_error(field, message)


class MemberForm(forms.Form):
    """A member's role and budget share (分担金) for each of the budget's years."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=MemberRole.choices,
        error_messages={"invalid_choice": _("Choose a role from the list.")},
    )

    def __init__(self, *args: Any, fiscal_years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fiscal_years = fiscal_years
        for year in fiscal_years:
            self.fields[f"share_{year}"] = forms.CharField(
                label=_("Budget share for FY%(year)d (yen)") % {"year": year}, required=False
            )

    def share_fields(self) -> list[forms.BoundField]:
        return [self[f"share_{y}"] for y in self.fiscal_years]

    def shares(self) -> list[tuple[int, object]]:
        data = getattr(self, "cleaned_data", {})
        return [
            (year, raw)
            for year in self.fiscal_years
            if (raw := (data.get(f"share_{year}") or "").strip())
        ]

    def add_service_errors(self, message_dict: dict[str, list[str]]) -> None:
        years = [y for y, _v in self.shares()]
        for key, messages in message_dict.items():
            field: str | None = key if key in self.fields else None
            if key.startswith("shares."):
                index = int(key.split(".")[1])
                field = f"share_{years[index]}" if index < len(years) else None
            elif key == "shares" and self.fiscal_years:
                field = f"share_{self.fiscal_years[0]}"
            for message in messages:
                self.add_error(field, message)
