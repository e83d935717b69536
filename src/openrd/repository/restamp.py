"""Records that read another app's names get new datestamps when those change.

A public record reads some of its metadata live: the institution's and the
funder's names and ROR, the program's name, the award's title and numbers. When
one of those changes, what harvesters see has changed, so every published
output that shows it gets a new datestamp (OAI-PMH ``from`` finds it again, and
its kept rendering goes stale). The owning apps know nothing of outputs, so the
repository listens to their saves — ``upsert_organisation``, ``load_presets``
and the award services all save through the model — and compares only the
fields a record shows: a change elsewhere (a website, a budget) moves nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from openrd.accounts.models import Organisation
from openrd.awards.models import Award
from openrd.programs.models import Program

# What records.build_record reads from each model, beside the output's own rows.
SHOWN: dict[type[models.Model], tuple[str, ...]] = {
    Organisation: ("name_ja", "name_en", "ror_id", "erad_funder_code", "crossref_funder_id"),
    Program: ("name_ja", "name_en"),
    Award: ("title_ja", "title_en", "japan_grant_number", "grant_number", "call_id"),
}


def showing(obj: models.Model) -> Q:
    """The outputs whose public record shows ``obj`` (a superset is harmless:
    a harvester fetches the same record again)."""
    if isinstance(obj, Organisation):
        return (
            Q(institution=obj)
            | Q(funder=obj)
            | Q(creators__affiliation=obj)
            | Q(award__call__agency=obj)
            | Q(other_awards__call__agency=obj)
            # An award without a call names its program's first agency.
            | Q(award__call__isnull=True, award__program__agencies=obj)
            | Q(other_awards__call__isnull=True, other_awards__program__agencies=obj)
        )
    if isinstance(obj, Program):
        return Q(program=obj) | Q(other_awards__program=obj)
    if isinstance(obj, Award):
        return Q(award=obj) | Q(other_awards=obj)
    raise TypeError(f"records do not show {type(obj).__name__}")


def restamp(obj: models.Model) -> int:
    """New datestamps for the published outputs that show ``obj``; how many."""
    from openrd.repository.models import Output

    ids = Output.objects.filter(showing(obj), published_at__isnull=False).values("pk")
    return Output.objects.filter(pk__in=ids).update(datestamp=timezone.now())


def _remember(
    sender: type[models.Model],
    instance: models.Model,
    raw: bool,
    update_fields: frozenset[str] | None,
    **_: Any,
) -> None:
    fields = SHOWN[sender]
    before = None
    touched = update_fields is None or any(
        f in update_fields or f.removesuffix("_id") in update_fields for f in fields
    )
    if not raw and touched and instance.pk is not None:
        before = sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()
    # Read back in _after_save on the same instance: None for a new row.
    instance._shown_before = before  # type: ignore[attr-defined]


def _after_save(sender: type[models.Model], instance: models.Model, **_: Any) -> None:
    before = getattr(instance, "_shown_before", None)
    if before is None:
        return  # new (nothing shows it yet) or loaded raw from a fixture
    if before != tuple(getattr(instance, f) for f in SHOWN[sender]):
        restamp(instance)


def connect() -> None:
    for model in SHOWN:
        uid = f"repository.restamp.{model._meta.label}"
        pre_save.connect(_remember, sender=model, dispatch_uid=uid + ".pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=uid + ".post")
