"""SME status and Japanese SBIR eligibility as versioned, explained rules.

Pure: the facts come in (main industry, capital, regular employees, founding
date, control by large companies), a rule set comes in (``sme_files``), and the
answer goes out as an assessment with the rule set's version, the facts it
read, a status and every reason — never a bare boolean.

The SME Basic Act (Article 2(1)) makes a firm an SME when its capital is at most
its industry's limit *or* its regular employees are at most the industry's
number: either suffices. So a firm over one limit with the other fact unknown
is undetermined, not refused; an individual proprietor has no capital and is
judged by employees alone. A limit is inclusive ("以下": ¥300,000,000 is within).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from openrd.core.decisions import Reason
from openrd.core.i18n import current_lang, localized
from openrd.core.money import format_yen
from openrd.programs.rules.program import OperatingSetting, RuleSource, add_years


@dataclass(frozen=True)
class Statute:
    """A legal source: the Act or Order and its article, in Japanese as enacted."""

    article: str

    def cite(self) -> str:
        return self.article


@dataclass(frozen=True)
class Industry:
    code: str
    name_ja: str
    name_en: str
    max_capital_yen: int
    max_employees: int
    small_max_employees: int
    source: Statute

    @property
    def name(self) -> str:
        return localized(self.name_ja, self.name_en)


@dataclass(frozen=True)
class SmeRuleSet:
    version: str
    effective_on: date
    name_ja: str
    name_en: str
    industries: dict[str, Industry]


@dataclass(frozen=True)
class ProgramRuleSet:
    """What a program adds to the Act (SBIR: founding age, control by large firms)."""

    program: str
    version: str
    effective_on: date
    base: SmeRuleSet
    max_years_since_founding: int | None
    founding_limit_in_principle: bool
    founding_source: RuleSource
    control_single_large_share: Fraction
    control_large_total_share: Fraction
    control_large_officers_share: Fraction
    control_source: OperatingSetting


@dataclass(frozen=True)
class SizeFacts:
    industry: str
    capital_yen: int | None
    employees: int | None
    individual: bool = False  # a sole proprietor: no capital, judged by employees

    def as_dict(self) -> dict[str, Any]:
        return {"industry": self.industry, "capital_yen": self.capital_yen,
                "employees": self.employees, "individual": self.individual}  # fmt: skip


@dataclass(frozen=True)
class ControlFacts:
    """Shares as fractions of the whole (None: not declared)."""

    single_large_share: Fraction | None = None  # the largest holding of one large company
    large_total_share: Fraction | None = None  # all large companies' holdings together
    large_officers_share: Fraction | None = None  # officers who are a large company's

    def as_dict(self) -> dict[str, Any]:
        return {
            key: None if value is None else str(value)
            for key, value in (("single_large_share", self.single_large_share),
                               ("large_total_share", self.large_total_share),
                               ("large_officers_share", self.large_officers_share))
        }  # fmt: skip


class Status(StrEnum):
    YES = "yes"
    NO = "no"
    UNDETERMINED = "undetermined"  # a fact the answer hangs on is missing


@dataclass(frozen=True)
class Assessment:
    """One rule set's answer: its version, the facts read, the status and why."""

    rule: str  # "sme" or a program code
    version: str
    status: Status
    facts: dict[str, Any]
    reasons: tuple[Reason, ...]
    small: bool | None = None  # 小規模企業者 (SME rule only)
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "version": self.version, "status": self.status.value,
                "small": self.small, "facts": self.facts,
                "reasons": [r.as_dict() for r in self.reasons]}  # fmt: skip


def _within(value: int | None, limit: int) -> bool | None:
    return None if value is None else value <= limit


