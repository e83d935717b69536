"""Duplication and over-concentration screening: the corpus, the flags, the runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScreenedKind(models.TextChoices):
    AWARD = "award", _("Award")
    PROPOSAL = "proposal", _("Proposal")


class ScreeningDocument(models.Model):
    """One award or pending proposal in the screening corpus (title and abstract).

    Handed down by the proposals and awards apps through
    ``integrity.screening.services``; the in-memory index follows this table by
    ``updated_at`` and ``text_sha256``, so it is updated, never rebuilt per check.
    """

    source_key = models.CharField(_("source record"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ScreenedKind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    call_code = models.CharField(_("call"), max_length=64, blank=True)
    program_code = models.CharField(_("program"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=1000, blank=True)
    text = models.TextField(_("text"))
    text_sha256 = models.CharField(max_length=64)
    fiscal_years = models.JSONField(_("fiscal years"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("screened document")
        verbose_name_plural = _("screened documents")

    def __str__(self) -> str:
        return self.source_key


class FlagKind(models.TextChoices):
    NEAR_DUPLICATE = "near_duplicate", _("Near-duplicate text")
    SAME_THEME = "same_theme", _("Same researcher, same theme")
    OVER_CONCENTRATION = "over_concentration", _("Over-concentration")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    CONFIRMED = "confirmed", _("Confirmed")


class ScreeningFlag(models.Model):
    """A finding about a proposal for the agency's staff, with its evidence. Nothing
    is rejected automatically: staff confirm or dismiss it, with a note."""

    proposal_key = models.CharField(_("proposal"), max_length=64)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    call_code = models.CharField(_("call"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=FlagKind.choices)
    matched_key = models.CharField(_("matched record"), max_length=64, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("found"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("screening flag")
        verbose_name_plural = _("screening flags")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal_key", "kind", "matched_key"], name="one_flag_per_finding"
            ),
        ]
        indexes = [models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return f"{self.proposal_key} {self.kind} {self.matched_key}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ScreeningRun(models.Model):
    """A whole call screened in the background, with its progress."""

    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    call_code = models.CharField(_("call"), max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("proposals"), default=0)
    done = models.PositiveIntegerField(_("screened"), default=0)
    flags_found = models.PositiveIntegerField(_("flags"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")

    def __str__(self) -> str:
        return f"{self.call_code} {self.status} {self.done}/{self.total}"


class ScreeningThreshold(models.Model):
    """The over-concentration thresholds an agency sets for its calls."""

    agency = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    max_yen_per_fiscal_year = models.BigIntegerField(
        _("most funding per researcher and fiscal year (yen)"), null=True, blank=True
    )
    max_effort_percent = models.PositiveSmallIntegerField(
        _("most effort on awards and proposals (%)"), null=True, blank=True
    )
    duplicate_cosine = models.FloatField(_("near-duplicate similarity"), default=0.6)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("screening threshold")
        verbose_name_plural = _("screening thresholds")

    def __str__(self) -> str:
        return f"{self.agency_id}"
