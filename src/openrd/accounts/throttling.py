"""Login throttling on top of django-axes (docs/adr/0013-login-throttling-and-client-address.md).

Two limits, both counted per client address (``openrd.core.client_ip``):
``AXES_FAILURE_LIMIT`` failures for one user name, and the higher
``OPENRD_LOGIN_ADDRESS_FAILURE_LIMIT`` failures for any user names (password
spraying). Axes compares one failure count with one limit, so this handler
scales each group's count to the first limit. The cool-off doubles with every
lock-out of the address in the last day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openrd.core.client_ip import client_ip
from openrd.core.models import AuditEntry

LOCKED_OUT = "accounts.login.locked_out"


def _max_cool_off() -> dt.timedelta:
    return dt.timedelta(hours=settings.OPENRD_LOGIN_MAX_COOLOFF_HOURS)


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    """15 minutes, doubled for each earlier lock-out of the address within a day.

    A function of the address alone, so every request from it (and the clean-up
    of its attempts) agrees on the same window.
    """
    base = dt.timedelta(minutes=settings.OPENRD_LOGIN_COOLOFF_MINUTES)
    address = client_ip(request)
    if address is None:
        return base
    lockouts = AuditEntry.objects.filter(
        action=LOCKED_OUT, ip_address=address, at__gte=timezone.now() - dt.timedelta(days=1)
    ).count()
    return min(base * 2 ** max(lockouts - 1, 0), _max_cool_off())


def _limit(parameters: str | list[str]) -> int:
    if parameters == "ip_address" or parameters == ["ip_address"]:
        return int(settings.OPENRD_LOGIN_ADDRESS_FAILURE_LIMIT)
    return int(settings.AXES_FAILURE_LIMIT)


class LoginThrottleHandler(AxesDatabaseHandler):
    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # Each parameter group has its own limit; ``f * base // limit`` reaches
        # the base limit exactly when ``f`` reaches the group's limit.
        base = int(settings.AXES_FAILURE_LIMIT)
        groups = get_lockout_parameters(request, credentials)
        worst = 0
        for parameters, attempts in zip(
            groups, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, failures * base // _limit(parameters))
        return worst

    def clean_expired_user_attempts(
        self, request: Any = None, credentials: dict[str, Any] | None = None
    ) -> int:
        # Axes would delete everyone's attempts older than *this* client's
        # cool-off, which ends a longer lock-out of another address early.
        # Here: this address's attempts past its own window, and anything
        # older than the longest possible cool-off.
        count, _ = AccessAttempt.objects.filter(
            attempt_time__lte=timezone.now() - _max_cool_off()
        ).delete()
        address = getattr(request, "axes_ip_address", None)
        if address:
            mine, _ = AccessAttempt.objects.filter(
                ip_address=address, attempt_time__lte=get_cool_off_threshold(request)
            ).delete()
            count += mine
        return count

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # A successful login forgives that user's failures only; the address's
        # count stays, or a sprayer could reset it with an account of their own.
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The bilingual lock-out page, naming the actual cool-off (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(cool_off(request).total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


def is_new_lockout(request: Any) -> bool:
    """Whether this failure is the one that reached the limit (not a retry while locked).

    The scaled failure count grows by at most one per failure, so it passes
    through the limit exactly once per lock-out.
    """
    return getattr(request, "axes_failures_since_start", None) == settings.AXES_FAILURE_LIMIT
