from django import forms
from django.utils.translation import gettext_lazy as _

from openrd.accounts.models import TokenScope


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


class TokenForm(forms.Form):
    """Issue an API token; read-only and 90 days unless the person chooses otherwise."""

    EXPIRY_CHOICES = [
        ("30", _("In 30 days")),
        ("90", _("In 90 days")),
        ("365", _("In one year")),
        ("", _("Never (until revoked)")),
    ]

    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the script that uses it."),
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        choices=EXPIRY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )
