"""Integrity checklists completed against a versioned template, once per fiscal year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ChecklistKind(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher checklist")
    INSTITUTION = "institution", _("Institution checklist")


class ChecklistCompletion(models.Model):
    """One researcher's or one institution's answers to a checklist template for a
    fiscal year. Saved as a draft (``completed_at`` empty) until completed, so
    nothing typed is lost; the template version it answers is kept with it."""

    kind = models.CharField(_("kind"), max_length=20, choices=ChecklistKind.choices)
    template_version = models.CharField(_("template version"), max_length=20)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("researcher"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integrity_checklists",
    )
    # item code -> {"answer": "yes" | "no" | "not_applicable", "note": str}
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("integrity checklist")
        verbose_name_plural = _("integrity checklists")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "organisation", "fiscal_year"],
                condition=Q(organisation__isnull=False),
                name="one_institution_checklist_per_year",
            ),
            models.UniqueConstraint(
                fields=["kind", "person", "fiscal_year"],
                condition=Q(person__isnull=False),
                name="one_researcher_checklist_per_year",
            ),
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(person__isnull=True))
                | (Q(organisation__isnull=True) & Q(person__isnull=False)),
                name="checklist_for_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} FY{self.fiscal_year} v{self.template_version}"
