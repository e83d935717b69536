"""The command tower's strategy in the government's own shapes.

A strategy (the year's Integrated Innovation Strategy, a Cabinet decision under
a Basic Plan) holds a tree of goals (the pillars at its root); measures (施策)
sit under goals with their responsible ministries and lead agency; indicators
sit under measures as a logic model (tier and horizon), with targets and
observations per fiscal year. What the seed states carries its line.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openrd.core.i18n import localized


class Cited(models.Model):
    """Where the seed briefing states it (blank for what is entered here)."""

    seed_line = models.PositiveIntegerField(_("seed line"), null=True, blank=True)
    seed_text = models.CharField(_("seed excerpt"), max_length=300, blank=True)

    class Meta:
        abstract = True


class Strategy(Cited):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    cabinet_decision_on = models.DateField(_("Cabinet decision"), null=True, blank=True)
    ordinal = models.PositiveSmallIntegerField(_("annual strategy under the plan"), null=True)
    basic_plan_ja = models.CharField(_("basic plan (Japanese)"), max_length=200, blank=True)
    basic_plan_en = models.CharField(_("basic plan (English)"), max_length=200, blank=True)
    basic_plan_first_year = models.PositiveSmallIntegerField(_("plan from"), null=True)
    basic_plan_last_year = models.PositiveSmallIntegerField(_("plan to"), null=True)
    sources = models.JSONField(_("sources"), default=dict, blank=True)
    digest = models.CharField(_("file digest"), max_length=64, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)


class Goal(Cited):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="goals")
    code = models.SlugField(_("code"), max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent goal"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="children",
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    # A top-level goal beside the pillars, not one of them (総合知 in 2023).
    cross_cutting = models.BooleanField(_("cross-cutting"), default=False)

    class Meta:
        ordering = ["strategy", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="goal_code_per_strategy")
        ]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)


class Measure(Cited):
    """A measure (施策) with its responsible ministries (``MeasureMinistry``)."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="measures")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(_("code"), max_length=64)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    # The slide's tag ends in 等 (and others) or names 関係省庁 (related ministries).
    others = models.BooleanField(_("and other ministries"), default=False)
    lead_agency = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("lead agency"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    programs = models.ManyToManyField(
        "programs.Program", verbose_name=_("programs"), blank=True, related_name="measures"
    )
    sources = models.JSONField(_("sources"), default=dict, blank=True)

    class Meta:
        ordering = ["strategy", "goal__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "code"], name="measure_code_per_strategy")
        ]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self.title_ja, self.title_en)


class MinistryRole(models.TextChoices):
    PRIMARY = "primary", _("responsible")
    COLLABORATING = "collaborating", _("collaborating")


class MeasureMinistry(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="ministries")
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("ministry"), on_delete=models.PROTECT,
        related_name="strategy_measures",
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=16, choices=MinistryRole.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["measure", "role", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "organisation"], name="one_role_per_ministry_and_measure"
            )
        ]
        verbose_name = _("responsible ministry")
        verbose_name_plural = _("responsible ministries")

    def __str__(self) -> str:
        return f"{self.measure.code}: {self.organisation.code} ({self.role})"


class Tier(models.TextChoices):
    ACTIVITY = "activity", _("activity")
    OUTPUT = "output", _("output")
    OUTCOME = "outcome", _("outcome")


class Horizon(models.TextChoices):
    SHORT = "short", _("short term")
    MID = "mid", _("mid term")
    LONG = "long", _("long term")


class Unit(models.TextChoices):
    PEOPLE = "people", _("people")
    YEN = "yen", _("yen")
    COUNT = "count", _("count")
    PERCENT = "percent", _("percent")
    COMPANIES = "companies", _("companies")
    ITEMS = "items", _("items")


class Direction(models.TextChoices):
    UP = "up", _("higher is better")
    DOWN = "down", _("lower is better")


