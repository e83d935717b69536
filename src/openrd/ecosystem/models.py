"""Companies as sourced facts, and their eligibility as stored assessments.

A company's size and age are never a flag on a record: each fact (founding
date, capital, regular employees, main industry, control by large companies)
is a dated observation with its source — declared by the company, read from a
registry document, or imported from a public registry snapshot. What the
company is (SME, SBIR-eligible) is an assessment of those facts under a
versioned rule set (``rules.sme``), stored with the version, the facts it read,
its status and its reasons, and written again when the facts change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from openrd.core.i18n import localized
from openrd.core.validators import validate_corporate_number


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    CLOSED = "closed", _("closed")
    MERGED = "merged", _("merged into a successor")


class Company(models.Model):
    """A firm keyed on its corporate number (法人番号); an individual proprietor
    has none."""

    corporate_number = models.CharField(
        _("corporate number (法人番号)"), max_length=13, unique=True, null=True, blank=True,
        validators=[validate_corporate_number],
    )  # fmt: skip
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    individual = models.BooleanField(_("individual proprietor"), default=False)
    prefecture = models.CharField(_("prefecture"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("successor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="predecessors",
    )  # fmt: skip
    # What the company itself says it does (self-declared; matching reads it).
    description_ja = models.TextField(_("what the company does (Japanese)"), max_length=2000,
                                      blank=True)  # fmt: skip
    description_en = models.TextField(_("what the company does (English)"), max_length=2000,
                                      blank=True)  # fmt: skip
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    # The applicant on the platform, when the company applies for funding.
    organisation = models.OneToOneField(
        "accounts.Organisation", verbose_name=_("organisation on the platform"), null=True,
        blank=True, on_delete=models.PROTECT, related_name="company",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name_kana", "name_ja", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(individual=False) | Q(corporate_number__isnull=True),
                name="individual_has_no_corporate_number",
            )
        ]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)

    @property
    def description(self) -> str:
        return localized(self.description_ja, self.description_en)


class FactKind(models.TextChoices):
    FOUNDED_ON = "founded_on", _("founding date")
    CAPITAL_YEN = "capital_yen", _("capital (yen)")
    EMPLOYEES = "employees", _("regular employees")
    INDUSTRY = "industry", _("main industry")
    SINGLE_LARGE_SHARE = "single_large_share", _("largest holding of one large company")
    LARGE_TOTAL_SHARE = "large_total_share", _("holdings of large companies together")
    LARGE_OFFICERS_SHARE = "large_officers_share", _("officers from large companies")


class FactSource(models.TextChoices):
    # In increasing weight: a registry's word outranks a document, which outranks a declaration.
    SELF_DECLARED = "self_declared", _("declared by the company")
    REGISTRY_DOCUMENT = "registry_document", _("registry document")
    PUBLIC_REGISTRY = "public_registry", _("public registry snapshot")


SOURCE_WEIGHT = {FactSource.SELF_DECLARED: 0, FactSource.REGISTRY_DOCUMENT: 1,
                 FactSource.PUBLIC_REGISTRY: 2}  # fmt: skip


class DatePrecision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


class CompanyFact(models.Model):
    """One observed fact about the company, as of a date, from a source.
    ``value`` is the fact as text in a normal form: an ISO date, whole yen, a
    count, an industry code, or a share as a fraction ("1/3")."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="facts")
    kind = models.CharField(_("fact"), max_length=32, choices=FactKind.choices)
    value = models.CharField(_("value"), max_length=64)
    precision = models.CharField(
        _("precision"), max_length=8, choices=DatePrecision.choices, blank=True
    )
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=24, choices=FactSource.choices)
    source_ref = models.CharField(_("source document or snapshot"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    entered_at = models.DateTimeField(_("entered"), auto_now_add=True)

    class Meta:
        ordering = ["company", "kind", "-as_of", "-id"]
        indexes = [models.Index(fields=["company", "kind", "as_of"])]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "as_of", "source"], name="one_fact_per_kind_day_source"
            )
        ]
        verbose_name = _("company fact")
        verbose_name_plural = _("company facts")

    def __str__(self) -> str:
        return f"{self.company_id} {self.kind}={self.value} ({self.source}, {self.as_of})"


