"""Reads of disclosures. Each person sees their own; the command tower sees all.

Institution officers and agency staff see the version frozen in a submitted
proposal, through the proposals app and its permissions, not through here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openrd.accounts.models import Role
from openrd.core.decisions import Decision
from openrd.integrity.effort.queries import effort_facts
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.rules import Change, DisclosureFacts, diff_disclosures
from openrd.integrity.rules.effort import check_awarded_effort
from openrd.integrity.rules.registry import check_not_restricted
from openrd.integrity.sanctions.queries import restriction_facts

__all__ = [
    "DisclosureFacts",
    "award_decision",
    "disclosure_facts",
    "disclosure_history",
    "effort_facts",
    "history_with_previous",
    "latest_disclosure",
    "previous_version",
    "restriction_facts",
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


def previous_version(version: DisclosureVersion) -> DisclosureVersion | None:
    """The person's version before ``version`` (None for their first)."""
    return (
        DisclosureVersion.objects.filter(person_id=version.person_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def version_diff(version: DisclosureVersion) -> list[Change]:
    """What changed in ``version`` against the person's version before it."""
    previous = previous_version(version)
    return diff_disclosures(previous.content if previous else None, version.content)


def history_with_previous(
    person: Any,
) -> list[tuple[DisclosureVersion, DisclosureVersion | None]]:
    """Each version, newest first, with the one before it; one query for the whole history."""
    versions = list(disclosure_history(person).select_related("created_by"))
    return [
        (version, versions[index + 1] if index + 1 < len(versions) else None)
        for index, version in enumerate(versions)
    ]


def visible_versions(user: Any) -> QuerySet[DisclosureVersion]:
    """Versions ``user`` may read here: their own, or every one for the command tower."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return DisclosureVersion.objects.none()
    if Role.COMMAND_TOWER_ADMIN.value in user.role_codes():
        return DisclosureVersion.objects.all()
    return DisclosureVersion.objects.filter(person=user)


def award_decision(
    person: Any,
    *,
    fiscal_year: int,
    effort_percent: int | None,
    label: str = "",
    exclude_keys: tuple[str, ...] = (),
) -> Decision:
    """Whether ``person`` may receive an award in ``fiscal_year``: no restriction in the
    shared registry, and awarded effort no more than 100 % with this one."""
    return check_not_restricted(restriction_facts(person, fiscal_year=fiscal_year)) + (
        check_awarded_effort(
            effort_facts(
                person, adding_percent=effort_percent, adding_label=label, exclude_keys=exclude_keys
            )
        )
    )
