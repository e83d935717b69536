"""How allauth signs people in here (docs/adr/0020-sign-in-with-allauth-and-mfa.md)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from openrd.accounts.mfa_policy import requires_mfa
from openrd.core import audit

_ALLAUTH_VERIFICATION = "allauth.account.stages.EmailVerificationStage"


class ProvisionedAccountsVerificationStage(EmailVerificationStage):
    """Mandatory verification for every address on record; none to verify, none asked.

    Self-sign-up always records an address, so a new account cannot skip the
    check. An account with no address at all was provisioned by an agency or
    an institution (or loaded as a demo account), which vouches for the person.
    """

    def handle(self) -> tuple[Any, bool]:
        user = self.login.user
        if user is not None and not EmailAddress.objects.filter(user_id=user.pk).exists():
            return None, True
        return super().handle()


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The wording the site always used (and people know) for a failed login.
        "username_password_mismatch": _(
            "Please enter a correct user name and password. Both fields may be case-sensitive."
        ),
    }

    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        here = f"{__name__}.ProvisionedAccountsVerificationStage"
        return [here if s == _ALLAUTH_VERIFICATION else s for s in stages]


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "This code is wrong or has already been used. Enter the current code shown "
            "by your authenticator app, or an unused recovery code."
        ),
    }

    def get_totp_issuer(self) -> str:
        return "OpenRD"

    def can_delete_authenticator(self, authenticator: Any) -> bool:
        # A privileged person would only be sent back to set it up again.
        return not requires_mfa(authenticator.user)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: Exception | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        # A forged or replayed ``state``, a refused consent, a provider error:
        # allauth shows its error page; the attempt goes to the audit log.
        with transaction.atomic():
            audit.record(
                "accounts.social.failed",
                actor=request.user if request.user.is_authenticated else None,
                object_type="socialaccount.provider",
                object_repr=str(getattr(provider, "id", "")),
                after={"provider": str(getattr(provider, "id", "")), "error": str(error or "")},
                request=request,
            )
        super().on_authentication_error(request, provider, error, exception, extra_context)
