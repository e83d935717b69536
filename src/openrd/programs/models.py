"""Funding programs (制度) and the structure and figures their presets declare."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.accounts.models import Organisation
from openrd.core.i18n import localized
from openrd.core.validators import validate_plain_text, validate_yen_amount


class ProgramKind(models.TextChoices):
    SIP = "sip", _("SIP")
    MOONSHOT = "moonshot", _("Moonshot")
    K_PROGRAM = "k_program", _("K Program")
    SBIR = "sbir", _("Japanese SBIR")
    UNIVERSITY_FUND = "university_fund", _("University fund")
    REGIONAL_UNIVERSITY = "regional_university", _("Regional core university package")
    STARTUP_ACCELERATOR = "startup_accelerator", _("Global startup accelerator")
    GSUC = "gsuc", _("Global Startup Campus")
    OTHER = "other", _("Other")


class Program(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ProgramKind.choices)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    short_name_ja = models.CharField(_("short name (Japanese)"), max_length=100, blank=True)
    short_name_en = models.CharField(_("short name (English)"), max_length=100, blank=True)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_programs",
    )
    agencies = models.ManyToManyField(
        Organisation, verbose_name=_("funding agencies"), blank=True, related_name="programs"
    )
    # The preset's [rules] table as loaded; read through programs.rules.ProgramRules.
    rules = models.JSONField(_("rules"), default=dict, blank=True)
    seed_line = models.PositiveIntegerField(_("source line"), null=True, blank=True)
    seed_text = models.CharField(_("source excerpt"), max_length=300, blank=True)
    preset_digest = models.CharField(_("preset digest"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)

    @property
    def short_name(self) -> str:
        return localized(self.short_name_ja, self.short_name_en) or self.name

    @property
    def summary(self) -> str:
        return localized(self.summary_ja, self.summary_en)


class ElementKind(models.TextChoices):
    PERIOD = "period", pgettext_lazy("element", "Period")
    GOAL = "goal", _("Goal")
    TARGET = "target", _("Target")
    PROJECT = "project", _("Project")
    THEME = "theme", _("Theme")
    DOMAIN = "domain", _("Domain")
    VISION = "vision", _("Vision")
    TOPIC = "topic", _("Topic")
    VIEWPOINT = "viewpoint", _("Viewpoint")
    PHASE = "phase", _("Phase")
    STAGE_GATE = "stage_gate", _("Stage gate")
    EXIT_STRATEGY = "exit_strategy", _("Exit strategy")
    SUPPORT_MEASURE = "support_measure", _("Support measure")


class ProgramElement(models.Model):
    """One node of a program's structure: a goal, theme, topic, project, phase…"""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="elements"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ElementKind.choices)
    code = models.SlugField(_("code"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    order = models.IntegerField(_("order"), default=0)
    title_ja = models.TextField(_("title (Japanese)"))
    title_en = models.TextField(_("title (English)"), blank=True)
    body_ja = models.TextField(_("text (Japanese)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    attrs = models.JSONField(_("attributes"), default=dict, blank=True)
    seed_line = models.PositiveIntegerField(_("source line"), null=True, blank=True)
    seed_text = models.CharField(_("source excerpt"), max_length=300, blank=True)

    class Meta:
        ordering = ["program", "order", "code"]
        verbose_name = _("program element")
        verbose_name_plural = _("program elements")
        constraints = [
            models.UniqueConstraint(fields=["program", "code"], name="unique_element_code")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)

    @property
    def body(self) -> str:
        return localized(self.body_ja, self.body_en)


class FigureKind(models.TextChoices):
    BUDGET = "budget", _("Budget")
    FUND = "fund", _("Fund")
    SUPPLEMENTARY_BUDGET = "supplementary_budget", _("Supplementary budget")
    SPENDING_TARGET = "spending_target", _("Spending target")
    GOVERNMENT_INVESTMENT = "government_investment", _("Government investment")
    OTHER = "other", _("Other")


class ProgramFigure(models.Model):
    """A money figure of a program for one fiscal year, with the line it comes from."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="figures"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=FigureKind.choices)
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    # Null when the source states the amount without a fiscal year.
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    amount_yen = models.BigIntegerField(_("amount (yen)"))
    supplementary = models.BooleanField(_("supplementary budget"), default=False)
    seed_line = models.PositiveIntegerField(_("source line"), null=True, blank=True)
    seed_text = models.CharField(_("source excerpt"), max_length=300, blank=True)
    # Figures from the preset are rebuilt whenever the preset changes; figures
    # recorded later by an agency (next year's budget, say) are kept.
    from_preset = models.BooleanField(_("from the preset"), default=True)
    source_note = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["program", "fiscal_year", "kind", "id"]
        verbose_name = _("program figure")
        verbose_name_plural = _("program figures")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_yen__gte=0), name="figure_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=1868) & Q(fiscal_year__lte=2200),
                name="figure_fiscal_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.code} FY{self.fiscal_year or '-'} {self.label}"

    @property
    def label(self) -> str:
        return localized(self.label_ja, self.label_en)


class CallStatus(models.TextChoices):
    # A context keeps these short words apart from other apps' "Draft" or "Open".
    DRAFT = "draft", pgettext_lazy("call status", "Draft")
    OPEN = "open", pgettext_lazy("call status", "Open")
    CLOSED = "closed", pgettext_lazy("call status", "Closed")


class CallPhase(models.TextChoices):
    """Where a call stands at a given moment: its status read against its window."""

    DRAFT = "draft", pgettext_lazy("call status", "Draft")
    UPCOMING = "upcoming", pgettext_lazy("call status", "Opening soon")
    OPEN = "open", pgettext_lazy("call status", "Open")
    CLOSED = "closed", pgettext_lazy("call status", "Closed")


# The structure elements a call may be opened under: an SBIR phase, a Moonshot
# goal, a K Program technology topic, a theme. Periods, viewpoints and support
# measures describe how a program runs, not what it funds.
CALL_TOPIC_KINDS = (ElementKind.GOAL, ElementKind.THEME, ElementKind.TOPIC, ElementKind.PHASE)


class Call(models.Model):
    """A call for proposals (公募) under one program, run by one funding agency."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="calls"
    )
    topic = models.ForeignKey(
        ProgramElement,
        verbose_name=pgettext_lazy("call", "topic"),
        null=True,
        blank=True,
        # A preset reload keeps elements in place by code and refuses to drop
        # one that a call still points at, so a call never loses its topic.
        on_delete=models.PROTECT,
        related_name="calls",
    )
    agency = models.ForeignKey(
        Organisation,
        verbose_name=_("funding agency"),
        on_delete=models.PROTECT,
        related_name="calls_run",
    )
    presenting_ministry = models.ForeignKey(
        Organisation,
        verbose_name=_("presenting ministry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls_presented",
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_ja = models.CharField(
        _("title (Japanese)"), max_length=300, validators=[validate_plain_text]
    )
    title_en = models.CharField(
        _("title (English)"), max_length=300, blank=True, validators=[validate_plain_text]
    )
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), validators=[MinValueValidator(1868), MaxValueValidator(2200)]
    )
    first_budget_year = models.PositiveSmallIntegerField(
        _("first budget year"), validators=[MinValueValidator(1868), MaxValueValidator(2200)]
    )
    last_budget_year = models.PositiveSmallIntegerField(
        _("last budget year"), validators=[MinValueValidator(1868), MaxValueValidator(2200)]
    )
    total_budget_yen = models.BigIntegerField(
        _("total budget (yen)"), validators=[validate_yen_amount]
    )
    cap_per_proposal_yen = models.BigIntegerField(
        _("cap per proposal (yen)"), validators=[validate_yen_amount]
    )
    # Narrows the program's [rules] for this call; read through programs.rules.call_rules.
    eligibility = models.JSONField(_("eligibility"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-opens_at", "code"]
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        # The call list: public calls by deadline, overall and per program.
        indexes = [
            models.Index(fields=["status", "closes_at", "id"], name="call_list_status_deadline"),
            models.Index(fields=["program", "closes_at"], name="call_list_program_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_it_opens"
            ),
            models.CheckConstraint(
                condition=Q(last_budget_year__gte=F("first_budget_year")),
                name="call_budget_years_in_order",
            ),
            models.CheckConstraint(
                condition=Q(total_budget_yen__gte=0) & Q(cap_per_proposal_yen__gte=0),
                name="call_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(cap_per_proposal_yen__lte=F("total_budget_yen")),
                name="call_cap_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)

    @property
    def summary(self) -> str:
        return localized(self.summary_ja, self.summary_en)


class CallItem(models.Model):
    """What a call's documents and criteria share: a code and a bilingual name, in order."""

    code = models.SlugField(_("code"), max_length=64)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["call", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)


class CallDocument(CallItem):
    """A document an applicant submits with a proposal (研究計画書, 予算計画書…)."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="documents"
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta(CallItem.Meta):
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="unique_call_document_code")
        ]


class CallCriterion(CallItem):
    """A review criterion with its weight; a call's weights add up to 100."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria"
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta(CallItem.Meta):
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "code"], name="unique_call_criterion_code")
        ]
