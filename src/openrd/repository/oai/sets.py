"""The set hierarchy: ``institution:<code>``, ``program:<code>``, ``type:<key>``
(``records.set_specs``), named in Japanese, and a request's set as a filter."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import translation

from openrd.accounts.models import Organisation
from openrd.programs.models import Program
from openrd.repository.queries import harvestable
from openrd.repository.vocabularies import RESOURCE_TYPES


@dataclass(frozen=True)
class OaiSet:
    spec: str
    name: str


def all_sets() -> list[OaiSet]:
    """Every set holding at least one harvestable record, sorted by spec; when the
    repository is empty, the resource types it knows (a ListSets is never empty)."""
    records = harvestable()
    found: list[OaiSet] = []
    institutions = Organisation.objects.filter(
        Exists(records.filter(institution_id=OuterRef("pk")))
    ).values_list("code", "name_ja", "name_en")
    found += [OaiSet(f"institution:{c}", ja or en) for c, ja, en in institutions]
    programs = Program.objects.filter(
        Exists(records.filter(program_id=OuterRef("pk")))
    ).values_list("code", "name_ja", "name_en")
    found += [OaiSet(f"program:{c}", ja or en) for c, ja, en in programs]
    used = set(records.order_by().values_list("resource_type", flat=True).distinct())
    with translation.override("ja"):
        types = [
            OaiSet(f"type:{key}", str(term.label))
            for key, term in RESOURCE_TYPES.items()
            if key in used or not used
        ]
    return sorted(found + types, key=lambda s: s.spec)


def set_filter(spec: str) -> Q | None:
    """The records of set ``spec``, or None for a set that does not exist.

    An organisation or a program is looked up first, so the filter is on the
    column the partial index (…, datestamp, id) starts with."""
    kind, _, code = spec.partition(":")
    if not code:
        return None
    if kind == "institution":
        pk = Organisation.objects.filter(code=code).values_list("pk", flat=True).first()
        return Q(institution_id=pk) if pk is not None else None
    if kind == "program":
        pk = Program.objects.filter(code=code).values_list("pk", flat=True).first()
        return Q(program_id=pk) if pk is not None else None
    if kind == "type" and code in RESOURCE_TYPES:
        return Q(resource_type=code)
    return None
