"""The deploy check that refuses a production server holding the demo accounts.

The demo accounts (portal/demo_data.toml) share a password printed in the
README, so on a production server they are open doors, ``admin`` a superuser.
An account counts as a demo account when it can still sign in with that
password: a demo user name, or any superuser (a renamed ``admin`` is still the
demo's). Changing the password or deactivating the account clears it.
"""

from __future__ import annotations

import tomllib
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, register
from django.db import connection
from django.db.models import Q

from openrd.accounts.models import User
from openrd.portal.demo import DEMO_FILE, DEMO_PASSWORD


def demo_usernames() -> list[str]:
    data = tomllib.loads(DEMO_FILE.read_text(encoding="utf-8"))
    return [entry["username"] for entry in data.get("users", [])]


def accounts_with_demo_password() -> list[str]:
    """User names of active accounts that sign in with the demo password."""
    if User._meta.db_table not in connection.introspection.table_names():
        return []  # not migrated yet: no accounts at all
    candidates = User.objects.filter(
        Q(username__in=demo_usernames()) | Q(is_superuser=True), is_active=True
    ).order_by("username")
    # hashers.check_password with no setter: a check must never rewrite a hash.
    return [
        user.username
        for user in candidates
        if user.has_usable_password() and check_password(DEMO_PASSWORD, user.password)
    ]


@register(Tags.security, deploy=True)
def check_no_demo_accounts(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.DEBUG:
        return []  # the local demo is made of them; check_debug_off refuses the deployment
    found = accounts_with_demo_password()
    if not found:
        return []
    return [
        Error(
            "Accounts that sign in with the public demo password exist: " + ", ".join(found) + ".",
            hint=(
                "Use a database without the demo data, or give these accounts new passwords "
                "(manage.py changepassword NAME) or deactivate them."
            ),
            id="openrd.E003",
        )
    ]
