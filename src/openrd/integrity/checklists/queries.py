"""Reads of integrity checklists."""
