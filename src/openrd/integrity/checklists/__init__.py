"""Integrity checklists: versioned templates, yearly completion, the agencies' view."""
