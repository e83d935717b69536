"""The shared sanctions registry: one row per decided application restriction."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openrd.core.i18n import localized
from openrd.integrity.sanctions.labels import measure_label, offence_label, row_label


class Sanction(models.Model):
    """An authorised officer's decision on an offence, recorded by one agency and
    applied to every call on the platform for the same fiscal years (reciprocity).

    Written only by ``integrity.sanctions.services``. The names are copied as they
    stood at the decision, since the public page must show what was decided even
    if a profile changes later. A decision is never edited: it is lifted (e.g. set
    aside on appeal) with a reason, and both are audited.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="sanctions",
    )
    person_name_ja = models.CharField(_("name (Japanese)"), max_length=100, blank=True)
    person_name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    institution_name_ja = models.CharField(_("institution (Japanese)"), max_length=200, blank=True)
    institution_name_en = models.CharField(_("institution (English)"), max_length=200, blank=True)
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("deciding agency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    program_code = models.CharField(_("program"), max_length=64, blank=True)
    program_name_ja = models.CharField(_("program (Japanese)"), max_length=200, blank=True)
    program_name_en = models.CharField(_("program (English)"), max_length=200, blank=True)
    offence = models.CharField(_("offence"), max_length=40)
    role = models.CharField(_("role in the offence"), max_length=40)
    severity = models.CharField(_("severity"), max_length=20, blank=True)
    table_funder = models.CharField(_("table"), max_length=40)
    table_version = models.CharField(_("table version"), max_length=20)
    row_code = models.CharField(_("table row"), max_length=80)
    source = models.CharField(_("source"), max_length=500)
    years = models.PositiveSmallIntegerField(_("restriction (years)"))
    first_fiscal_year = models.PositiveSmallIntegerField(
        _("first restricted fiscal year"), null=True, blank=True
    )
    last_fiscal_year = models.PositiveSmallIntegerField(
        _("last restricted fiscal year"), null=True, blank=True
    )
    decided_on = models.DateField(_("decided on"))
    reasons = models.TextField(_("reasons"))
    # Measures beside the restriction: publication, rejection, revocation, refund.
    measures = models.JSONField(_("measures"), default=list, blank=True)
    refund_yen = models.BigIntegerField(_("refund (yen)"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_fiscal_year__isnull=True)
                | Q(last_fiscal_year__gte=models.F("first_fiscal_year")),
                name="sanction_period_in_order",
            ),
        ]
        indexes = [models.Index(fields=["person", "last_fiscal_year"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.offence} {self.years}y"

    @property
    def person_name(self) -> str:
        return localized(self.person_name_ja, self.person_name_en)

    @property
    def institution_name(self) -> str:
        return localized(self.institution_name_ja, self.institution_name_en)

    @property
    def program_name(self) -> str:
        return localized(self.program_name_ja, self.program_name_en) or self.program_code

    @property
    def offence_label(self) -> str:
        return offence_label(self.offence)

    @property
    def row_label(self) -> str:
        return row_label(self.table_funder, self.table_version, self.row_code)

    @property
    def measure_labels(self) -> list[str]:
        return [measure_label(m) for m in self.measures]
