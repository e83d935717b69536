"""Schemas the program and call endpoints share."""

from __future__ import annotations

from ninja import Schema


class RuleTextOut(Schema):
    text: str
    source: str
