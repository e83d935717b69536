"""The portal's pages show what the other apps hold: their fixtures, shared here."""

from openrd.proposals.tests.conftest import world  # noqa: F401  (a fixture, offered by name)
