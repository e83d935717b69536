"""The living demo: reference organisations, the seed's programs, demo accounts."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.db import transaction

from openrd.accounts.models import Organisation, User
from openrd.accounts.services import (
    add_affiliation,
    assign_role,
    create_user,
    load_organisations,
    upsert_organisation,
)
from openrd.programs.services import load_presets

DEMO_FILE = Path(__file__).resolve().parent / "demo_data.toml"
# Public on purpose: it is printed by the run command and written in the README.
DEMO_PASSWORD = "openrd-demo"  # noqa: S105


@transaction.atomic
def load_demo(path: Path = DEMO_FILE, *, password: str = DEMO_PASSWORD) -> dict[str, Any]:
    """Load everything a newcomer should see; safe to run on every start."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    load_organisations()
    for entry in data.get("organisations", []):
        fields = dict(entry)
        upsert_organisation(code=fields.pop("code"), **fields)
    programs = load_presets()
    created = []
    for entry in data.get("users", []):
        if User.objects.filter(username=entry["username"]).exists():
            continue
        created.append(_create_demo_user(entry, password))
    return {"programs": [p.code for p, _ in programs], "users_created": created}


def _org(code: str) -> Organisation | None:
    return Organisation.objects.get(code=code) if code else None


def _create_demo_user(entry: dict[str, Any], password: str) -> str:
    fields = {
        k: entry[k]
        for k in ("name_ja", "name_en", "name_kana", "orcid", "erad_researcher_number")
        if k in entry
    }
    user = create_user(
        username=entry["username"],
        password=password,
        organisation=_org(entry.get("organisation", "")),
        is_staff=bool(entry.get("staff", False)),
        is_superuser=bool(entry.get("staff", False)),
        **fields,
    )
    for role, org_code in entry.get("roles", []):
        assign_role(user, role, organisation=_org(org_code))
    for aff in entry.get("affiliations", []):
        position: dict[str, Any] = dict(aff)
        organisation = _org(position.pop("organisation"))
        assert organisation is not None
        add_affiliation(user, organisation, **position)
    return user.username
