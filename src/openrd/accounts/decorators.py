"""Steps that ask for the password (or second factor) again if the last was a while ago."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.http import HttpRequest


def _signed_in(request: HttpRequest) -> bool:
    # Someone not signed in gets the view's own answer (a 404, a login page).
    return bool(request.user.is_authenticated)


def sensitive(view: Callable[..., Any]) -> Callable[..., Any]:
    """Within ACCOUNT_REAUTHENTICATION_TIMEOUT of signing in, or asked again first.

    A POST interrupted for it is kept and carried out once the person has
    confirmed (allauth resumes it), so nothing typed is lost.
    """
    return reauthentication_required(view, enabled=_signed_in)
