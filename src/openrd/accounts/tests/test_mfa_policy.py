"""Who must use a second factor (pure: no database)."""

import pytest

from openrd.accounts.mfa_policy import PRIVILEGED_ROLES, is_privileged, passed_mfa
from openrd.accounts.models import Role


@pytest.mark.parametrize("role", sorted(PRIVILEGED_ROLES))
def test_each_privileged_role_needs_mfa(role):
    assert is_privileged({role}, is_superuser=False)


def test_the_privileged_roles_are_every_role_but_researcher():
    assert set(Role.values) - PRIVILEGED_ROLES == {Role.RESEARCHER}


def test_a_researcher_does_not_and_a_superuser_does():
    assert not is_privileged({Role.RESEARCHER}, is_superuser=False)
    assert not is_privileged(set(), is_superuser=False)
    assert is_privileged(set(), is_superuser=True)


def test_only_a_second_factor_record_counts_as_passed():
    assert not passed_mfa([])
    assert not passed_mfa([{"method": "password", "at": 1.0}])
    assert passed_mfa([{"method": "password", "at": 1.0}, {"method": "mfa", "type": "totp"}])
