from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.internal.flows.login import record_authentication
from allauth.core import context
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.accounts.models import TokenScope
from openrd.core import audit


class ProfileForm(forms.Form):
    """Shape only; the rules (identifier check digits, uniqueness) live in the service."""

    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=100, required=False)
    name_en = forms.CharField(
        label=pgettext_lazy("person", "Name (English)"), max_length=100, required=False
    )
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


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, its user-name field posted as ``username``.

    The name the page, password managers and the throttling (django-axes reads
    ``username``) have always used; allauth calls the field ``login`` inside.
    """

    def add_prefix(self, field_name: str) -> str:
        return super().add_prefix("username" if field_name == "login" else field_name)


class ActivateTOTPForm(AllauthActivateTOTPForm):
    """Setting up TOTP takes a valid code from the new authenticator.

    That is the second factor, so the session counts as having passed it
    (openrd.accounts.middleware does not ask again at once); a wrong code is
    audited like one at sign-in.
    """

    def clean_code(self) -> str:
        request = context.request
        try:
            code = super().clean_code()
        except forms.ValidationError:
            with transaction.atomic():
                audit.record("accounts.mfa.failed", actor=self.user, obj=self.user,
                             request=request, after={"setup": True})  # fmt: skip
            raise
        record_authentication(request, self.user, method="mfa", type="totp", setup=True)
        return code
