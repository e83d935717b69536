"""How allauth signs people in here (docs/adr/0020-sign-in-with-allauth-and-mfa.md)."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from openrd.accounts import saml, saml_accounts, saml_errors
from openrd.accounts.mfa_policy import requires_mfa
from openrd.core import audit

_ALLAUTH_VERIFICATION = "allauth.account.stages.EmailVerificationStage"
# The mail server did not take the message now (refused, down, unreachable).
MAIL_SERVER_DOWN = (smtplib.SMTPException, OSError)

MAIL_NOT_SENT = _(
    "The e-mail could not be sent just now. Please try again in a few minutes; "
    "if it keeps failing, contact the help desk."
)

log = logging.getLogger(__name__)


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

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's mail (verification, password reset), sent while the person
        waits: a mail server that does not answer is said on the page, where
        allauth offers to send again, and logged; never a 500. These mails carry
        one-time keys, so they are not kept in the outbox for a later retry."""
        try:
            super().send_mail(template_prefix, email, context)
        except MAIL_SERVER_DOWN as exc:
            log.warning("account mail %s not sent: %s", template_prefix, exc)
            request = context.get("request") or getattr(self, "request", None)
            if request is not None:
                messages.error(request, MAIL_NOT_SENT)
            mail = template_prefix.rsplit("/", 1)[-1]
            with transaction.atomic():
                audit.record(
                    "accounts.mail.failed",
                    object_type="accounts.mail",
                    object_repr=mail,
                    after={"mail": mail, "error": type(exc).__name__},
                    request=request,
                )

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
        # A privileged person keeps at least one factor (recovery codes alone are
        # a fallback, not a factor); removing the last would only send them
        # back to set one up again.
        if not requires_mfa(authenticator.user):
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id).exclude(
            pk=authenticator.pk
        )
        return others.exclude(type=Authenticator.Type.RECOVERY_CODES).exists()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """ORCID and SAML sign-in; SAML's linking policy lives in ``accounts.saml_accounts``."""

    def get_app(self, request: HttpRequest, provider: str, client_id: str | None = None) -> Any:
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            if provider != "saml" or not client_id:
                raise
        # A SAML address naming no configured IdP (allauth would answer a bare
        # 404): refused with a page saying so, and audited.
        with transaction.atomic():
            audit.record(
                "accounts.social.failed",
                actor=request.user if request.user.is_authenticated else None,
                object_type="socialaccount.provider",
                object_repr="saml",
                after={
                    "provider": "saml",
                    "idp": client_id[:64],
                    "error": saml_errors.UNKNOWN_IDP,
                },
                request=request,
            )
        raise ImmediateHttpResponse(saml.unknown_idp_response(request))

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        super().pre_social_login(request, sociallogin)
        if (
            saml_accounts.is_saml(sociallogin)
            and not sociallogin.is_existing
            and sociallogin.state.get("process") == AuthProcess.LOGIN
        ):
            user, how = saml_accounts.find_existing(sociallogin)
            if user is not None:
                saml_accounts.connect_existing(request, sociallogin, user, how)

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        if saml_accounts.is_saml(sociallogin):
            saml_accounts.fill_new_user(user, sociallogin)
        return user

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        if not saml_accounts.is_saml(sociallogin):
            return super().save_user(request, sociallogin, form)
        # The account, its address, the SAML link, the position and the audit
        # entry: all of them or none.
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            saml_accounts.after_new_user(request, user, sociallogin)
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: Exception | None = None,
        extra_context: dict[str, Any] | None = None,
    ) -> None:
        # A forged or replayed ``state``, a refused consent, a provider error, a
        # SAML response that failed a check: allauth shows its error page; the
        # attempt goes to the audit log (the kind of failure, never the response).
        provider_id = str(getattr(provider, "id", ""))
        after = {"provider": provider_id, "error": str(error or "")}
        if provider_id == "saml" and extra_context is not None:
            problem = extra_context.get("saml_problem") or (
                saml_errors.classify(
                    extra_context.get("saml_last_error_reason"),
                    extra_context.get("saml_errors", []),
                )
                if extra_context.get("saml_errors")
                else saml_errors.UNSOLICITED
            )
            reason = str(
                extra_context.get("saml_reason")
                or extra_context.get("saml_last_error_reason")
                or ""
            )
            # The page shows the sentence for the kind of failure only.
            extra_context.update(saml_problem=problem, saml_message=saml_errors.message(problem))
            after.update(idp=str(provider.app.client_id), error=problem, reason=reason[:200])
        with transaction.atomic():
            audit.record(
                "accounts.social.failed",
                actor=request.user if request.user.is_authenticated else None,
                object_type="socialaccount.provider",
                object_repr=provider_id,
                after=after,
                request=request,
            )
        super().on_authentication_error(request, provider, error, exception, extra_context)
