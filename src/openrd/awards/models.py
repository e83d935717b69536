"""Awards (funded projects, public records like KAKEN's), their budgets by Japanese
fiscal year, and their stage gates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.core.i18n import localized


class AwardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")
    COMPLETED = "completed", _("Completed")
    SPUN_OUT = "spun_out", _("Spun out")


class Award(models.Model):
    """A funded project: from a selected proposal, or (for projects that predate the
    platform, such as the seed's Moonshot projects) recorded directly."""

    grant_number = models.CharField(_("grant number"), max_length=40, unique=True)
    # 体系的番号 (Japan Grant Number), where the program has one, e.g. JPMJMS2011.
    japan_grant_number = models.CharField(_("Japan Grant Number"), max_length=40, blank=True)
    program = models.ForeignKey(
        "programs.Program",
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="awards",
    )
    # The program's element the project belongs to (a Moonshot goal, a SIP theme).
    element = models.ForeignKey(
        "programs.ProgramElement",
        verbose_name=_("goal or theme"),
        on_delete=models.PROTECT,
        related_name="awards",
        null=True,
        blank=True,
    )
    call = models.ForeignKey(
        "programs.Call",
        verbose_name=_("call"),
        on_delete=models.PROTECT,
        related_name="awards",
        null=True,
        blank=True,
    )
    proposal = models.OneToOneField(
        "proposals.Proposal",
        verbose_name=_("proposal"),
        on_delete=models.PROTECT,
        related_name="award",
        null=True,
        blank=True,
    )
    title_ja = models.CharField(_("title (Japanese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    pi = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("principal investigator"),
        on_delete=models.PROTECT,
        related_name="awards",
        null=True,
        blank=True,
    )
    # The PI's name as published (also for projects whose PI has no account here).
    pi_name_ja = models.CharField(_("principal investigator (Japanese)"), max_length=200)
    pi_name_en = models.CharField(_("principal investigator (English)"), max_length=200, blank=True)
    institution = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="awards",
    )
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("program manager (PM)"),
        on_delete=models.PROTECT,
        related_name="managed_awards",
        null=True,
        blank=True,
    )
    # In a staged program (SBIR), the earlier phase's award this one continues.
    previous_award = models.ForeignKey(
        "self",
        verbose_name=_("continues the award"),
        on_delete=models.PROTECT,
        related_name="next_phases",
        null=True,
        blank=True,
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=16, choices=AwardStatus.choices, default=AwardStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["program", "grant_number"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        indexes = [
            models.Index(fields=["program", "grant_number"], name="award_program_number"),
            # The awards starting in a fiscal year, in the order the command tower lists them.
            models.Index(fields=["starts_on", "grant_number"], name="award_start_number"),
            models.Index(
                fields=["program", "starts_on", "grant_number"], name="award_program_start"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="award_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant_number} {self.title}"

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)

    @property
    def pi_name(self) -> str:
        return localized(self.pi_name_ja, self.pi_name_en)


class AwardBudget(models.Model):
    """The award's budget for one Japanese fiscal year, with what was carried over
    into it from the year before (繰越)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="budget_lines")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    amount_yen = models.BigIntegerField(_("amount (yen)"))
    carried_over_yen = models.BigIntegerField(
        _("carried over from the year before (yen)"), default=0
    )

    class Meta:
        ordering = ["award", "fiscal_year"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        # A fiscal year's largest budgets first (the command tower's drill-downs).
        indexes = [
            models.Index(fields=["fiscal_year", "-amount_yen"], name="award_budget_fy_amount")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "fiscal_year"], name="one_award_budget_per_year"
            ),
            models.CheckConstraint(
                condition=Q(amount_yen__gte=0) & Q(carried_over_yen__gte=0),
                name="award_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year}: {self.amount_yen}"


class GateOutcome(models.TextChoices):
    PENDING = "pending", _("Not evaluated yet")
    CONTINUE = "continue", pgettext_lazy("stage gate", "Continue")
    MODIFY = "modify", _("Continue with changes")
    TERMINATE = "terminate", _("Terminate")
    SPIN_OUT = "spin_out", _("Spin out")


class StageGate(models.Model):
    """One evaluation of the award on the program's gate schedule (ステージゲート)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="stage_gates")
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("outcome"), max_length=16, choices=GateOutcome.choices, default=GateOutcome.PENDING
    )
    reasons = models.TextField(_("reasons"), blank=True)
    # What "continue with changes" changed: the new budget or scope, in words.
    changes = models.TextField(_("changes to budget or scope"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("evaluated"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["award", "due_on", "id"]
        verbose_name = _("stage gate")
        verbose_name_plural = _("stage gates")

    def __str__(self) -> str:
        return localized(self.name_ja, self.name_en)

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)


class ReportKind(models.TextChoices):
    PROGRESS = "progress", _("Progress report")  # 年次報告書
    FINAL = "final", _("Final report")  # 終了報告書（実績報告書）


class ReportStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("award report", "Not submitted")
    SUBMITTED = "submitted", pgettext_lazy("award report", "Submitted")
    ACCEPTED = "accepted", pgettext_lazy("award report", "Accepted")
    RETURNED = "returned", pgettext_lazy("award report", "Returned")


REPORT_BODY_MAX = 20_000


class AwardReport(models.Model):
    """A report the PI owes on the award: one progress report per fiscal year but the
    last (年次報告), and the final report (終了報告); accepted or returned by the
    staff of an agency that runs the program. Not public."""

    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    # The fiscal year a progress report covers; none for the final report.
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DUE
    )
    body = models.TextField(_("report"), max_length=REPORT_BODY_MAX, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    return_comment = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["award", "due_on", "id"]
        verbose_name = _("award report")
        verbose_name_plural = _("award reports")
        indexes = [models.Index(fields=["status", "due_on"], name="award_report_status_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "kind", "fiscal_year"], name="one_award_report_per_year"
            ),
            # NULL fiscal years are distinct in a unique index: one final report, said apart.
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(kind="final"),
                name="one_final_report_per_award",
            ),
            models.CheckConstraint(
                condition=(Q(kind="progress") & Q(fiscal_year__isnull=False))
                | (Q(kind="final") & Q(fiscal_year__isnull=True)),
                name="award_report_year_for_progress_only",
            ),
        ]

    def __str__(self) -> str:
        year = f" FY{self.fiscal_year}" if self.fiscal_year else ""
        return f"{self.award.grant_number} {self.kind}{year}"


class MemberRole(models.TextChoices):
    PI = "pi", _("Principal investigator")
    CO_INVESTIGATOR = "co_investigator", _("Co-investigator")


MEMBER_SHARE_MAX = 100


class AwardMember(models.Model):
    """A person on the award with their share of its budget: the principal
    investigator and the co-investigators (研究分担者). Public, like KAKEN's
    records; the names and institution are kept as published, also for people
    without an account here."""

    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("award member", "account"),
        on_delete=models.PROTECT,
        related_name="award_memberships",
        null=True,
        blank=True,
    )
    name_ja = models.CharField(pgettext_lazy("person", "name (Japanese)"), max_length=200)
    name_en = models.CharField(
        pgettext_lazy("person", "name (English)"), max_length=200, blank=True
    )
    institution = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    institution_name = models.CharField(_("institution as published"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices)
    share_percent = models.PositiveSmallIntegerField(_("share of the budget (%)"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["award", "order", "id"]
        verbose_name = _("award member")
        verbose_name_plural = _("award members")
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__lte=MEMBER_SHARE_MAX), name="award_member_share_max"
            ),
            models.UniqueConstraint(
                fields=["award"], condition=Q(role="pi"), name="one_pi_per_award"
            ),
            models.UniqueConstraint(
                fields=["award", "person"],
                condition=Q(person__isnull=False),
                name="award_member_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.share_percent}%)"

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)

    @property
    def institution_label(self) -> str:
        """The institution as published, else the linked organisation's name."""
        if self.institution_name:
            return self.institution_name
        return self.institution.name if self.institution is not None else ""


class MatchingFund(models.Model):
    """Industry's contribution to an award for one fiscal year (SIP's マッチングファンド):
    what a company put in beside the public budget."""

    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="matching_funds"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    # The company's name as recorded, also when it has no organisation here.
    contributor = models.CharField(_("contributor"), max_length=200)
    contributor_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("contributing organisation"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    amount_yen = models.BigIntegerField(_("amount (yen)"))
    note = models.TextField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["award", "fiscal_year", "id"]
        verbose_name = _("matching fund")
        verbose_name_plural = _("matching funds")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_yen__gte=0), name="matching_fund_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.contributor}: {self.amount_yen}"
