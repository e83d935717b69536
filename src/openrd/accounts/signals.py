"""Logins, logouts, failed logins, lock-outs and second-factor events go to the audit log."""

from __future__ import annotations

from typing import Any

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.signals import user_signed_up
from allauth.mfa import signals as mfa_signals
from allauth.socialaccount.signals import social_account_added, social_account_updated
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from openrd.accounts.security import link_orcid
from openrd.accounts.throttling import LOCKED_OUT, is_new_lockout
from openrd.core import audit
from openrd.core.access import record_bounded
from openrd.core.client_ip import client_ip

# Longest user name kept: the field allows 150; anything longer is not a name.
_NAME = 150


@receiver(user_logged_in, dispatch_uid="openrd.audit.login")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record("accounts.login", actor=user, obj=user, request=request)


@receiver(user_logged_in, dispatch_uid="openrd.sign_in_is_a_confirmation")
def sign_in_is_a_confirmation(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    # allauth only trusts an explicit "confirm your password" for sensitive steps,
    # so an officer who has just signed in with both factors would be asked again
    # at the first endorsement. The factors of the sign-in itself are as fresh a
    # proof: they count, and ACCOUNT_REAUTHENTICATION_TIMEOUT runs from them.
    session = getattr(request, "session", None)
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY) if session is not None else None
    if isinstance(records, list) and records:
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [  # type: ignore[index]
            {**r, "reauthenticated": True} if isinstance(r, dict) else r for r in records
        ]


@receiver(user_logged_out, dispatch_uid="openrd.audit.logout")
def audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record("accounts.logout", actor=user, obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="openrd.audit.login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the user name tried: never the password (nor anything else sent).
    username = str(credentials.get("username") or "")[:_NAME]
    entry: dict[str, Any] = {"object_type": "accounts.user", "object_repr": username,
             "after": {"username": username}, "request": request}  # fmt: skip
    if getattr(request, "axes_locked_out", False) and not is_new_lockout(request):
        # Retries against a lock: bounded like access denials, or a script
        # hammering the login page would grow the log without limit.
        record_bounded("accounts.login.refused", key=(client_ip(request) or "-", username), **entry)
        return
    audit.record("accounts.login.failed", **entry)


@receiver(user_locked_out, dispatch_uid="openrd.audit.locked_out")
def audit_locked_out(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    if not is_new_lockout(request):
        return
    name = str(username or "")[:_NAME]
    audit.record(LOCKED_OUT, object_type="accounts.user", object_repr=name,
                 after={"username": name}, request=request)  # fmt: skip


def _mfa_entry(action: str, request: HttpRequest | None, user: Any, authenticator: Any) -> None:
    # The kind of factor only: never a secret, a code or a recovery code. allauth
    # sends some of these after its commit, so the entry has its own transaction.
    with transaction.atomic():
        audit.record(action, actor=user, obj=user, request=request,
                     after={"type": str(getattr(authenticator, "type", ""))})  # fmt: skip


@receiver(mfa_signals.authenticator_added, dispatch_uid="openrd.audit.mfa_added")
def audit_mfa_added(sender: Any, request: HttpRequest, user: Any, authenticator: Any,
                    **kwargs: Any) -> None:  # fmt: skip
    _mfa_entry("accounts.mfa.added", request, user, authenticator)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="openrd.audit.mfa_removed")
def audit_mfa_removed(sender: Any, request: HttpRequest, user: Any, authenticator: Any,
                      **kwargs: Any) -> None:  # fmt: skip
    _mfa_entry("accounts.mfa.removed", request, user, authenticator)


@receiver(mfa_signals.authenticator_reset, dispatch_uid="openrd.audit.mfa_reset")
def audit_mfa_reset(sender: Any, request: HttpRequest, user: Any, authenticator: Any,
                    **kwargs: Any) -> None:  # fmt: skip
    _mfa_entry("accounts.mfa.reset", request, user, authenticator)


@receiver(mfa_signals.authentication_failed, dispatch_uid="openrd.audit.mfa_failed")
def audit_mfa_failed(sender: Any, request: HttpRequest, user: Any, authenticator: Any = None,
                     **kwargs: Any) -> None:  # fmt: skip
    # A wrong or reused code: each one, as it may be someone holding the password.
    again = bool(kwargs.get("reauthentication", False))
    audit.record("accounts.mfa.failed", actor=user, obj=user, request=request,
                 after={"reauthentication": again})  # fmt: skip


def _orcid_from(sociallogin: Any) -> str | None:
    account = getattr(sociallogin, "account", None)
    return account.uid if account is not None and account.provider == "orcid" else None


@receiver(social_account_added, dispatch_uid="openrd.orcid.linked")
@receiver(social_account_updated, dispatch_uid="openrd.orcid.signed_in")
def orcid_linked(sender: Any, request: HttpRequest, sociallogin: Any, **kwargs: Any) -> None:
    orcid = _orcid_from(sociallogin)
    if orcid:
        link_orcid(sociallogin.user, orcid, request=request)


@receiver(user_signed_up, dispatch_uid="openrd.orcid.signed_up")
def orcid_signed_up(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    orcid = _orcid_from(kwargs.get("sociallogin"))
    if orcid:
        link_orcid(user, orcid, request=request)
