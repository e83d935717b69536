"""A person's research-integrity disclosure, kept as numbered, immutable versions."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openrd.integrity.rules import Disclosure


class DisclosureIsImmutable(Exception):
    """Raised when code tries to change a saved disclosure version."""


class DisclosureVersionQuerySet(models.QuerySet["DisclosureVersion"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise DisclosureIsImmutable("disclosure versions cannot be updated in bulk")

    def delete(self) -> NoReturn:
        raise DisclosureIsImmutable("disclosure versions cannot be deleted")


class DisclosureVersion(models.Model):
    """One state of a person's disclosure: funding and positions, as they stood.

    Content never changes once saved: an edit creates version N+1, and a submitted
    proposal points at the version it was submitted with, so the institution and
    the agency always see exactly what was declared.

    The pledge is recorded on the version it covers: ``pledged_at`` and
    ``pledge_text_version`` may be set once, on a version not yet pledged, and
    never changed afterwards. Because content changes make a new, unpledged
    version, every change has to be pledged again.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="disclosure_versions",
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    fundings = models.JSONField(_("research funding"), default=list, blank=True)
    positions = models.JSONField(_("positions"), default=list, blank=True)
    pledged_at = models.DateTimeField(_("pledged at"), null=True, blank=True)
    pledge_text_version = models.CharField(_("pledge wording"), max_length=20, blank=True)

    objects = DisclosureVersionQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-number"]
        verbose_name = _("disclosure version")
        verbose_name_plural = _("disclosure versions")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "number"], name="unique_disclosure_version_number"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="disclosure_version_from_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            self._refuse_all_but_a_first_pledge(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise DisclosureIsImmutable("disclosure versions cannot be deleted")

    @property
    def content(self) -> Disclosure:
        return Disclosure.from_json({"fundings": self.fundings, "positions": self.positions})

    def _refuse_all_but_a_first_pledge(self, update_fields: Any) -> None:
        if update_fields is None or set(update_fields) - {"pledged_at", "pledge_text_version"}:
            raise DisclosureIsImmutable("a disclosure version's content cannot be changed")
        stored = type(self)._default_manager.filter(pk=self.pk).values("pledged_at").first()
        if stored is None or stored["pledged_at"] is not None:
            raise DisclosureIsImmutable("a pledge, once recorded, cannot be changed")


# The other tables, each in a module named for what it holds.
from openrd.integrity.models_checklist import ChecklistCompletion, ChecklistKind  # noqa: E402
from openrd.integrity.models_effort import CommitmentSource, EffortCommitment  # noqa: E402
from openrd.integrity.models_sanction import Sanction  # noqa: E402
from openrd.integrity.models_screening import (  # noqa: E402
    FlagKind,
    FlagStatus,
    RunStatus,
    ScreenedKind,
    ScreeningDocument,
    ScreeningFlag,
    ScreeningRun,
    ScreeningThreshold,
)

__all__ = [
    "ChecklistCompletion",
    "ChecklistKind",
    "CommitmentSource",
    "DisclosureIsImmutable",
    "DisclosureVersion",
    "EffortCommitment",
    "FlagKind",
    "FlagStatus",
    "RunStatus",
    "Sanction",
    "ScreenedKind",
    "ScreeningDocument",
    "ScreeningFlag",
    "ScreeningRun",
    "ScreeningThreshold",
]
