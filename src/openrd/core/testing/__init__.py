"""Helpers for the test suites (not imported by the running site)."""
