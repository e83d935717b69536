"""Matching funds (SIP's マッチングファンド): what industry contributes to an award beside
the public budget, recorded by fiscal year by the staff of an agency that runs the
program, and compared each year with the share of the public budget the program's
rules require (``matching_funds_ratio``). Programs without matching funds have none.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, User
from openrd.awards.models import Award, MatchingFund
from openrd.awards.rules import MatchingYear, matching_status
from openrd.awards.services import may_manage
from openrd.core import audit
from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import fiscal_year_of
from openrd.core.money import YenError, fold_number, validate_yen
from openrd.core.refusals import Refused
from openrd.programs.models import Program
from openrd.programs.rules import ProgramRules, program_rules

CONTRIBUTOR_MAX = MatchingFund._meta.get_field("contributor").max_length or 200
NOTE_MAX = 1000


def ratio_of(rules: ProgramRules) -> float | None:
    """The required share of the public budget, where the program's rules give one."""
    ratio = getattr(rules, "matching_funds_ratio", None)
    return float(ratio) if ratio is not None else None


def ratio_source(rules: ProgramRules) -> str:
    """The program's citation for what it requires of industry."""
    if "matching_funds_ratio" in rules.sources:
        return rules.cite("matching_funds_ratio")
    return rules.cite("matching_funds_required")


def has_matching_funds(program: Program) -> bool:
    return program_rules(program.rules).matching_funds_required


def matching_for(award: Award) -> list[MatchingYear] | None:
    """Each fiscal year's contributions against what the program requires; None for
    a program without matching funds. Reads the award's budget lines (prefetched by
    the detail queries) and one sum per year of its contributions."""
    rules = program_rules(award.program.rules)
    if not rules.matching_funds_required:
        return None
    budget = {b.fiscal_year: b.amount_yen for b in award.budget_lines.all()}
    given = {
        row["fiscal_year"]: row["total"] or 0
        for row in MatchingFund.objects.filter(award=award)
        .values("fiscal_year")
        .annotate(total=Sum("amount_yen"))
        .order_by()
    }
    return matching_status(ratio_of(rules), budget, given, source=ratio_source(rules))


def matching_entry(year: MatchingYear) -> dict[str, Any]:
    """One year as the API shows it."""
    return {
        "fiscal_year": year.fiscal_year,
        "required_yen": year.required_yen,
        "contributed_yen": year.contributed_yen,
        "met": year.met,
    }


def _fund_entry(fund: MatchingFund) -> dict[str, Any]:
    return {
        "fiscal_year": fund.fiscal_year,
        "contributor": fund.contributor,
        "contributor_organisation": fund.contributor_organisation_id,
        "amount_yen": fund.amount_yen,
        "note": fund.note,
    }


def _locked_for(award: Award, actor: User) -> Award:
    locked = (
        Award.objects.select_for_update(of=("self",)).select_related("program").get(pk=award.pk)
    )
    if not may_manage(actor, locked.program):
        raise PermissionDenied
    rules = program_rules(locked.program.rules)
    if not rules.matching_funds_required:
        raise Refused(
            Decision.of(
                Reason(
                    "award.matching.not_in_program",
                    _("This program has no matching funds."),
                    rules.cite("matching_funds_required"),
                )
            )
        )
    return locked


def _fiscal_year(value: object, award: Award, errors: dict[str, list[str]]) -> int:
    first, last = fiscal_year_of(award.starts_on), fiscal_year_of(award.ends_on)
    year: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str) and fold_number(value).isdecimal():
        year = int(fold_number(value))
    if year is None or not first <= year <= last:
        errors["fiscal_year"] = [_("Choose a fiscal year of the award's period.")]
        return 0
    return year


@transaction.atomic
def record_matching_fund(
    award: Award,
    *,
    fiscal_year: object,
    contributor: str,
    amount_yen: object,
    actor: User,
    note: str = "",
    contributor_organisation: Organisation | None = None,
) -> MatchingFund:
    """Record one company's contribution for a fiscal year of the award's period.
    Bad fields are ValidationError by field; nothing is written then."""
    locked = _locked_for(award, actor)
    errors: dict[str, list[str]] = {}
    year = _fiscal_year(fiscal_year, locked, errors)
    name = contributor.strip()
    if not name:
        errors["contributor"] = [_("Give the contributing company's name.")]
    elif len(name) > CONTRIBUTOR_MAX:
        errors["contributor"] = [_("At most %(limit)d characters.") % {"limit": CONTRIBUTOR_MAX}]
    amount = 0
    try:
        amount = validate_yen(amount_yen)
    except YenError as exc:
        errors["amount_yen"] = [exc.message]
    if len(note.strip()) > NOTE_MAX:
        errors["note"] = [_("At most %(limit)d characters.") % {"limit": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    fund = MatchingFund.objects.create(
        award=locked,
        fiscal_year=year,
        contributor=name,
        contributor_organisation=contributor_organisation,
        amount_yen=amount,
        note=note.strip(),
        recorded_by=actor,
    )
    audit.record("awards.matching_fund.recorded", actor=actor, obj=locked, after=_fund_entry(fund))
    return fund


@transaction.atomic
def remove_matching_fund(fund: MatchingFund, *, actor: User) -> None:
    """Remove a contribution recorded in error (staff of an agency that runs the program)."""
    locked = _locked_for(fund.award, actor)
    row = MatchingFund.objects.select_for_update().get(pk=fund.pk, award=locked)
    before = _fund_entry(row)
    row.delete()
    audit.record("awards.matching_fund.removed", actor=actor, obj=locked, before=before)
