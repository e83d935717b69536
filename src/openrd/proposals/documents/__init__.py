"""A submitted version as a document: its receipt number, its read-only page and its PDF."""
