"""Who may edit and read a person's disclosure (the object is the person).

Institution officers and agency staff read the version frozen in a submitted
proposal through the proposals app's own permissions.
"""

from __future__ import annotations

import rules

from openrd.accounts.permissions import is_command_tower_admin, is_self

is_active_person = rules.is_authenticated & rules.is_active

rules.add_perm("integrity.edit_own_disclosure", is_active_person & is_self)
rules.add_perm("integrity.view_disclosure", (is_active_person & is_self) | is_command_tower_admin)
