"""The APC ledger: article processing charges paid for outputs (gold OA), in yen,
with who paid, from what and under which agreement; totals per institution and
Japanese fiscal year (the unit of the universities' and agencies' budgets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.core import audit
from openrd.core.fiscal import fiscal_year_of
from openrd.core.i18n import localized
from openrd.core.money import YenError, validate_yen
from openrd.repository.models import AgreementType, ApcPayer, ApcPayment, Output


@transaction.atomic
def record_apc(
    output: Output,
    *,
    actor: User,
    amount_yen: object,
    paid_on: date | None,
    payer: str,
    agreement: str = AgreementType.NONE,
    funding_source: str = "",
    invoice_reference: str = "",
) -> ApcPayment:
    """Record one APC payment; every field checked, errors under their names."""
    errors: dict[str, list[str]] = {}
    amount = 0
    try:
        amount = validate_yen(amount_yen)
        if amount <= 0:
            errors["amount_yen"] = [_("The amount must be more than zero yen.")]
    except YenError as exc:
        errors["amount_yen"] = [str(exc)]
    if paid_on is None:
        errors["paid_on"] = [_("Give the date of payment.")]
    if payer not in ApcPayer.values:
        errors["payer"] = [_("Choose who paid.")]
    if agreement not in AgreementType.values:
        errors["agreement"] = [_("Choose the agreement, or none.")]
    if errors:
        raise ValidationError(errors)
    assert paid_on is not None
    payment = ApcPayment(
        output=output,
        institution_id=output.institution_id,
        amount_yen=amount,
        paid_on=paid_on,
        fiscal_year=fiscal_year_of(paid_on),
        payer=payer,
        funding_award=output.award if payer == ApcPayer.AWARD else None,
        funding_source=funding_source.strip(),
        agreement=agreement,
        invoice_reference=invoice_reference.strip(),
        recorded_by=actor,
    )
    payment.full_clean(exclude=["output", "institution", "funding_award", "recorded_by"])
    payment.save()
    audit.record("repository.apc.recorded", actor=actor, obj=output,
                 after=audit.snapshot(payment))  # fmt: skip
    return payment


@dataclass(frozen=True)
class ApcTotal:
    institution_id: int
    institution: str
    fiscal_year: int
    payments: int
    amount_yen: int


def totals(rows: QuerySet[ApcPayment]) -> list[ApcTotal]:
    """The sums per institution and fiscal year, newest year first."""
    grouped = (
        rows.values("institution_id", "institution__name_ja", "institution__name_en", "fiscal_year")
        .annotate(n=Count("id"), amount=Sum("amount_yen"))
        .order_by("-fiscal_year", "institution__name_ja")
    )
    return [
        ApcTotal(
            institution_id=g["institution_id"],
            institution=localized(g["institution__name_ja"], g["institution__name_en"]),
            fiscal_year=g["fiscal_year"],
            payments=g["n"],
            amount_yen=g["amount"] or 0,
        )
        for g in grouped
    ]
