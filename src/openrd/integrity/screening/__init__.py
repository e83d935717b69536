"""Duplication and over-concentration screening across the platform's proposals and awards."""
