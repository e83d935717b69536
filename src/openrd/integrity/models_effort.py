"""Effort and funding commitments handed down by proposals and awards (the ledger's rows)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CommitmentSource(models.TextChoices):
    AWARD = "award", _("Award")
    PROPOSAL = "proposal", _("Proposal under review")


class EffortCommitment(models.Model):
    """A person's effort (エフォート) on one award or pending proposal on the platform,
    with its funding per fiscal year. Written only by ``integrity.effort.services``
    from the facts the proposals and awards apps hand down (``source_key`` names the
    record there, e.g. "award:12"); outside funding comes from the disclosure."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="effort_commitments",
    )
    source = models.CharField(_("source"), max_length=20, choices=CommitmentSource.choices)
    source_key = models.CharField(_("source record"), max_length=64)
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    program_code = models.CharField(_("program"), max_length=64, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=500, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    effort_percent = models.PositiveSmallIntegerField(_("effort (%)"))
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    # {"2026": yen, ...}: the person's funding by fiscal year, for over-concentration.
    amount_by_year = models.JSONField(_("funding by fiscal year"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("effort commitment")
        verbose_name_plural = _("effort commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "source_key"], name="one_commitment_per_person_and_record"
            ),
            models.CheckConstraint(condition=Q(effort_percent__lte=100), name="effort_at_most_100"),
        ]
        indexes = [models.Index(fields=["person", "active"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.source_key} {self.effort_percent}%"
