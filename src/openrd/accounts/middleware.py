"""Privileged people get nowhere without their second factor; sessions are tracked."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from openrd.accounts.mfa_policy import passed_mfa, requires_mfa

# The pages a privileged person may reach before the second factor: setting
# it up or entering it, and leaving. Everything else waits.
_OPEN_URL_NAMES = frozenset(
    {
        "logout",
        "account_logout",
        "account_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_reauthenticate_webauthn",
        "mfa_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "set_language",
        "healthz",
    }
)


def _is_open(request: HttpRequest) -> bool:
    if request.path.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # a 404 shows nothing
    return match.url_name in _OPEN_URL_NAMES


class RequireMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            requires_mfa(user)
            and not passed_mfa(get_authentication_records(request, user))
            and not _is_open(request)
        ):
            if not is_mfa_enabled(user):
                return redirect("mfa_activate_totp")
            # MFA set up, but this session never asked for it (it began before).
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)


# A session's address and "last seen" are refreshed at most this often, so a
# signed-in page view is not a database write every time.
SEEN_INTERVAL = 300


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.session.session_key
        if (
            request.user.is_authenticated
            and key
            and cache.add(f"openrd:session-seen:{key}", 1, timeout=SEEN_INTERVAL)
        ):
            UserSession.objects.create_from_request(request)
        return self.get_response(request)
