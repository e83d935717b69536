"""Test helpers: a client session as allauth leaves it after each sign-in step."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

# allauth ties the records to the user they were made for (its own key).
_USER_KEY = "account_authentication_methods_user"


def mark_mfa_passed(client: Any, *, user: Any) -> None:
    """Record, just now, a password step and a confirmed TOTP step for ``user``.

    What a person has after signing in with a second factor and confirming it
    for a sensitive step (allauth asks again after ACCOUNT_REAUTHENTICATION_TIMEOUT).
    """
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "username": user.get_username()},
        {"method": "mfa", "at": now, "type": "totp", "reauthenticated": True},
    ]
    session[_USER_KEY] = str(user.pk)
    session.save()
