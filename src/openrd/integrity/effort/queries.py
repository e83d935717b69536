"""Reads of the effort ledger, and who may read whose.

A person's ledger joins two sources: the commitments the platform's own proposals
and awards handed down (``EffortCommitment``), and the outside funding of their
latest disclosure. On-platform entries of the disclosure are the platform's own
records already, so only those with ``on_platform`` False are read from it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Role, User
from openrd.accounts.queries import role_organisation_ids
from openrd.core.access import deny
from openrd.core.i18n import localized
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.models_effort import CommitmentSource, EffortCommitment
from openrd.integrity.rules.effort import EffortFacts, EffortLine
from openrd.integrity.rules.entries import Funding

OUTSIDE = "outside"


def _commitment_line(commitment: EffortCommitment) -> EffortLine:
    return EffortLine(
        label=localized(commitment.title_ja, commitment.title_en) or commitment.source_key,
        effort_percent=commitment.effort_percent,
        awarded=commitment.source == CommitmentSource.AWARD,
        source=commitment.source,
        agency=commitment.agency.name if commitment.agency is not None else "",
        program=commitment.program_code,
        starts_on=commitment.starts_on,
        ends_on=commitment.ends_on,
        key=commitment.source_key,
    )


def _outside_label(funding: Funding) -> str:
    if funding.nda:
        return _("Outside funding under a non-disclosure agreement")
    return funding.title or funding.program or funding.funder or _("Outside funding")


def _outside_line(funding: Funding) -> EffortLine:
    return EffortLine(
        label=_outside_label(funding),
        effort_percent=funding.effort_percent,
        awarded=funding.status == "current",
        source=OUTSIDE,
        agency="" if funding.nda else funding.funder,
        program="" if funding.nda else funding.program,
        starts_on=funding.start,
        ends_on=funding.end,
        key=f"disclosure:{funding.key}",
    )


def outside_fundings(person: Any, *, today: date) -> list[Funding]:
    """The latest disclosure's funding received or applied for outside the platform,
    less what has ended (a current entry past its end no longer takes any time)."""
    latest = DisclosureVersion.objects.filter(person=person).order_by("-number").first()
    if latest is None:
        return []
    return [
        f
        for f in latest.content.fundings
        if not f.on_platform and (f.end is None or f.end >= today)
    ]


def ledger_lines(
    person: Any, *, exclude_keys: Collection[str] = (), today: date | None = None
) -> tuple[EffortLine, ...]:
    """Every line of the person's ledger: awarded ones first, then pending ones."""
    today = today or timezone.localdate()
    commitments = (
        EffortCommitment.objects.filter(person=person, active=True)
        .exclude(source_key__in=list(exclude_keys))
        .select_related("agency")
        .order_by("starts_on", "pk")
    )
    lines = [_commitment_line(c) for c in commitments]
    lines += [_outside_line(f) for f in outside_fundings(person, today=today)]
    return tuple(sorted(lines, key=lambda line: not line.awarded))


def ledger(person: Any, *, adding_percent: int = 0, adding_label: str = "") -> EffortFacts:
    """The person's ledger as the page and the API show it (with a what-if added)."""
    return EffortFacts(ledger_lines(person), adding_percent, adding_label)


def effort_facts(
    person: Any,
    *,
    adding_percent: int | None,
    adding_label: str = "",
    exclude_keys: Collection[str] = (),
) -> EffortFacts | None:
    """The person's ledger with ``adding_percent`` about to be added (None: nothing to check).

    ``exclude_keys``: the record being decided on, whose own pending line must not
    stand beside it (a resubmitted proposal, the proposal an award is made from).
    """
    if adding_percent is None:
        return None
    return EffortFacts(
        ledger_lines(person, exclude_keys=exclude_keys), adding_percent, adding_label
    )


def may_view_ledger(user: Any, person: Any) -> bool:
    """The person themself; the command tower; agency staff of an agency the person
    applies to or holds an award from now (an active commitment with that agency)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.pk == person.pk or Role.COMMAND_TOWER_ADMIN.value in user.role_codes():
        return True
    agencies = role_organisation_ids(user, Role.AGENCY_STAFF)
    if not agencies:
        return False
    theirs = EffortCommitment.objects.filter(person=person, active=True, agency_id__in=agencies)
    return theirs.exists()


def ledger_person_or_404(request: HttpRequest, person_id: int) -> User:
    """The person whose ledger ``request.user`` asks for; a 404 (audited) if not theirs to see."""
    person = get_object_or_404(User, pk=person_id)
    if not may_view_ledger(request.user, person):
        deny(request, person, what="effort ledger")
    return person
