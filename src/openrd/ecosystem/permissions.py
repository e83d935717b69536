"""Who may do what with companies. Reading a company's facts and assessments is
public (like the national corporate registries); a company's officers declare
its own facts; registry documents and snapshots are the staff's to record."""

from __future__ import annotations

from typing import Any

import rules

from openrd.accounts.models import OrganisationKind, Role
from openrd.accounts.permissions import (
    is_agency_staff,
    is_command_tower_admin,
    is_institution_officer,
    is_ministry,
)
from openrd.accounts.queries import role_organisation_ids


@rules.predicate
def is_company_officer(user: Any, company: Any) -> bool:
    """An institution officer of the company's own organisation on the platform."""
    if company is None or company.organisation_id is None:
        return False
    return company.organisation_id in role_organisation_ids(user, Role.INSTITUTION_OFFICER)


rules.add_perm("ecosystem.view_company", rules.always_allow)
rules.add_perm("ecosystem.manage_companies", is_command_tower_admin | is_agency_staff)
rules.add_perm(
    "ecosystem.declare_fact", is_company_officer | is_command_tower_admin | is_agency_staff
)
rules.add_perm("ecosystem.record_registry_fact", is_command_tower_admin | is_agency_staff)


@rules.predicate
def is_official_of(user: Any, organisation: Any) -> bool:
    """A ministry official of that organisation (their own ministry's challenges)."""
    return organisation is not None and organisation.pk in role_organisation_ids(
        user, Role.MINISTRY
    )


@rules.predicate
def is_municipal_officer_of(user: Any, organisation: Any) -> bool:
    """An officer of that municipality on the platform (its own challenges)."""
    return (
        organisation is not None
        and organisation.kind == OrganisationKind.MUNICIPALITY
        and organisation.pk in role_organisation_ids(user, Role.INSTITUTION_OFFICER)
    )


# The owner of a challenge: a ministry's official, a municipality's officer, the command tower.
owns_challenges = (
    is_command_tower_admin | (is_ministry & is_official_of)
    | (is_institution_officer & is_municipal_officer_of)
)  # fmt: skip
rules.add_perm("ecosystem.post_challenge", owns_challenges)
rules.add_perm("ecosystem.decide_response", owns_challenges)
# A company's officers propose for it, withdraw its proposals and keep its profile.
rules.add_perm("ecosystem.respond_to_challenge", is_company_officer)
rules.add_perm(
    "ecosystem.edit_profile", is_company_officer | is_command_tower_admin | is_agency_staff
)


@rules.predicate
def is_topic_owner(user: Any, call: Any) -> bool:
    """A ministry official of the call's presenting ministry, or staff of its agency."""
    if call is None:
        return False
    return call.presenting_ministry_id in role_organisation_ids(
        user, Role.MINISTRY
    ) or call.agency_id in role_organisation_ids(user, Role.AGENCY_STAFF)


@rules.predicate
def keeps_roadmap(user: Any, award: Any) -> bool:
    """The project's own company (its officers), or staff of the agency funding it."""
    if award is None:
        return False
    if award.institution_id in role_organisation_ids(user, Role.INSTITUTION_OFFICER):
        return True
    agency = award.call.agency_id if award.call_id else None
    return agency is not None and agency in role_organisation_ids(user, Role.AGENCY_STAFF)


rules.add_perm("ecosystem.define_topic", is_command_tower_admin | is_topic_owner)
rules.add_perm("ecosystem.keep_roadmap", is_command_tower_admin | keeps_roadmap)
# The acceleration programs' cohorts and the support organisations on record.
rules.add_perm("ecosystem.manage_accelerators", is_command_tower_admin | is_ministry)