class Indicator(Cited):
    """Measured for a measure: typed in by its ministry, or computed (``computed``
    names the metric in ``strategy.metrics``) from the system's own records."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    horizon = models.CharField(_("horizon"), max_length=8, choices=Horizon.choices)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    owner = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="owned_indicators",
    )  # fmt: skip
    source_ja = models.CharField(_("data source (Japanese)"), max_length=300, blank=True)
    source_en = models.CharField(_("data source (English)"), max_length=300, blank=True)
    computed = models.CharField(_("computed metric"), max_length=40, blank=True)
    program = models.ForeignKey(
        "programs.Program", verbose_name=_("program"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["measure", "order", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)

    @property
    def is_computed(self) -> bool:
        return bool(self.computed)


class IndicatorLink(Cited):
    """A logic-model arrow: ``source`` contributes to ``target``."""

    source = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="links_in")
    narrative_ja = models.TextField(_("narrative (Japanese)"), blank=True)
    narrative_en = models.TextField(_("narrative (English)"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_link_per_pair")
        ]
        verbose_name = _("indicator link")
        verbose_name_plural = _("indicator links")

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code}"


class TargetKind(models.TextChoices):
    BASELINE = "baseline", _("baseline")
    INTERIM = "interim", _("interim target")
    FINAL = "final", _("final target")


class Target(Cited):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    kind = models.CharField(_("kind"), max_length=16, choices=TargetKind.choices)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=4)

    class Meta:
        ordering = ["indicator", "fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year", "kind"], name="one_target_per_year_and_kind"
            )
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator.code} FY{self.fiscal_year} {self.kind}: {self.value}"


class ObservationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    CONFIRMED = "confirmed", _("confirmed")


class Observation(Cited):
    """A value for a fiscal year, as the responsible ministry reports it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=4)
    source = models.CharField(_("source"), max_length=300, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ObservationStatus.choices,
        default=ObservationStatus.DRAFT,
    )  # fmt: skip
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    class Meta:
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"], name="one_observation_per_year"
            )
        ]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")

    def __str__(self) -> str:
        return f"{self.indicator.code} FY{self.fiscal_year}: {self.value}"


class SpecifiedSubsidy(models.Model):
    """A program counted, for one fiscal year, as one ministry's specified
    new-technology subsidy (特定新技術補助金等) under the Cabinet's policy on
    spending targets; ``designated`` when it is also a designated subsidy
    (指定補助金等) run under the SBIR system's unified rules. ``planned_yen`` is
    what the ministry plans to spend on startups and SMEs from it that year."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    ministry = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("ministry"), on_delete=models.PROTECT,
        related_name="specified_subsidies",
    )  # fmt: skip
    program = models.ForeignKey(
        "programs.Program", verbose_name=_("program"), on_delete=models.PROTECT,
        related_name="specified_subsidies",
    )  # fmt: skip
    designated = models.BooleanField(_("designated subsidy"), default=False)
    planned_yen = models.BigIntegerField(_("planned spending on startups and SMEs (yen)"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    entered_at = models.DateTimeField(_("entered"), auto_now=True)

    class Meta:
        ordering = ["fiscal_year", "ministry__code", "program__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "ministry", "program"],
                name="one_specified_subsidy_per_year",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_yen__gte=0), name="specified_subsidy_plan_not_negative"
            ),
        ]
        verbose_name = _("specified new-technology subsidy")
        verbose_name_plural = _("specified new-technology subsidies")

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.ministry.code}: {self.program.code}"


class Progress(models.TextChoices):
    """The responsible ministry's own reading of a measure's year (施策の進捗)."""

    ON_SCHEDULE = "on_schedule", _("progressing as planned")
    PARTLY_DELAYED = "partly_delayed", _("partly delayed")
    DELAYED = "delayed", _("delayed")
    COMPLETED = "completed", _("completed")


class FollowUpState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for review")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned for changes")


FOLLOW_UP_COMMENT_MAX = 4000


class FollowUp(models.Model):
    """A measure's yearly follow-up: written by a ministry responsible for it,
    reviewed by the command tower (``services_follow_up``)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="follow_ups")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    ministry = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("ministry"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    progress = models.CharField(_("progress"), max_length=16, choices=Progress.choices)
    comment_ja = models.TextField(_("comment (Japanese)"), max_length=FOLLOW_UP_COMMENT_MAX)
    comment_en = models.TextField(
        _("comment (English)"), max_length=FOLLOW_UP_COMMENT_MAX, blank=True
    )
    state = models.CharField(
        _("state"), max_length=16, choices=FollowUpState.choices, default=FollowUpState.DRAFT
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), max_length=2000, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["measure", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "fiscal_year"], name="one_follow_up_per_measure_and_year"
            )
        ]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.measure.code} FY{self.fiscal_year} ({self.state})"

    @property
    def comment(self) -> str:
        return localized(self.comment_ja, self.comment_en)


