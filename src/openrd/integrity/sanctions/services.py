"""The only writers of the sanctions registry: an officer's decision, and its lifting.

A decision is taken by an integrity officer of the deciding agency, within the range
the offence table allows (``rules.sanctions.propose_restriction``), with reasons.
Recording it locks the person's row, as a submission and an award do before they
read the registry: whichever commits first, the other sees it (see ``lock_person``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, Role, User
from openrd.accounts.queries import role_organisation_ids
from openrd.core import audit
from openrd.core.money import YenError, validate_yen
from openrd.core.refusals import Refused
from openrd.integrity.models import Sanction
from openrd.integrity.rules.sanctions import RestrictionProposal, propose_restriction, table_for
from openrd.integrity.sanctions.labels import MEASURES

MAX_REASONS = 4000


def lock_person(person_id: int) -> None:
    """Serialise what reads or writes a person's restriction: a sanction being
    recorded and a submission or award being checked take this lock first, so a
    submission can never pass on a registry read just before a sanction commits."""
    User.objects.select_for_update().filter(pk=person_id).values_list("pk").first()


def may_decide(user: User, agency: Organisation) -> bool:
    """The agency's integrity officers take its sanction decisions."""
    return agency.pk in role_organisation_ids(user, Role.INTEGRITY_OFFICER)


def _audit_state(s: Sanction) -> dict[str, Any]:
    return {
        "person": s.person_id,
        "agency": s.agency_id,
        "offence": s.offence,
        "role": s.role,
        "severity": s.severity,
        "row": s.row_code,
        "table": f"{s.table_funder}@{s.table_version}",
        "years": s.years,
        "first_fiscal_year": s.first_fiscal_year,
        "last_fiscal_year": s.last_fiscal_year,
        "decided_on": s.decided_on,
        "measures": s.measures,
        "refund_yen": s.refund_yen,
        "published": s.published,
        "reasons": s.reasons,
        "lifted_at": s.lifted_at,
        "lifted_reason": s.lifted_reason,
    }


def _clean(
    reasons: str, measures: list[str], refund_yen: object
) -> tuple[str, list[str], int | None]:
    errors: dict[str, list[str]] = {}
    text = (reasons or "").strip()
    if not text:
        errors["reasons"] = [_("Give the reasons for the decision: they are kept with it.")]
    elif len(text) > MAX_REASONS:
        errors["reasons"] = [_("Enter at most %(max)d characters.") % {"max": MAX_REASONS}]
    unknown = [m for m in measures if m not in MEASURES]
    if unknown:
        errors["measures"] = [_("Choose measures from the list.")]
    refund: int | None = None
    if refund_yen not in (None, ""):
        try:
            refund = validate_yen(refund_yen)
        except YenError as e:
            errors["refund_yen"] = [e.message]
    if refund and "refund" not in measures:
        errors["refund_yen"] = [_("Tick the refund measure to record a refund amount.")]
    if errors:
        raise ValidationError(errors)
    return text, sorted(set(measures), key=list(MEASURES).index), refund


def preview(
    *,
    offence: str,
    role: str,
    severity: str,
    decided_on: date,
    years: int | None,
    agency: Organisation,
    call_fiscal_year: int | None = None,
) -> RestrictionProposal:
    """What the table proposes for the decision being prepared (writes nothing)."""
    return propose_restriction(
        offence,
        role=role,
        severity=severity,
        decided_on=decided_on,
        years=years,
        funder=agency.code,
        call_fiscal_year=call_fiscal_year,
    )


@transaction.atomic
def record_sanction(
    *,
    actor: User,
    agency: Organisation,
    person: User,
    offence: str,
    role: str,
    severity: str = "",
    decided_on: date,
    years: int | None,
    reasons: str,
    measures: list[str] | None = None,
    refund_yen: object = None,
    published: bool = False,
    program_code: str = "",
    program_name_ja: str = "",
    program_name_en: str = "",
    call_fiscal_year: int | None = None,
) -> Sanction:
    """Record the officer's decision: refused (``Refused``) outside the table's range
    or where the table has no row, ``ValidationError`` by field for bad input;
    from then on every call on the platform refuses the person for its fiscal years."""
    if not may_decide(actor, agency):
        raise PermissionDenied
    text, chosen_measures, refund = _clean(reasons, list(measures or ()), refund_yen)
    proposal = preview(
        offence=offence,
        role=role,
        severity=severity,
        decided_on=decided_on,
        years=years,
        agency=agency,
        call_fiscal_year=call_fiscal_year,
    )
    if not proposal.allowed or proposal.row is None or proposal.years is None:
        raise Refused(proposal.decision, detail=_("The sanction cannot be recorded."))
    lock_person(person.pk)
    table = table_for(agency.code, on=decided_on)
    institution = person.organisation
    sanction = Sanction.objects.create(
        person=person,
        person_name_ja=person.name_ja,
        person_name_en=person.name_en,
        institution_name_ja=institution.name_ja if institution else "",
        institution_name_en=institution.name_en if institution else "",
        agency=agency,
        program_code=program_code.strip(),
        program_name_ja=program_name_ja.strip(),
        program_name_en=program_name_en.strip(),
        offence=offence,
        role=role,
        severity=severity,
        table_funder=table.funder,
        table_version=table.version,
        row_code=proposal.row.code,
        source=proposal.source[:500],
        years=proposal.years,
        first_fiscal_year=proposal.first_fiscal_year,
        last_fiscal_year=proposal.last_fiscal_year,
        decided_on=decided_on,
        reasons=text,
        measures=chosen_measures,
        refund_yen=refund,
        published=published,
        decided_by=actor,
    )
    audit.record(
        "integrity.sanction.recorded", actor=actor, obj=sanction, after=_audit_state(sanction)
    )
    return sanction


@transaction.atomic
def lift_sanction(
    sanction: Sanction, *, actor: User, reason: str, now: datetime | None = None
) -> Sanction:
    """Set a decision aside (an appeal upheld, an error), with the reason; only the
    deciding agency's officers may. The row stays, marked lifted, for the record."""
    locked = Sanction.objects.select_for_update().select_related("agency").get(pk=sanction.pk)
    if not may_decide(actor, locked.agency):
        raise PermissionDenied
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": [_("Give the reason for lifting the sanction.")]})
    if locked.lifted_at is not None:
        raise Refused.because(
            "sanctions.already_lifted",
            _("This sanction was lifted already."),
            locked.source,
            detail=_("The sanction cannot be lifted."),
        )
    before = _audit_state(locked)
    lock_person(locked.person_id)
    locked.lifted_at, locked.lifted_reason = now or timezone.now(), text
    locked.save(update_fields=["lifted_at", "lifted_reason"])
    audit.record(
        "integrity.sanction.lifted",
        actor=actor,
        obj=locked,
        before=before,
        after=_audit_state(locked),
    )
    return locked
