"""The deposit's forms. They render and read the fields; the services validate
and save (so the API and the pages refuse the same things)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openrd.repository.models import (
    AgreementType,
    ApcPayer,
    FileAccess,
    Output,
    OutputKind,
    TextVersion,
)
from openrd.repository.rules import exception_choices
from openrd.repository.vocabularies import LANGUAGES, licence_choices, resource_type_choices

DATE = forms.DateInput(attrs={"type": "date", "class": "input"})


def _styled(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        css = "select" if isinstance(widget, forms.Select) else (
            "textarea" if isinstance(widget, forms.Textarea) else "input")  # fmt: skip
        widget.attrs.setdefault("class", css)


class NewDepositForm(forms.Form):
    award = forms.TypedChoiceField(label=_("Award"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind of output"), choices=OutputKind.choices)
    title_ja = forms.CharField(label=_("Title (Japanese)"), max_length=500, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=500, required=False)

    def __init__(self, *args: Any, awards: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["award"].choices = awards  # type: ignore[attr-defined]
        _styled(self)


class MetadataForm(forms.ModelForm):
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        help_text=_("Separated by commas."),
    )

    class Meta:
        model = Output
        fields = [
            "resource_type", "title_ja", "title_en", "abstract_ja", "abstract_en", "language",
            "keywords", "doi", "journal_title", "issn", "volume", "issue", "page_start",
            "page_end", "publisher", "accepted_on", "published_on", "peer_reviewed",
            "text_version", "licence", "access_rights", "embargo_until", "embargo_reason",
            "gold_oa",
        ]  # fmt: skip
        widgets = {
            "accepted_on": DATE,
            "published_on": DATE,
            "embargo_until": DATE,
            "abstract_ja": forms.Textarea(attrs={"rows": 5}),
            "abstract_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.instance.kind if self.instance else None
        self.fields["resource_type"] = forms.ChoiceField(
            label=_("Resource type"), choices=resource_type_choices(kind)
        )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language"), choices=[(k, v[1]) for k, v in LANGUAGES.items()]
        )
        self.fields["licence"] = forms.ChoiceField(
            label=_("Licence"), choices=[("", "—"), *licence_choices()], required=False
        )
        if self.instance and not self.is_bound:
            self.initial["keywords"] = ", ".join(self.instance.keywords or [])
        _styled(self)

    def clean_keywords(self) -> list[str]:
        raw = self.cleaned_data.get("keywords") or ""
        return [k for k in (w.strip() for w in raw.replace("、", ",").split(",")) if k]


class CreatorForm(forms.Form):
    family_name_ja = forms.CharField(label=_("Family name (Japanese)"), max_length=100,
                                     required=False)  # fmt: skip
    given_name_ja = forms.CharField(label=_("Given name (Japanese)"), max_length=100,
                                    required=False)  # fmt: skip
    family_name_en = forms.CharField(label=_("Family name (English)"), max_length=100,
                                     required=False)  # fmt: skip
    given_name_en = forms.CharField(label=_("Given name (English)"), max_length=100,
                                    required=False)  # fmt: skip
    erad_researcher_number = forms.CharField(label=_("e-Rad researcher number"), max_length=8,
                                             required=False)  # fmt: skip
    orcid = forms.CharField(label=_("ORCID iD"), max_length=37, required=False)
    affiliation_name_ja = forms.CharField(label=_("Affiliation (Japanese)"), max_length=200,
                                          required=False)  # fmt: skip
    affiliation_name_en = forms.CharField(label=_("Affiliation (English)"), max_length=200,
                                          required=False)  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)

    def is_blank(self) -> bool:
        return not any((self.cleaned_data or {}).values())


CreatorFormSet = forms.formset_factory(CreatorForm, extra=2, max_num=200, absolute_max=200)


class FileForm(forms.Form):
    file = forms.FileField(label=_("File"))
    access = forms.ChoiceField(label=_("Who may download it"), choices=FileAccess.choices)
    text_version = forms.ChoiceField(label=_("Text version"), choices=TextVersion.choices)
    label = forms.CharField(label=_("Label"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class ExceptionForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why immediate open access is not possible"))
    note = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}),
                           required=False)  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = exception_choices()  # type: ignore[attr-defined]
        _styled(self)


class ApcForm(forms.Form):
    amount_yen = forms.IntegerField(label=_("Amount (yen)"), min_value=1)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    payer = forms.ChoiceField(label=_("Paid by"), choices=ApcPayer.choices)
    agreement = forms.ChoiceField(label=_("Agreement"), choices=AgreementType.choices)
    funding_source = forms.CharField(label=_("Funding source"), max_length=200, required=False)
    invoice_reference = forms.CharField(label=_("Invoice reference"), max_length=100,
                                        required=False)  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note to the depositor"), widget=forms.Textarea(
        attrs={"rows": 3}), required=False)  # fmt: skip
