"""The screening pages' forms: they parse what was typed; the services judge it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            # The design system's classes on the inputs; no inline style anywhere.
            if isinstance(f.widget, forms.Textarea):
                f.widget.attrs.setdefault("class", "textarea")
            else:
                f.widget.attrs.setdefault("class", "input")
                f.widget.attrs.setdefault("inputmode", "decimal")


class ReviewForm(_Styled):
    note = forms.CharField(
        label=_("Note"),
        help_text=_("Why the flag is confirmed or dismissed; kept with the flag and audited."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "textarea"}),
        max_length=4000,
        required=False,
    )


class ThresholdForm(_Styled):
    max_yen_per_fiscal_year = forms.IntegerField(
        label=_("Most funding per researcher and fiscal year (yen)"),
        help_text=_(
            "Awards, pending proposals and current outside funding together. Empty: not checked."
        ),
        required=False,
    )
    max_effort_percent = forms.IntegerField(
        label=_("Most effort on awards and proposals (%)"),
        help_text=_("Empty: not checked."),
        required=False,
    )
    duplicate_cosine = forms.FloatField(
        label=_("Near-duplicate similarity"),
        help_text=_("Cosine similarity of the texts, above 0 and at most 1 (0.6 unless set)."),
    )


class RunForm(forms.Form):
    target = forms.ChoiceField(label=_("Call"), widget=forms.Select(attrs={"class": "select"}))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices  # type: ignore[attr-defined]
