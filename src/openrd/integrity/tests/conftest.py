"""Integrity tests that need proposals use the proposals app's small world."""

from openrd.proposals.tests.conftest import world  # noqa: F401  (a fixture)
