"""Carrying budget over into the next fiscal year (繰越): the writer, and the table of
each year's budget with what was carried into and out of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.awards.models import Award, AwardBudget
from openrd.awards.rules import (
    BudgetYear,
    CarryOverFacts,
    carry_over_available,
    check_carry_over,
)
from openrd.awards.services import may_manage
from openrd.core import audit
from openrd.core.money import YenError, validate_yen
from openrd.core.refusals import Refused

CARRY_OVER_REASON_MAX = 2000


@dataclass(frozen=True)
class CarryOverRow:
    fiscal_year: int
    amount_yen: int
    carried_in_yen: int
    carried_out_yen: int
    available_yen: int


def budget_years(lines: list[AwardBudget]) -> dict[int, BudgetYear]:
    return {b.fiscal_year: BudgetYear(b.amount_yen, b.carried_over_yen) for b in lines}


def carry_over_rows(lines: list[AwardBudget]) -> list[CarryOverRow]:
    """Each budget year with what was carried into it, out of it, and what is left
    to carry out."""
    years = budget_years(lines)
    return [
        CarryOverRow(
            fiscal_year=fy,
            amount_yen=year.amount_yen,
            carried_in_yen=year.carried_in_yen,
            carried_out_yen=years[fy + 1].carried_in_yen if fy + 1 in years else 0,
            available_yen=carry_over_available(years, fy),
        )
        for fy, year in sorted(years.items())
    ]


def _whole_number(value: object, field: str, errors: dict[str, list[str]]) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip() if isinstance(value, str) else ""
    if not text.isdigit():
        errors[field] = [_("Choose a fiscal year from the list.")]
        return 0
    return int(text)


@transaction.atomic
def carry_over(
    award: Award,
    *,
    from_fiscal_year: object,
    amount_yen: object,
    actor: User,
    reason: str,
    now: datetime | None = None,
) -> AwardBudget:
    """Carry ``amount_yen`` of ``from_fiscal_year`` into the next fiscal year (staff
    of an agency that runs the program): the next year's budget line, with its
    carried-over amount raised. Bad input is a ``ValidationError`` by field; what
    the rules refuse is ``Refused``; either way nothing is saved."""
    moment = now or timezone.now()
    locked = (
        Award.objects.select_for_update(of=("self",)).select_related("program").get(pk=award.pk)
    )
    if not may_manage(actor, locked.program):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    year = _whole_number(from_fiscal_year, "from_fiscal_year", errors)
    amount = 0
    try:
        amount = validate_yen(amount_yen)
    except YenError as exc:
        errors["amount_yen"] = [exc.message]
    if len(reason.strip()) > CARRY_OVER_REASON_MAX:
        errors["reason"] = [
            _("The reason is at most %(max)d characters long.") % {"max": CARRY_OVER_REASON_MAX}
        ]
    if errors:
        raise ValidationError(errors)
    lines = list(
        AwardBudget.objects.select_for_update().filter(award=locked).order_by("fiscal_year")
    )
    decision = check_carry_over(
        CarryOverFacts(
            award_status=locked.status,
            starts_on=locked.starts_on,
            ends_on=locked.ends_on,
            budget=budget_years(lines),
            from_fiscal_year=year,
            amount_yen=amount,
            reason=reason,
        )
    )
    if not decision.allowed:
        raise Refused(decision)
    target = next(b for b in lines if b.fiscal_year == year + 1)  # the rule checked it exists
    before = target.carried_over_yen
    target.carried_over_yen = before + amount
    target.save(update_fields=["carried_over_yen"])
    audit.record(
        "awards.budget.carried_over",
        actor=actor,
        obj=locked,
        before={"fiscal_year": target.fiscal_year, "carried_over_yen": before},
        after={
            "fiscal_year": target.fiscal_year,
            "carried_over_yen": target.carried_over_yen,
            "from_fiscal_year": year,
            "amount_yen": amount,
            "reason": reason.strip(),
            "at": moment,
        },
    )
    return target
