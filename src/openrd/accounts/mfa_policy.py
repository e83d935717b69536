"""Who must use a second factor, and whether this session has passed it.

Privileged roles decide about money, people and other people's proposals, so
their accounts need more than a password (docs/adr/0020-sign-in-with-allauth-and-mfa.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from openrd.accounts.models import Role

PRIVILEGED_ROLES = frozenset(
    {
        Role.INSTITUTION_OFFICER,
        Role.REVIEWER,
        Role.PROGRAM_MANAGER,
        Role.PROGRAM_DIRECTOR,
        Role.AGENCY_STAFF,
        Role.INTEGRITY_OFFICER,
        Role.MINISTRY,
        Role.COMMAND_TOWER_ADMIN,
        Role.CURATOR,
    }
)


def is_privileged(role_codes: Iterable[str], *, is_superuser: bool) -> bool:
    """Pure: a superuser, or anyone holding one of the privileged roles."""
    return is_superuser or not PRIVILEGED_ROLES.isdisjoint(role_codes)


def requires_mfa(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return is_privileged(user.role_codes(), is_superuser=user.is_superuser)


def passed_mfa(records: Iterable[Mapping[str, Any]]) -> bool:
    """Pure: whether a session's authentication records include a second factor."""
    return any(r.get("method") == "mfa" for r in records)