class EligibilityStatus(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")
    UNDETERMINED = "undetermined", _("not settled")


class EligibilityAssessment(models.Model):
    """A rule set's answer for the company at a time, never edited: a change of
    facts or rules writes a new one and the previous stops being current."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="assessments")
    rule = models.CharField(_("rule"), max_length=32)  # "sme", or a program's code
    version = models.CharField(_("rule set version"), max_length=40)
    status = models.CharField(_("status"), max_length=16, choices=EligibilityStatus.choices)
    small = models.BooleanField(_("small enterprise"), null=True, blank=True)
    facts = models.JSONField(_("facts read"))
    reasons = models.JSONField(_("reasons"))
    on = models.DateField(_("assessed for"))
    assessed_at = models.DateTimeField(_("assessed"), auto_now_add=True)
    current = models.BooleanField(_("current"), default=True)

    class Meta:
        ordering = ["company", "rule", "-assessed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "rule"], condition=Q(current=True),
                name="one_current_assessment_per_rule",
            )
        ]  # fmt: skip
        verbose_name = _("eligibility assessment")
        verbose_name_plural = _("eligibility assessments")

    def __str__(self) -> str:
        return f"{self.company_id} {self.rule} {self.version}: {self.status}"


class HubKind(models.TextChoices):
    GLOBAL = "global", _("global hub city")
    PROMOTION = "promotion", _("promotion hub city")


class HubConsortium(models.Model):
    """A startup ecosystem hub city's consortium (拠点都市), as the briefing names it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=HubKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    landmark = models.CharField(_("support facilities"), max_length=200, blank=True)
    selected_on = models.DateField(_("selected"))
    seed_line = models.PositiveIntegerField(_("seed line"))
    seed_text = models.CharField(_("seed excerpt"), max_length=300)
    sources = models.JSONField(_("sources"), default=dict, blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("hub city consortium")
        verbose_name_plural = _("hub city consortia")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)


class MemberKind(models.TextChoices):
    PREFECTURE = "prefecture", _("prefecture")
    MUNICIPALITY = "municipality", _("municipality")
    UNIVERSITY = "university", _("university")


class HubMember(models.Model):
    consortium = models.ForeignKey(HubConsortium, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(_("kind"), max_length=16, choices=MemberKind.choices)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    prefecture = models.CharField(_("prefecture"), max_length=10, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["consortium", "kind", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "kind", "name_ja"], name="one_member_per_name"
            )
        ]
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")

    def __str__(self) -> str:
        return f"{self.consortium.code}: {self.name_ja}"


class ChallengeKind(models.TextChoices):
    OPEN_INNOVATION = "open_innovation", _("Open Innovation Challenge")
    TRIAL_PROCUREMENT = "trial_procurement", _("trial procurement")


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open for proposals")
    CLOSED = "closed", _("closed")


class Challenge(models.Model):
    """A need a ministry or municipality posts for startups to answer (the Cabinet
    Office's Open Innovation Challenge, trial procurement), with the legal basis
    under which a pilot may become a contract."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    owner = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("owner"), on_delete=models.PROTECT,
        related_name="challenges",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=24, choices=ChallengeKind.choices)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    need_ja = models.TextField(_("the need (Japanese)"), max_length=4000)
    need_en = models.TextField(_("the need (English)"), max_length=4000, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    prefecture = models.CharField(_("prefecture"), max_length=10, blank=True)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    status = models.CharField(
        _("status"), max_length=16, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT
    )
    contract_basis = models.CharField(_("legal basis of a contract"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="challenge_closes_after_open"
            )
        ]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)

    @property
    def need(self) -> str:
        return localized(self.need_ja, self.need_en)


class ResponseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    SHORTLISTED = "shortlisted", _("shortlisted")
    PILOT = "pilot", _("in a pilot")
    CONTRACTED = "contracted", _("contracted")
    DECLINED = "declined", _("not taken forward")
    WITHDRAWN = "withdrawn", _("withdrawn")


class ChallengeResponse(models.Model):
    """A company's proposal to a challenge, and how far it went: shortlisted, a
    pilot, a contract under a named legal basis (``rules.responses``)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="responses")
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.PROTECT,
        related_name="challenge_responses",
    )  # fmt: skip
    proposal_ja = models.TextField(_("the proposal (Japanese)"), max_length=4000)
    proposal_en = models.TextField(_("the proposal (English)"), max_length=4000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ResponseStatus.choices,
        default=ResponseStatus.SUBMITTED,
    )  # fmt: skip
    note = models.TextField(_("the owner's note"), max_length=2000, blank=True)
    pilot_starts_on = models.DateField(_("pilot starts"), null=True, blank=True)
    contract_basis = models.CharField(_("legal basis of the contract"), max_length=40, blank=True)
    contracted_on = models.DateField(_("contract signed"), null=True, blank=True)
    contract_yen = models.BigIntegerField(_("contract amount (yen)"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    decided_at = models.DateTimeField(_("last decided"), null=True, blank=True)

    class Meta:
        ordering = ["challenge", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "company"], name="one_response_per_company"
            ),
            models.CheckConstraint(
                condition=Q(contract_yen__isnull=True) | Q(contract_yen__gte=0),
                name="response_contract_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["company", "status"], name="response_company_status")]
        verbose_name = _("proposal to a challenge")
        verbose_name_plural = _("proposals to challenges")

    def __str__(self) -> str:
        return f"{self.company} → {self.challenge}"

    @property
    def proposal(self) -> str:
        return localized(self.proposal_ja, self.proposal_en)


class TopicType(models.TextChoices):
    PROCUREMENT_NEED = "procurement_need", _("a procurement need of the State")
    SOCIAL_ISSUE = "social_issue", _("a social issue to solve")


class TopicMode(models.TextChoices):
    ONE_MINISTRY = "one_ministry", _("one ministry through every phase")
    HAND_OFF = "hand_off", _("handed off to another ministry for the next phase")


class SbirTopic(models.Model):
    """What an SBIR call's R&D topic is, as the unified rules ask (seed l.1172–1174):
    presented from a ministry's policy needs, of a procurement-need or social-issue
    type, run by a program manager, by one ministry or handed off to another for
    the next phase, under a designated subsidy or not."""

    call = models.OneToOneField(
        "programs.Call", verbose_name=_("call"), on_delete=models.CASCADE,
        related_name="sbir_topic",
    )  # fmt: skip
    topic_type = models.CharField(_("type of topic"), max_length=24, choices=TopicType.choices)
    designated = models.BooleanField(_("under a designated subsidy"), default=True)
    mode = models.CharField(
        _("how the phases are run"), max_length=16, choices=TopicMode.choices,
        default=TopicMode.ONE_MINISTRY,
    )  # fmt: skip
    hand_off_to = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("ministry taking over"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    program_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("program manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="sbir_topics",
    )  # fmt: skip
    pm_name_ja = models.CharField(_("program manager's name"), max_length=100)
    goal_ja = models.TextField(_("the procurement or use it leads to (Japanese)"),
                               max_length=2000)  # fmt: skip
    goal_en = models.TextField(_("the procurement or use it leads to (English)"),
                               max_length=2000, blank=True)  # fmt: skip
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="hand_off", hand_off_to__isnull=False)
                | Q(~Q(mode="hand_off"), hand_off_to__isnull=True),
                name="sbir_topic_hand_off_names_ministry",
            )
        ]
        verbose_name = _("SBIR topic")
        verbose_name_plural = _("SBIR topics")

    def __str__(self) -> str:
        return str(self.call)

    @property
    def goal(self) -> str:
        return localized(self.goal_ja, self.goal_en)


