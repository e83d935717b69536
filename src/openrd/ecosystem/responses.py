"""Startups' proposals to procurement challenges, and how far they went.

``respond`` is the company's (its officers'), while the challenge is open in
Tokyo; ``take_step`` moves a proposal along ``rules.responses``' table —
shortlist, pilot, contract under a legal basis, decline — for the challenge's
owner, or withdraws it for the company. Each writer checks every field,
writes nothing on a refusal, and is audited. ``adoption`` counts per owner how
many challenges and proposals led to a pilot and to a contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.core import audit
from openrd.core.fiscal import to_tokyo
from openrd.ecosystem.challenge_files import contract_bases
from openrd.ecosystem.models import (
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
    Company,
    CompanyStatus,
    ResponseStatus,
)
from openrd.ecosystem.rules.responses import StepFacts, check_step

FIELDS = ["status", "note", "pilot_starts_on", "contract_basis", "contracted_on", "contract_yen"]
MAX_PROPOSAL = 4000


def _today(now: datetime | None) -> date:
    return to_tokyo(now or timezone.now()).date()


def owner_kind(owner: Organisation) -> str:
    """Which contract bases an owner may use: a municipality's, or the State's."""
    return "municipal" if owner.kind == OrganisationKind.MUNICIPALITY else "national"


@transaction.atomic
def respond(
    *,
    actor: Any,
    challenge: Challenge,
    company: Company,
    proposal_ja: str,
    proposal_en: str = "",
    now: datetime | None = None,
) -> ChallengeResponse:
    """A company proposes for a challenge (or rewrites its proposal while it is
    only submitted)."""
    if not actor.has_perm("ecosystem.respond_to_challenge", company):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    today = _today(now)
    if challenge.status != ChallengeStatus.OPEN or not (
        challenge.opens_on <= today <= challenge.closes_on
    ):
        errors["challenge"] = [_("The challenge is not open for proposals.")]
    if company.status != CompanyStatus.ACTIVE:
        errors["company"] = [_("A closed or merged company cannot propose.")]
    text_ja, text_en = proposal_ja.strip(), proposal_en.strip()
    if not text_ja:
        errors["proposal_ja"] = [_("Describe what you propose.")]
    for name, text in (("proposal_ja", text_ja), ("proposal_en", text_en)):
        if len(text) > MAX_PROPOSAL:
            errors[name] = [_("At most %(n)d characters.") % {"n": MAX_PROPOSAL}]
    existing = (
        ChallengeResponse.objects.select_for_update()
        .filter(challenge=challenge, company=company)
        .first()
    )
    if existing is not None and existing.status != ResponseStatus.SUBMITTED:
        errors["proposal_ja"] = [_("This proposal is already being decided on.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(existing, ["proposal_ja", "proposal_en"])
    response = existing or ChallengeResponse(
        challenge=challenge, company=company, submitted_by=actor
    )
    response.proposal_ja, response.proposal_en = text_ja, text_en
    response.save()
    audit.record(
        "ecosystem.response.submitted", actor=actor, obj=response, before=before,
        after={"challenge": challenge.code, "company": company.pk,
               "proposal_ja": text_ja, "proposal_en": text_en},
    )  # fmt: skip
    return response


@transaction.atomic
def take_step(
    response: ChallengeResponse,
    *,
    actor: Any,
    to: str,
    note: str = "",
    pilot_starts_on: date | None = None,
    contract_basis: str = "",
    contracted_on: date | None = None,
    contract_yen: int | None = None,
    now: datetime | None = None,
) -> ChallengeResponse:
    """Move the proposal one step; a refusal raises ``ValidationError`` with the
    rules' reasons by field and changes nothing."""
    response = (
        ChallengeResponse.objects.select_for_update()
        .select_related("challenge__owner", "company")
        .get(pk=response.pk)
    )
    by_company = to == ResponseStatus.WITHDRAWN
    perm, obj = (
        ("ecosystem.respond_to_challenge", response.company)
        if by_company
        else ("ecosystem.decide_response", response.challenge.owner)
    )
    if not actor.has_perm(perm, obj):
        raise PermissionDenied
    bases = contract_bases()
    basis = bases.get(contract_basis) if contract_basis else None
    errors: dict[str, list[str]] = {}
    if contract_basis and basis is None:
        errors["contract_basis"] = [_("Choose the legal basis of the contract.")]
    if contract_yen is not None and contract_yen < 0:
        errors["contract_yen"] = [_("Enter the amount in whole yen, 0 or more.")]
    pilot = pilot_starts_on if to == ResponseStatus.PILOT else response.pilot_starts_on
    decision = check_step(StepFacts(
        current=response.status, target=to, today=_today(now), by_company=by_company,
        owner_kind=owner_kind(response.challenge.owner), basis=basis,
        contracted_on=contracted_on, pilot_starts_on=pilot, note=note,
    ))  # fmt: skip
    field_of = {
        "response.decline_needs_reason": "note",
        "response.pilot_needs_start": "pilot_starts_on",
        "response.contract_needs_basis": "contract_basis",
        "response.basis_not_for_owner": "contract_basis",
        "response.contract_needs_date": "contracted_on",
        "response.contract_in_future": "contracted_on",
        "response.contract_before_pilot": "contracted_on",
    }
    for reason in decision.reasons:
        errors.setdefault(field_of.get(reason.code, "status"), []).append(reason.message)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(response, FIELDS)
    response.status = to
    response.note = note.strip() or response.note
    if to == ResponseStatus.PILOT:
        response.pilot_starts_on = pilot_starts_on
    if to == ResponseStatus.CONTRACTED:
        response.contract_basis = contract_basis
        response.contracted_on, response.contract_yen = contracted_on, contract_yen
    response.decided_at = now or timezone.now()
    response.save()
    audit.record(
        f"ecosystem.response.{to}", actor=actor, obj=response, before=before,
        after=audit.snapshot(response, FIELDS),
    )  # fmt: skip
    return response


