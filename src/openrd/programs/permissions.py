"""Who may do what with programs. Reading programs is public."""

from __future__ import annotations

from typing import Any

import rules

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_command_tower_admin


@rules.predicate
def is_staff_of_program_agency(user: Any, program: Any) -> bool:
    """Agency staff of one of the agencies that run the program."""
    if program is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role_assignments.filter(
        role=Role.AGENCY_STAFF, organisation__in=program.agencies.all()
    ).exists()


rules.add_perm("programs.view_program", rules.always_allow)
rules.add_perm("programs.record_figure", is_command_tower_admin | is_staff_of_program_agency)
rules.add_perm("programs.load_presets", is_command_tower_admin)
