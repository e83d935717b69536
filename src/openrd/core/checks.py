"""Deployment checks that Django's own --deploy checks do not cover.

``manage.py check --deploy`` runs them before the production server starts
(``python3 tasks.py run --prod``); any error stops the start. The demo accounts
are checked by the portal app, which is the one that knows them
(``openrd.portal.checks``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

DEMO_SECRET_KEY_PREFIX = "insecure-openrd-local-demo-key"  # noqa: S105  (public on purpose)


@register(Tags.security, deploy=True)
def check_debug_off(app_configs: Any, **kwargs: Any) -> list[Error]:
    # Django only warns (security.W018); a debug page shows settings and source
    # to anyone, so a deployment with it on must not start at all.
    if settings.DEBUG:
        return [
            Error(
                "DEBUG is on in a deployment.",
                hint="Set OPENRD_DEBUG=0.",
                id="openrd.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_demo_secret_key(app_configs: Any, **kwargs: Any) -> list[Error]:
    # The demo key is public (it is in the repository), so a production
    # server using it would let anyone forge sessions. In debug mode it is the
    # expected local set-up, and check_debug_off already refuses the deployment.
    if not settings.DEBUG and settings.SECRET_KEY.startswith(DEMO_SECRET_KEY_PREFIX):
        return [
            Error(
                "OPENRD_SECRET_KEY is not set: the public demo key is in use.",
                hint="Set OPENRD_SECRET_KEY to a long random value.",
                id="openrd.E001",
            )
        ]
    return []
