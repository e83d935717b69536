from django import forms
from django.utils.translation import gettext_lazy as _


class ProfileForm(forms.Form):
    """Shape only; the rules (identifier check digits, uniqueness) live in the service."""

    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    name_kana = forms.CharField(label=_("Name (kana)"), max_length=100, required=False)
    orcid = forms.CharField(
        label=_("ORCID iD"),
        max_length=60,
        required=False,
        help_text=_("For example 0000-0002-1825-0097 or https://orcid.org/0000-0002-1825-0097"),
    )
    erad_researcher_number = forms.CharField(
        label=_("e-Rad researcher number"),
        max_length=20,
        required=False,
        help_text=_("8 digits"),
    )
