"""Who may do what with the strategy. Reading it is public: the strategy, its
measures, indicators, targets and confirmed values are the government's own
published follow-up."""

from __future__ import annotations

from typing import Any

import rules

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_command_tower_admin, is_ministry
from openrd.accounts.queries import role_organisation_ids


def responsible_organisation_ids(indicator: Any) -> frozenset[int]:
    """The ministries named on the indicator's measure, and the indicator's owner."""
    ids = set(indicator.measure.ministries.values_list("organisation_id", flat=True))
    if indicator.owner_id:
        ids.add(indicator.owner_id)
    return frozenset(ids)


@rules.predicate
def is_responsible_ministry(user: Any, indicator: Any) -> bool:
    """A ministry official of a ministry responsible for the indicator's measure."""
    if indicator is None:
        return False
    mine = role_organisation_ids(user, Role.MINISTRY)
    return bool(mine) and not mine.isdisjoint(responsible_organisation_ids(indicator))


@rules.predicate
def is_measure_ministry(user: Any, measure: Any) -> bool:
    """A ministry official of a ministry named on the measure (primary or collaborating)."""
    if measure is None:
        return False
    mine = role_organisation_ids(user, Role.MINISTRY)
    return any(m.organisation_id in mine for m in measure.ministries.all())


@rules.predicate
def is_official_of(user: Any, ministry: Any) -> bool:
    """A ministry official of that ministry (its own specified subsidies)."""
    return ministry is not None and ministry.pk in role_organisation_ids(user, Role.MINISTRY)


rules.add_perm("strategy.view_strategy", rules.always_allow)
rules.add_perm("strategy.load_strategy", is_command_tower_admin)
rules.add_perm("strategy.record_observation", is_command_tower_admin | is_responsible_ministry)
# A file may hold any indicator's values: each row is then checked as one entry.
rules.add_perm("strategy.import_values", is_command_tower_admin | is_ministry)
# The Cabinet's policy counts each ministry's subsidies: the command tower keeps the
# list, and a ministry enters its own subsidies and plans (object: the ministry).
rules.add_perm("strategy.tag_subsidy", is_command_tower_admin | (is_ministry & is_official_of))
# The yearly follow-up: written by a ministry named on the measure, reviewed and
# approved (and the year's report frozen) by the command tower.
rules.add_perm("strategy.write_follow_up", is_ministry & is_measure_ministry)
rules.add_perm("strategy.review_follow_up", is_command_tower_admin)