class MilestoneKind(models.TextChoices):
    TECHNOLOGY = "technology", _("technology")
    DEMONSTRATION = "demonstration", _("demonstration")
    CERTIFICATION = "certification", _("certification or standard")
    PROCUREMENT = "procurement", _("procurement by the State")
    MARKET = "market", _("sales on the market")


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ACHIEVED = "achieved", _("achieved")
    DELAYED = "delayed", _("delayed")
    DROPPED = "dropped", _("dropped")


class RoadmapMilestone(models.Model):
    """One step of a Phase 3 project's roadmap toward social implementation
    (seed l.1184), by fiscal year, with how it went."""

    award = models.ForeignKey(
        "awards.Award", verbose_name=_("award"), on_delete=models.CASCADE,
        related_name="roadmap",
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=16, choices=MilestoneKind.choices)
    title_ja = models.CharField(_("milestone (Japanese)"), max_length=200)
    title_en = models.CharField(_("milestone (English)"), max_length=200, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("target fiscal year"))
    status = models.CharField(
        _("status"), max_length=16, choices=MilestoneStatus.choices,
        default=MilestoneStatus.PLANNED,
    )  # fmt: skip
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["award", "order"]
        constraints = [
            models.UniqueConstraint(fields=["award", "order"], name="one_milestone_per_place"),
            models.CheckConstraint(
                condition=Q(status="achieved", achieved_on__isnull=False)
                | Q(~Q(status="achieved"), achieved_on__isnull=True),
                name="milestone_achieved_has_date",
            ),
        ]
        verbose_name = _("roadmap milestone")
        verbose_name_plural = _("roadmap milestones")

    def __str__(self) -> str:
        return f"{self.award} #{self.order}"

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)


