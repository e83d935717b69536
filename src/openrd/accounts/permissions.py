"""Named predicates for roles, composed into permissions by every app.

Each app declares its own permissions in its ``permissions.py`` with
``rules.add_perm("<app>.<verb>_<noun>", predicate)``; templates and views ask
``user.has_perm(...)``, never ``user.is_staff``.
"""

from __future__ import annotations

from typing import Any

import rules

from openrd.accounts.models import Role
from openrd.accounts.queries import is_active_user


def _has_role(user: Any, role: Role) -> bool:
    return is_active_user(user) and role.value in user.role_codes()


def _role_predicate(role: Role) -> rules.Predicate:
    return rules.predicate(lambda user: _has_role(user, role), name=f"is_{role.value}")


is_researcher = _role_predicate(Role.RESEARCHER)
is_institution_officer = _role_predicate(Role.INSTITUTION_OFFICER)
is_reviewer = _role_predicate(Role.REVIEWER)
is_program_manager = _role_predicate(Role.PROGRAM_MANAGER)
is_program_director = _role_predicate(Role.PROGRAM_DIRECTOR)
is_agency_staff = _role_predicate(Role.AGENCY_STAFF)
is_integrity_officer = _role_predicate(Role.INTEGRITY_OFFICER)
is_ministry = _role_predicate(Role.MINISTRY)
is_command_tower_admin = _role_predicate(Role.COMMAND_TOWER_ADMIN)


@rules.predicate
def is_self(user: Any, person: Any) -> bool:
    return person is not None and getattr(user, "pk", None) == person.pk


rules.add_perm("accounts.view_person_profile", is_self | is_command_tower_admin)
rules.add_perm("accounts.change_person_profile", is_self)
rules.add_perm("accounts.view_audit_log", is_command_tower_admin)
rules.add_perm("accounts.manage_organisations", is_command_tower_admin)
