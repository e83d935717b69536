"""Logins, logouts, failed logins and lock-outs go to the audit log."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from openrd.accounts.throttling import LOCKED_OUT, is_new_lockout
from openrd.core import audit
from openrd.core.access import record_bounded
from openrd.core.client_ip import client_ip

# Longest user name kept: the field allows 150; anything longer is not a name.
_NAME = 150


@receiver(user_logged_in, dispatch_uid="openrd.audit.login")
def audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record("accounts.login", actor=user, obj=user, request=request)


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
