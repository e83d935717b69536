"""Reads of disclosures. Each person sees their own; the command tower sees all.

Institution officers and agency staff see the version frozen in a submitted
proposal, through the proposals app and its permissions, not through here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openrd.accounts.models import Role
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.rules import Change, DisclosureFacts, diff_disclosures

__all__ = [
    "DisclosureFacts",
    "disclosure_facts",
    "disclosure_history",
    "history_with_changes",
    "latest_disclosure",
    "version_diff",
    "visible_versions",
]


def latest_disclosure(person: Any) -> DisclosureVersion | None:
    """The person's current disclosure (highest number), or None before the first save."""
    return DisclosureVersion.objects.filter(person=person).order_by("-number").first()


def disclosure_history(person: Any) -> QuerySet[DisclosureVersion]:
    """Every version of the person's disclosure, newest first."""
    return DisclosureVersion.objects.filter(person=person).order_by("-number")


def disclosure_facts(person: Any) -> DisclosureFacts:
    latest = latest_disclosure(person)
    return DisclosureFacts(
        has_version=latest is not None,
        pledged=latest is not None and latest.pledged_at is not None,
    )


def version_diff(version: DisclosureVersion) -> list[Change]:
    """What changed in ``version`` against the person's version before it."""
    previous = (
        DisclosureVersion.objects.filter(person_id=version.person_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    return diff_disclosures(previous.content if previous else None, version.content)


def history_with_changes(person: Any) -> list[tuple[DisclosureVersion, list[Change]]]:
    """Each version, newest first, with its changes; one query for the whole history."""
    versions = list(disclosure_history(person).select_related("created_by"))
    out = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        out.append(
            (version, diff_disclosures(previous.content if previous else None, version.content))
        )
    return out


def visible_versions(user: Any) -> QuerySet[DisclosureVersion]:
    """Versions ``user`` may read here: their own, or every one for the command tower."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return DisclosureVersion.objects.none()
    if Role.COMMAND_TOWER_ADMIN.value in user.role_codes():
        return DisclosureVersion.objects.all()
    return DisclosureVersion.objects.filter(person=user)
