"""Reads of screening: who may see which flags, runs and thresholds.

One audience, declared here once: the agency staff and integrity officers of the
flag's agency (their role assigned for that organisation). Everyone else sees
nothing; a flag asked for by id answers 404 with an audit entry.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openrd.accounts.models import Organisation, Role
from openrd.accounts.queries import role_organisation_ids
from openrd.integrity.models import (
    ScreenedKind,
    ScreeningDocument,
    ScreeningFlag,
    ScreeningRun,
    ScreeningThreshold,
)

SCREENING_ROLES = (Role.AGENCY_STAFF, Role.INTEGRITY_OFFICER)


def screening_agency_ids(user: Any) -> frozenset[int]:
    """The agencies whose flags ``user`` may see and review."""
    ids: frozenset[int] = frozenset()
    for role in SCREENING_ROLES:
        ids |= role_organisation_ids(user, role)
    return ids


def screening_agencies(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=screening_agency_ids(user)).order_by("code")


def visible_flags(user: Any) -> QuerySet[ScreeningFlag]:
    return ScreeningFlag.objects.filter(agency_id__in=screening_agency_ids(user))


def filtered_flags(
    user: Any, *, status: str = "", kind: str = "", call: str = ""
) -> QuerySet[ScreeningFlag]:
    rows = visible_flags(user).select_related("agency", "person")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if call:
        rows = rows.filter(call_code=call)
    return rows.order_by("-created_at", "-id")


def visible_runs(user: Any) -> QuerySet[ScreeningRun]:
    return ScreeningRun.objects.filter(agency_id__in=screening_agency_ids(user)).select_related(
        "agency"
    )


def call_codes(agency_ids: frozenset[int]) -> list[tuple[int, str]]:
    """The (agency, call) pairs with proposals in the corpus, for the run form."""
    return list(
        ScreeningDocument.objects.filter(
            agency_id__in=agency_ids, kind=ScreenedKind.PROPOSAL, active=True
        )
        .exclude(call_code="")
        .values_list("agency_id", "call_code")
        .distinct()
        .order_by("agency_id", "call_code")
    )


def thresholds_of(agency: Organisation) -> ScreeningThreshold | None:
    return ScreeningThreshold.objects.filter(agency=agency).first()
