"""Deployment checks that Django's own --deploy checks do not cover."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_demo_secret_key(app_configs: Any, **kwargs: Any) -> list[Error]:
    # The demo key is public (it is in the repository), so a production
    # server using it would let anyone forge sessions.
    if settings.SECRET_KEY.startswith("insecure-openrd-local-demo-key"):
        return [
            Error(
                "OPENRD_SECRET_KEY is not set: the public demo key is in use.",
                hint="Set OPENRD_SECRET_KEY to a long random value.",
                id="openrd.E001",
            )
        ]
    return []
