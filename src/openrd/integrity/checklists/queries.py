"""Reads of integrity checklists: a subject's checklist for a fiscal year, who may fill
which, the agencies' completion list and the facts the submission rule reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from openrd.accounts.models import Organisation, OrganisationKind, Role
from openrd.accounts.queries import is_active_user, role_organisation_ids
from openrd.integrity.models import ChecklistCompletion, ChecklistKind
from openrd.integrity.rules.checklists import ChecklistFacts, checklist_fiscal_year

# Who applies for research funding; ministries, agencies and municipalities keep no
# institution checklist.
INSTITUTION_KINDS = (
    OrganisationKind.UNIVERSITY,
    OrganisationKind.NATIONAL_LAB,
    OrganisationKind.COMPANY,
    OrganisationKind.STARTUP,
    OrganisationKind.OTHER,
)


def researcher_checklist(person: Any, fiscal_year: int) -> ChecklistCompletion | None:
    return ChecklistCompletion.objects.filter(
        kind=ChecklistKind.RESEARCHER, person=person, fiscal_year=fiscal_year
    ).first()


def institution_checklist(
    organisation: Organisation, fiscal_year: int
) -> ChecklistCompletion | None:
    return ChecklistCompletion.objects.filter(
        kind=ChecklistKind.INSTITUTION, organisation=organisation, fiscal_year=fiscal_year
    ).first()


def may_fill_researcher_checklist(user: Any) -> bool:
    """A researcher fills in their own checklist, nobody else's."""
    return is_active_user(user) and Role.RESEARCHER in user.role_codes()


def officer_institutions(user: Any) -> QuerySet[Organisation]:
    """The institutions whose checklist ``user`` fills in as their institution officer
    (one query: the officer's roles are a subquery)."""
    if not is_active_user(user):
        return Organisation.objects.none()
    officer_of = user.role_assignments.filter(
        role=Role.INSTITUTION_OFFICER, organisation__isnull=False
    ).values("organisation_id")
    return Organisation.objects.filter(pk__in=officer_of, kind__in=INSTITUTION_KINDS).order_by(
        "code"
    )


def may_fill_institution_checklist(user: Any, organisation: Organisation) -> bool:
    return organisation.pk in role_organisation_ids(user, Role.INSTITUTION_OFFICER)


def may_see_completion(user: Any) -> bool:
    """Agency staff see which institutions have completed theirs (public-sector facts)."""
    return bool(role_organisation_ids(user, Role.AGENCY_STAFF))


@dataclass(frozen=True)
class InstitutionStatus:
    organisation: Organisation
    completion: ChecklistCompletion | None

    @property
    def status(self) -> str:
        if self.completion is None:
            return "not_started"
        return "completed" if self.completion.completed_at else "draft"


def institution_statuses(fiscal_year: int, *, kind: str = "") -> list[InstitutionStatus]:
    """Every applying institution with its checklist for ``fiscal_year``: two queries."""
    kinds = [kind] if kind in INSTITUTION_KINDS else list(INSTITUTION_KINDS)
    organisations = list(Organisation.objects.filter(kind__in=kinds).order_by("kind", "code"))
    completions = {
        c.organisation_id: c
        for c in ChecklistCompletion.objects.filter(
            kind=ChecklistKind.INSTITUTION,
            fiscal_year=fiscal_year,
            organisation__in=[o.pk for o in organisations],
        )
    }
    return [InstitutionStatus(o, completions.get(o.pk)) for o in organisations]


def submission_checklist_facts(
    organisation: Organisation, *, required: bool, now: datetime
) -> ChecklistFacts:
    """Whether ``organisation`` has completed this fiscal year's institution checklist
    (one query, and none when the program does not require it)."""
    fiscal_year = checklist_fiscal_year(now)
    completed = required and (
        ChecklistCompletion.objects.filter(
            kind=ChecklistKind.INSTITUTION,
            organisation=organisation,
            fiscal_year=fiscal_year,
            completed_at__isnull=False,
        ).exists()
    )
    return ChecklistFacts(
        required=required,
        fiscal_year=fiscal_year,
        completed=completed,
        institution_name=organisation.name,
    )
