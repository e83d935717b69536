"""What every writer of proposals shares: the editable fields, the row lock,
the facts the lifecycle rules are asked with, and the one door that moves a
proposal from one state to another."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.core.lifecycle import enter_state
from openrd.core.money import YenError, validate_yen
from openrd.core.refusals import Refused
from openrd.programs.models import Call
from openrd.proposals.models import Endorsement, Proposal, ProposalVersion
from openrd.proposals.rules import (
    CallWindow,
    ProposalFacts,
    SubmissionFacts,
    check_editable,
    check_proposal_transition,
)

TEXT_FIELDS = ("title_ja", "title_en", "abstract_ja", "abstract_en", "effort_percent")


def call_window(call: Call) -> CallWindow:
    return CallWindow(call.status, call.opens_at, call.closes_at, call.code)


def lock(proposal: Proposal) -> Proposal:
    """The proposal's row, locked for the rest of the transaction and read afresh,
    so a decision is never taken on a state another request has just changed."""
    return (
        Proposal.objects.select_for_update()
        .select_related("call__program", "institution", "applicant")
        .get(pk=proposal.pk)
    )


def clean_amounts_by_year(
    lines: list[tuple[int, object]], errors: dict[str, list[str]], *, key: str
) -> tuple[dict[int, int], set[int]]:
    """(fiscal year, amount) rows, each amount checked as yen and each year once:
    the clean amounts by year, and the years whose amount was refused. Errors go
    under ``{key}.{row}.fiscal_year`` / ``{key}.{row}.amount_yen`` (a budget, the
    shares of a co-investigator)."""
    cleaned: dict[int, int] = {}
    refused: set[int] = set()
    for i, (year, amount) in enumerate(lines):
        if year in cleaned or year in refused:
            errors[f"{key}.{i}.fiscal_year"] = [_("This fiscal year is entered twice.")]
            continue
        try:
            cleaned[year] = validate_yen(amount)
        except YenError as exc:
            errors[f"{key}.{i}.amount_yen"] = [exc.message]
            refused.add(year)
    return cleaned, refused


def refresh_latest_versions(*proposal_ids: int) -> None:
    """Set each proposal's version pointers (latest submitted, latest endorsed,
    first submitted) from its versions, with the submission time and titles of
    the two the lists show, in one UPDATE whatever the number of proposals.
    Every writer of versions calls it in the same transaction: the services
    here, and a bulk load after ``bulk_create``. Only these columns are written,
    so the proposal's ``updated_at`` and revision stay as they were."""
    versions = ProposalVersion.objects.filter(proposal=OuterRef("pk"))
    latest = versions.order_by("-number")
    endorsed = latest.filter(endorsement=Endorsement.ENDORSED)

    def title(of: QuerySet[ProposalVersion], key: str) -> Coalesce:
        text = of.annotate(text=KeyTextTransform(key, "content")).values("text")[:1]
        return Coalesce(Subquery(text), Value(""), output_field=CharField())

    Proposal.objects.filter(pk__in=proposal_ids).update(
        latest_version=Subquery(latest.values("pk")[:1]),
        latest_submitted_at=Subquery(latest.values("submitted_at")[:1]),
        latest_title_ja=title(latest, "title_ja"),
        latest_title_en=title(latest, "title_en"),
        latest_endorsed_version=Subquery(endorsed.values("pk")[:1]),
        endorsed_submitted_at=Subquery(endorsed.values("submitted_at")[:1]),
        endorsed_title_ja=title(endorsed, "title_ja"),
        endorsed_title_en=title(endorsed, "title_en"),
        first_submitted_at=Subquery(versions.order_by("number").values("submitted_at")[:1]),
    )


def proposal_facts(
    proposal: Proposal, now: datetime, *, submission: SubmissionFacts | None = None
) -> ProposalFacts:
    latest = proposal.versions.order_by("-number").only("endorsement").first()
    return ProposalFacts(
        status=proposal.status,
        now=now,
        window=call_window(proposal.call),
        has_pending_version=latest is not None and latest.endorsement == Endorsement.PENDING,
        submission=submission,
    )


def refuse_unless_editable(proposal: Proposal, now: datetime) -> None:
    decision = check_editable(proposal_facts(proposal, now))
    if not decision.allowed:
        raise Refused(decision, detail=_("The proposal cannot be changed now."))


_HEADLINES = {
    "submitted": lambda: _("The proposal cannot be submitted yet."),
    "endorsed": lambda: _("The proposal cannot be endorsed."),
    "returned": lambda: _("The proposal cannot be returned."),
    "withdrawn": lambda: _("The proposal cannot be withdrawn."),
}


def move(
    locked: Proposal,
    target: str,
    *,
    actor: User,
    action: str,
    facts: ProposalFacts,
    effect: Callable[[Proposal], dict[str, Any]] | None = None,
) -> Proposal:
    """The one door between states: the rule check, the effect, the new state and
    the audit entry, in the caller's transaction on a row it has locked (``lock``).

    Refused (nothing written) when the table or the target state's guard says no.
    ``effect`` writes what the move brings (a version, an answer) and returns
    what the audit entry should record of it.
    """
    return enter_state(
        locked,
        target,
        decision=check_proposal_transition(facts, target),
        actor=actor,
        action=action,
        at=facts.now,
        detail=_HEADLINES[target](),
        effect=effect,
    )
