"""Peer review of endorsed proposals: the reviewer pool, conflicts of interest,
assignment, scoring and selection."""