def assess_sme(facts: SizeFacts, rules: SmeRuleSet) -> Assessment:
    """SME status under the Act's table for the firm's main industry."""
    industry = rules.industries.get(facts.industry)
    if industry is None:
        reason = Reason("sme.industry_unknown", _("The main industry is not given or not known."),
                        _("SME Basic Act, Article 2(1)"))  # fmt: skip
        return Assessment("sme", rules.version, Status.UNDETERMINED, facts.as_dict(), (reason,))
    source = industry.source.cite()
    limit_yen = format_yen(industry.max_capital_yen, current_lang())
    limits = {"industry": industry.name, "capital": limit_yen,
              "employees": industry.max_employees}  # fmt: skip
    capital = None if facts.individual else _within(facts.capital_yen, industry.max_capital_yen)
    employees = _within(facts.employees, industry.max_employees)
    reasons: list[Reason] = []
    if capital:
        reasons.append(Reason("sme.capital_within", _(
            "Capital is within the limit for %(industry)s (%(capital)s or less)."
        ) % limits, source))  # fmt: skip
    if employees:
        reasons.append(Reason("sme.employees_within", _(
            "Regular employees are within the limit for %(industry)s (%(employees)d or fewer)."
        ) % limits, source))  # fmt: skip
    if capital or employees:
        status = Status.YES
    elif (capital is False and employees is False) or (facts.individual and employees is False):
        status = Status.NO
        reasons.append(Reason("sme.over_both_limits", _(
            "Both capital and regular employees exceed the limits for %(industry)s "
            "(%(capital)s; %(employees)d employees)."
        ) % limits if not facts.individual else _(
            "Regular employees exceed the limit for %(industry)s (%(employees)d)."
        ) % limits, source))  # fmt: skip
    else:
        status = Status.UNDETERMINED
        reasons.append(Reason("sme.facts_missing", _(
            "Capital or regular employees are not known, and what is known does not settle "
            "the status for %(industry)s."
        ) % limits, source))  # fmt: skip
    small = None
    if facts.employees is not None and status is Status.YES:
        small = facts.employees <= industry.small_max_employees
        if small:
            reasons.append(Reason("sme.small_enterprise", _(
                "A small enterprise: %(n)d regular employees or fewer."
            ) % {"n": industry.small_max_employees}, _("SME Basic Act, Article 2(5)")))  # fmt: skip
    details = {"industry": industry.code, "max_capital_yen": industry.max_capital_yen,
               "max_employees": industry.max_employees}  # fmt: skip
    return Assessment("sme", rules.version, status, facts.as_dict(), tuple(reasons), small, details)


def assess_program(
    sme: Assessment,
    rules: ProgramRuleSet,
    *,
    founded_on: date | None,
    on: date,
    control: ControlFacts,
) -> Assessment:
    """A program's eligibility on the day ``on`` (the call's opening day): an SME
    under the base rule set, young enough, and not controlled by large firms."""
    reasons: list[Reason] = []
    ACT = _("SME Basic Act, Article 2(1)")
    undetermined = sme.status is Status.UNDETERMINED
    refused = sme.status is Status.NO
    if refused:
        reasons.append(Reason(f"{rules.program}.not_sme",
                              _("Not a small or medium-sized enterprise."), ACT))  # fmt: skip
    if undetermined:
        unsettled = _("Whether the firm is an SME is not settled yet.")
        reasons.append(Reason(f"{rules.program}.sme_undetermined", unsettled, ACT))
    limit = rules.max_years_since_founding
    founding = rules.founding_source.cite()
    if limit is not None:
        if founded_on is None:
            undetermined = True
            reasons.append(Reason(f"{rules.program}.founding_date_missing",
                                  _("The founding date is not known."), founding))  # fmt: skip
        elif on > add_years(founded_on, limit):
            refused = True
            message = _("Founded more than %(years)d years before the call opened.") % {
                "years": limit
            }
            if rules.founding_limit_in_principle:
                message += " " + _("This is the rule in principle; a call may state exceptions.")
            reasons.append(Reason(f"{rules.program}.founded_over_{limit}_years", message,
                                  founding))  # fmt: skip
    checks = (
        ("single_large_share", control.single_large_share, rules.control_single_large_share,
         _("One large company holds %(share)s or more of the shares.")),
        ("large_total_share", control.large_total_share, rules.control_large_total_share,
         _("Large companies together hold %(share)s or more of the shares.")),
        ("large_officers_share", control.large_officers_share,
         rules.control_large_officers_share,
         _("Officers of large companies make up %(share)s or more of the board.")),
    )  # fmt: skip
    for key, value, threshold, text in checks:
        if value is None:
            undetermined = True
            reasons.append(Reason(f"{rules.program}.control_unknown.{key}",
                                  _("Control by large companies is not declared."),
                                  rules.control_source.cite()))  # fmt: skip
        elif value >= threshold:
            refused = True
            reasons.append(Reason(f"{rules.program}.controlled_by_large.{key}",
                                  text % {"share": _fraction(threshold)},
                                  rules.control_source.cite()))  # fmt: skip
    status = Status.NO if refused else Status.UNDETERMINED if undetermined else Status.YES
    if status is Status.YES:
        reasons.append(Reason(f"{rules.program}.eligible",
                              _("An SME, founded within the limit, not controlled by large "
                                "companies."), founding))  # fmt: skip
    facts = {"sme": sme.status.value, "sme_version": sme.version,
             "founded_on": founded_on.isoformat() if founded_on else None,
             "on": on.isoformat(), **control.as_dict()}  # fmt: skip
    return Assessment(rules.program, rules.version, status, facts, tuple(reasons))


def _fraction(value: Fraction) -> str:
    return {Fraction(1, 2): _("half"), Fraction(2, 3): _("two thirds")}.get(value, str(value))
