"""Who may do what with programs and their calls. Reading programs is public."""

from __future__ import annotations

from typing import Any

import rules

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_command_tower_admin
from openrd.accounts.queries import is_active_user, role_organisation_ids
from openrd.programs.models import Call, CallStatus, Program


@rules.predicate
def is_staff_of_program_agency(user: Any, program: Any) -> bool:
    """Agency staff of one of the agencies that run the program."""
    if program is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role_assignments.filter(
        role=Role.AGENCY_STAFF, organisation__in=program.agencies.all()
    ).exists()


def staff_agency_ids(user: Any) -> frozenset[int]:
    """The agencies whose staff the user is (none for visitors and inactive accounts)."""
    return role_organisation_ids(user, Role.AGENCY_STAFF)


@rules.predicate
def is_staff_of_call_agency(user: Any, obj: Any) -> bool:
    """For a call: staff of the agency running it (not of any agency of its program,
    since each agency answers for its own calls). For a program: staff of one of
    the agencies that run it, who may open calls under it."""
    if isinstance(obj, Call):
        return obj.agency_id is not None and obj.agency_id in staff_agency_ids(user)
    if isinstance(obj, Program):
        return is_active_user(user) and bool(is_staff_of_program_agency(user, obj))
    return False


@rules.predicate
def is_published_call(user: Any, call: Any) -> bool:
    return isinstance(call, Call) and call.status != CallStatus.DRAFT


can_manage_call = is_command_tower_admin | is_staff_of_call_agency

rules.add_perm("programs.view_program", rules.always_allow)
rules.add_perm("programs.record_figure", is_command_tower_admin | is_staff_of_program_agency)
rules.add_perm("programs.load_presets", is_command_tower_admin)
rules.add_perm("programs.manage_call", can_manage_call)
rules.add_perm("programs.view_call", is_published_call | can_manage_call)