class FrozenReport(Exception):
    """A follow-up report, once approved, is never written again."""


class FollowUpReport(models.Model):
    """The command tower's approved follow-up report of a strategy for a fiscal
    year, frozen as it read when approved: the page in both languages and the
    Excel workbook, with a SHA-256 digest over them. A later approval of the same
    year is a new version; no version is ever rewritten."""

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="reports")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    version = models.PositiveSmallIntegerField(_("version"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField(_("approved"))
    measures_total = models.PositiveIntegerField(_("measures"))
    measures_reported = models.PositiveIntegerField(_("measures with an approved follow-up"))
    html_ja = models.TextField(_("report (Japanese)"))
    html_en = models.TextField(_("report (English)"))
    xlsx = models.BinaryField(_("workbook"))
    digest = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["strategy", "-fiscal_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "fiscal_year", "version"], name="one_report_version"
            )
        ]
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")

    def __str__(self) -> str:
        return f"{self.strategy.code} FY{self.fiscal_year} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise FrozenReport(f"follow-up report {self} is frozen")
        super().save(*args, **kwargs)

    def computed_digest(self) -> str:
        return report_digest(self.html_ja, self.html_en, bytes(self.xlsx))

    @property
    def intact(self) -> bool:
        """The stored report is still the one approved (its digest matches)."""
        return self.computed_digest() == self.digest


def report_digest(html_ja: str, html_en: str, xlsx: bytes) -> str:
    h = hashlib.sha256()
    for part in (html_ja.encode(), html_en.encode(), xlsx):
        h.update(len(part).to_bytes(8, "big"))  # lengths first: no two splits hash alike
        h.update(part)
    return h.hexdigest()


class MetricRun(models.Model):
    """When a computed metric was last computed for one scope (a program's code,
    or "" for every program), and whether the records changed since. ``generation``
    counts the changes, so a refresh that overlapped one leaves the run dirty."""

    metric = models.CharField(_("metric"), max_length=40)
    scope = models.CharField(_("program"), max_length=64, blank=True)
    computed_at = models.DateTimeField(_("computed"))
    seconds = models.FloatField(_("seconds taken"))
    dirty = models.BooleanField(_("records changed since"), default=False)
    generation = models.PositiveBigIntegerField(_("changes counted"), default=0)
    # An analysis kept whole (``metrics.RESULTS``) rather than as yearly values.
    payload = models.JSONField(_("result"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "scope"], name="one_run_per_metric_scope")
        ]
        verbose_name = _("metric computation")
        verbose_name_plural = _("metric computations")

    def __str__(self) -> str:
        return f"{self.metric}[{self.scope or '*'}] at {self.computed_at:%Y-%m-%d %H:%M}"


class MetricValue(models.Model):
    """One fiscal year's value of a computed metric, as last computed (``MetricRun``)."""

    run = models.ForeignKey(MetricRun, on_delete=models.CASCADE, related_name="values")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=4)

    class Meta:
        ordering = ["run", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["run", "fiscal_year"], name="one_value_per_run_year")
        ]
        verbose_name = _("computed value")
        verbose_name_plural = _("computed values")

    def __str__(self) -> str:
        return f"{self.run.metric} FY{self.fiscal_year}: {self.value}"
