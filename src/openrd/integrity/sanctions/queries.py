"""Reads of the shared sanctions registry: who is restricted, and what is public."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from openrd.core.i18n import localized
from openrd.integrity.models import Sanction
from openrd.integrity.rules.registry import ActiveRestriction, RestrictionFacts
from openrd.integrity.sanctions.labels import offence_label


def in_force(fiscal_year: int) -> Q:
    """Sanctions, not lifted, whose restricted fiscal years include ``fiscal_year``."""
    return Q(
        lifted_at__isnull=True,
        first_fiscal_year__lte=fiscal_year,
        last_fiscal_year__gte=fiscal_year,
    )


def restriction_facts(person: Any, *, fiscal_year: int) -> RestrictionFacts:
    """Every agency's restriction on ``person`` in force in ``fiscal_year`` (reciprocity:
    the deciding agency does not matter)."""
    rows = (
        Sanction.objects.filter(in_force(fiscal_year), person=person)
        .select_related("agency")
        .order_by("last_fiscal_year", "pk")
    )
    return RestrictionFacts(
        fiscal_year=fiscal_year,
        restrictions=tuple(
            ActiveRestriction(
                sanction_id=s.pk,
                agency_name=s.agency.name,
                offence_label=offence_label(s.offence),
                first_fiscal_year=s.first_fiscal_year or 0,
                last_fiscal_year=s.last_fiscal_year or 0,
                source=s.source,
            )
            for s in rows
        ),
    )


def published_sanctions() -> QuerySet[Sanction]:
    """What the public page and ``GET /api/v1/sanctions`` show: published, not lifted."""
    return Sanction.objects.filter(published=True, lifted_at__isnull=True).select_related("agency")


def person_name(sanction: Sanction) -> str:
    return localized(sanction.person_name_ja, sanction.person_name_en)
