"""Reads of accounts data."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet

from openrd.accounts.models import ApiToken, Role, User


def signed_in_user(request: Any) -> User:
    """The account behind a request that ``login_required`` or the API's auth let
    through: for the services' ``actor``, which is always an account."""
    return cast(User, request.user)


def is_active_user(user: Any) -> bool:
    """A signed-in, active account (visitors and deactivated accounts are not)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def role_organisation_ids(user: Any, role: Role) -> frozenset[int]:
    """The organisations for which the user holds ``role`` (none for visitors and
    inactive accounts)."""
    if not is_active_user(user):
        return frozenset()
    return frozenset(
        user.role_assignments.filter(role=role, organisation__isnull=False).values_list(
            "organisation_id", flat=True
        )
    )


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's tokens that have not been revoked (expired ones included), newest first."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)