class AcceleratorProgram(models.Model):
    """An acceleration program (the hub cities' landmark program, seed l.1140–1144)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    seed_line = models.PositiveIntegerField(_("seed line"))
    seed_text = models.CharField(_("seed excerpt"), max_length=300)

    class Meta:
        ordering = ["code"]
        verbose_name = _("acceleration program")
        verbose_name_plural = _("acceleration programs")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)

    @property
    def summary(self) -> str:
        return localized(self.summary_ja, self.summary_en)


class BudgetKind(models.TextChoices):
    INITIAL = "initial", _("initial budget")
    SUPPLEMENTARY = "supplementary", _("supplementary budget")


class AcceleratorBudget(models.Model):
    program = models.ForeignKey(AcceleratorProgram, on_delete=models.CASCADE,
                                related_name="budgets")  # fmt: skip
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    kind = models.CharField(_("kind"), max_length=16, choices=BudgetKind.choices)
    amount_yen = models.BigIntegerField(_("amount (yen)"))
    seed_line = models.PositiveIntegerField(_("seed line"))
    seed_text = models.CharField(_("seed excerpt"), max_length=300)

    class Meta:
        ordering = ["program", "fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "fiscal_year", "kind"], name="one_accelerator_budget"
            )
        ]
        verbose_name = _("acceleration program budget")
        verbose_name_plural = _("acceleration program budgets")

    def __str__(self) -> str:
        return f"{self.program} FY{self.fiscal_year} {self.kind}"


class Cohort(models.Model):
    """One round of an acceleration program: the startups taken in, the overseas
    accelerator that runs it, the hub city it serves."""

    program = models.ForeignKey(AcceleratorProgram, on_delete=models.PROTECT,
                                related_name="cohorts")  # fmt: skip
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    accelerator = models.CharField(_("accelerator running it"), max_length=200)
    hub = models.ForeignKey(
        HubConsortium, verbose_name=_("hub city"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cohorts",
    )  # fmt: skip
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    companies = models.ManyToManyField(Company, verbose_name=_("startups"), blank=True,
                                       related_name="cohorts")  # fmt: skip

    class Meta:
        ordering = ["-fiscal_year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            )
        ]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)


class SupportKind(models.TextChoices):
    VENTURE_CAPITAL = "venture_capital", _("venture capital")
    ACCELERATOR = "accelerator", _("accelerator or incubator")
    MUNICIPALITY = "municipality", _("municipality")
    UNIVERSITY = "university", _("university")
    FINANCIAL = "financial", _("bank or other financial institution")
    CORPORATE = "corporate", _("large company")
    PUBLIC_BODY = "public_body", _("public support body")
    OTHER = "other", _("other")


class SupportOrganisation(models.Model):
    """An organisation that supports startups, and whether it takes part in the
    support organisations' platform Plus (seed l.1077)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=SupportKind.choices)
    hub = models.ForeignKey(
        HubConsortium, verbose_name=_("hub city"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="support_organisations",
    )  # fmt: skip
    prefecture = models.CharField(_("prefecture"), max_length=10, blank=True)
    in_plus = models.BooleanField(_("takes part in Plus"), default=False)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("support organisation")
        verbose_name_plural = _("support organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)


class SbirAwardRecord(models.Model):
    """An SBIR award to the company from a public record (a ministry's list of
    selected firms, the SBIR site), not an award run on this platform: the
    phases a company reached elsewhere count as reached."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sbir_records")
    ministry = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("ministry"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    phase = models.PositiveSmallIntegerField(_("phase"))
    title_ja = models.CharField(_("title (Japanese)"), max_length=300)
    amount_yen = models.BigIntegerField(_("amount (yen)"), null=True, blank=True)
    source_ref = models.CharField(_("source"), max_length=200)
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        ordering = ["company", "fiscal_year", "phase", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "ministry", "fiscal_year", "phase", "title_ja"],
                name="one_sbir_record",
            ),
            models.CheckConstraint(
                condition=Q(phase__gte=1, phase__lte=3), name="sbir_record_phase_1_to_3"
            ),
        ]
        verbose_name = _("SBIR award on public record")
        verbose_name_plural = _("SBIR awards on public record")

    def __str__(self) -> str:
        return f"{self.company} FY{self.fiscal_year} Phase {self.phase}"