def public_responses(challenge: Challenge) -> QuerySet[ChallengeResponse]:
    """What the public sees of a challenge's proposals: the contracts and pilots
    (public procurement), never the proposals still being decided."""
    return challenge.responses.filter(
        status__in=[ResponseStatus.PILOT, ResponseStatus.CONTRACTED]
    ).select_related("company")


@dataclass(frozen=True)
class Adoption:
    owner: Organisation
    challenges: int  # posted (no longer drafts)
    closed: int
    with_pilot: int  # challenges with at least one pilot or contract
    with_contract: int
    closed_with_contract: int
    proposals: int  # not withdrawn
    contracted: int  # proposals contracted

    @property
    def rate(self) -> float | None:
        """Closed challenges that led to a contract, in percent (None before any closed)."""
        if not self.closed:
            return None
        return round(self.closed_with_contract * 100 / self.closed, 1)


def adoption() -> list[Adoption]:
    """Per owner, in code order (a list, never a ranking)."""
    reached = {
        "pilot": Q(responses__status__in=[ResponseStatus.PILOT, ResponseStatus.CONTRACTED]),
        "contract": Q(responses__status=ResponseStatus.CONTRACTED),
    }
    posted = Challenge.objects.exclude(status=ChallengeStatus.DRAFT)
    per_challenge = posted.annotate(
        pilots=Count("responses", filter=reached["pilot"]),
        contracts=Count("responses", filter=reached["contract"]),
        proposals=Count("responses", filter=~Q(responses__status=ResponseStatus.WITHDRAWN)),
    ).values("owner_id", "status", "pilots", "contracts", "proposals")
    totals: dict[int, list[int]] = {}
    for row in per_challenge:
        closed = row["status"] == ChallengeStatus.CLOSED
        t = totals.setdefault(row["owner_id"], [0] * 7)
        t[0] += 1
        t[1] += closed
        t[2] += row["pilots"] > 0
        t[3] += row["contracts"] > 0
        t[4] += closed and row["contracts"] > 0
        t[5] += row["proposals"]
        t[6] += row["contracts"]
    owners = Organisation.objects.in_bulk(list(totals))
    rows = [Adoption(owners[pk], *numbers) for pk, numbers in totals.items()]
    return sorted(rows, key=lambda a: a.owner.code)
