"""The only writers of the review app: the pool, rounds, conflicts, assignments.

Every state change goes through :func:`_move_round` or :func:`_move_assignment`
(``core.lifecycle.enter_state``), in a transaction, with the audit entry.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openrd.accounts.models import Role, User
from openrd.accounts.queries import role_organisation_ids
from openrd.core import audit
from openrd.core.decisions import Decision
from openrd.core.fiscal import to_tokyo
from openrd.core.lifecycle import enter_state
from openrd.core.refusals import Refused
from openrd.notifications.services import notify
from openrd.programs.models import Call
from openrd.programs.rules import program_rules
from openrd.proposals.models import Proposal, ProposalStatus
from openrd.proposals.services.integrity_record import hand_down
from openrd.review.facts import person_facts_for, proposal_facts_for
from openrd.review.models import (
    LIVE_ASSIGNMENT_STATES,
    AssignmentStatus,
    Review,
    ReviewAssignment,
    ReviewConflict,
    ReviewerProfile,
    ReviewRound,
    RoundStatus,
    Selection,
    SelectionOutcome,
)
from openrd.review.rules import assignment as solver
from openrd.review.rules import scoring
from openrd.review.rules.conflicts import (
    DECLARED,
    REVIEW_POLICY_SOURCE,
    Conflict,
    ConflictPolicy,
    PersonFacts,
    ProposalFacts,
    declared_conflict,
    find_conflicts,
)
from openrd.review.rules.lifecycle import (
    AssignmentFacts,
    RoundFacts,
    SelectionFacts,
    check_assignment_transition,
    check_round_transition,
    check_selection_transition,
)

MAX_TERMS = 30
MAX_TERM_LENGTH = 60
MAX_DECLINE_REASON = 500


# ------------------------------------------------------------------ the pool


def _terms(values: Iterable[object], field: str, errors: dict[str, list[str]]) -> list[str]:
    """Fields or keywords as typed, trimmed, NFKC-normalised and once each, in order."""
    seen: dict[str, str] = {}
    for value in values:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if not text:
            continue
        if len(text) > MAX_TERM_LENGTH:
            errors.setdefault(field, []).append(
                _("Keep each entry to %(max)d characters.") % {"max": MAX_TERM_LENGTH}
            )
            continue
        seen.setdefault(text.casefold(), text)
    if len(seen) > MAX_TERMS:
        errors.setdefault(field, []).append(
            _("Enter at most %(max)d entries.") % {"max": MAX_TERMS}
        )
    return list(seen.values())


def search_form(text: str) -> str:
    """What the pool's search compares: NFKC-normalised and case-folded, so "ｾﾝｻ"
    finds "センサ" and "Quantum" finds "quantum" on every database."""
    return unicodedata.normalize("NFKC", text).casefold()


def pool_search_text(research_fields: Iterable[str], keywords: Iterable[str]) -> str:
    # One line per term: a search word never matches across two terms.
    return "\n".join(search_form(t) for t in (*research_fields, *keywords))


@transaction.atomic
def save_reviewer(
    person: User,
    *,
    actor: User,
    research_fields: Sequence[object],
    keywords: Sequence[object],
    max_load: int = 10,
    is_active: bool = True,
    new: bool = False,
) -> ReviewerProfile:
    """Put a person in the reviewer pool, or change what the pool says of them.

    ``new``: the caller means to add the person, so one already in the pool is a
    field error (``person``) rather than a silent edit of their profile."""
    errors: dict[str, list[str]] = {}
    if new and ReviewerProfile.objects.filter(person=person).exists():
        errors["person"] = [_("This person is already in the reviewer pool.")]
    fields = _terms(research_fields, "research_fields", errors)
    words = _terms(keywords, "keywords", errors)
    if not isinstance(max_load, int) or isinstance(max_load, bool) or not 1 <= max_load <= 100:
        errors["max_load"] = [_("Enter a whole number from 1 to 100.")]
    if not fields and not words:
        errors.setdefault("keywords", []).append(
            _("Give at least one research field or keyword, so proposals can be matched.")
        )
    if errors:
        raise ValidationError(errors)
    profile = ReviewerProfile.objects.select_for_update().filter(person=person).first()
    before = (
        None
        if profile is None
        else {
            "research_fields": profile.research_fields,
            "keywords": profile.keywords,
            "max_load": profile.max_load,
            "is_active": profile.is_active,
        }
    )
    if profile is None:
        profile = ReviewerProfile(person=person)
    profile.research_fields, profile.keywords = fields, words
    profile.max_load, profile.is_active = max_load, is_active
    profile.search_text = pool_search_text(fields, words)
    profile.save()
    audit.record(
        "review.reviewer.saved",
        actor=actor,
        obj=profile,
        before=before,
        after={
            "research_fields": fields,
            "keywords": words,
            "max_load": max_load,
            "is_active": is_active,
        },
    )
    return profile


# ------------------------------------------------------------------ rounds


@transaction.atomic
def create_round(
    call: Call,
    *,
    actor: User,
    name_ja: str,
    name_en: str = "",
    due_at: datetime,
    reviewers_per_proposal: int = 3,
    institution_years: int | None = None,
    stage: str = "document",
) -> ReviewRound:
    """A review round of the call. ``institution_years`` (N of the conflict rule)
    defaults to the program's operating setting ``conflict_years``."""
    if institution_years is None:
        institution_years = program_rules(call.program.rules).conflict_years
    errors: dict[str, list[str]] = {}
    if not name_ja.strip():
        errors["name_ja"] = [_("Give the round a name in Japanese.")]
    if not 1 <= reviewers_per_proposal <= 20:
        errors["reviewers_per_proposal"] = [_("Enter a whole number from 1 to 20.")]
    if not 0 <= institution_years <= 20:
        errors["institution_years"] = [_("Enter a whole number from 0 to 20.")]
    if ReviewRound.objects.filter(call=call, stage=stage).exists():
        errors["stage"] = [_("This call already has a round of this stage.")]
    if errors:
        raise ValidationError(errors)
    made = ReviewRound.objects.create(
        call=call,
        stage=stage,
        name_ja=name_ja.strip(),
        name_en=name_en.strip(),
        due_at=due_at,
        reviewers_per_proposal=reviewers_per_proposal,
        institution_years=institution_years,
        created_by=actor,
    )
    audit.record(
        "review.round.created",
        actor=actor,
        obj=made,
        after={
            "call": call.pk,
            "stage": stage,
            "due_at": due_at,
            "reviewers_per_proposal": reviewers_per_proposal,
            "institution_years": institution_years,
        },
    )
    return made


def _lock_round(review_round: ReviewRound) -> ReviewRound:
    return ReviewRound.objects.select_for_update().select_related("call").get(pk=review_round.pk)


def _move_round(
    locked: ReviewRound, target: str, *, actor: User, now: datetime, effect: Any = None
) -> ReviewRound:
    live = locked.assignments.filter(status__in=LIVE_ASSIGNMENT_STATES).count()
    facts = RoundFacts(locked.status, now, locked.due_at, live)
    return enter_state(
        locked,
        target,
        decision=check_round_transition(facts, target),
        actor=actor,
        action=f"review.round.{target}",
        at=now,
        effect=effect,
    )


def round_proposals(review_round: ReviewRound) -> Any:
    """The proposals a round reviews: the call's endorsed ones."""
    return Proposal.objects.filter(call_id=review_round.call_id, status=ProposalStatus.ENDORSED)


def pool() -> Any:
    return ReviewerProfile.objects.filter(is_active=True, person__is_active=True)


# ------------------------------------------------------------------ conflicts


def _keys_of_person(person: PersonFacts) -> set[str]:
    keys = {f"person:{person.person_key}"}
    keys |= {f"org:{a.organisation_key}" for a in person.affiliations}
    keys |= {f"fund:{f.key}" for f in person.fundings}
    return keys


def _keys_of_proposal(facts: ProposalFacts) -> set[str]:
    keys = {f"org:{facts.institution_key}"}
    for person in (facts.applicant, *facts.co_investigators):
        keys |= _keys_of_person(person)
    return keys


def _both_languages(
    reviewer: PersonFacts, proposal: ProposalFacts, on: Any, policy: ConflictPolicy
) -> list[tuple[Conflict, Conflict]]:
    with translation.override("ja"):
        ja = find_conflicts(reviewer, proposal, on=on, policy=policy)
    with translation.override("en"):
        en = find_conflicts(reviewer, proposal, on=on, policy=policy)
    return list(zip(ja, en, strict=True))


@transaction.atomic
def compute_conflicts(
    review_round: ReviewRound, *, actor: User, now: datetime | None = None
) -> int:
    """Find and store every conflict between the pool and the round's proposals.

    Every conflict rule needs a shared key (an organisation, a person, a
    funding), so only the pairs sharing one are checked: an inverted index of
    the reviewers' keys finds them, instead of trying every reviewer with
    every proposal. The stored conflicts replace the round's earlier ones.
    """
    moment = now or timezone.now()
    locked = _lock_round(review_round)
    on = to_tokyo(moment).date()
    policy = ConflictPolicy(institution_years=locked.institution_years)
    reviewers = [p.person for p in pool().select_related("person")]
    people = person_facts_for(reviewers)
    proposals = proposal_facts_for(round_proposals(locked))
    by_key: dict[str, list[int]] = defaultdict(list)
    for user_id, facts in people.items():
        for key in _keys_of_person(facts):
            by_key[key].append(user_id)
    rows: list[ReviewConflict] = []
    for proposal_id, proposal in sorted(proposals.items()):
        candidates = sorted({u for key in _keys_of_proposal(proposal) for u in by_key.get(key, ())})
        for user_id in candidates:
            for ja, en in _both_languages(people[user_id], proposal, on, policy):
                rows.append(
                    ReviewConflict(
                        round=locked,
                        proposal_id=proposal_id,
                        reviewer_id=user_id,
                        code=ja.code,
                        source=ja.source,
                        evidence=dict(ja.evidence),
                        message_ja=ja.message,
                        message_en=en.message,
                        computed_at=moment,
                    )
                )
    # A reviewer's own declaration is no computed fact: it stays, whatever the facts say.
    ReviewConflict.objects.filter(round=locked).exclude(code=DECLARED).delete()
    ReviewConflict.objects.bulk_create(rows, batch_size=1000)
    audit.record(
        "review.round.conflicts_computed",
        actor=actor,
        obj=locked,
        after={
            "conflicts": len(rows),
            "pairs": len({(r.proposal_id, r.reviewer_id) for r in rows}),
        },
    )
    return len(rows)


def conflicted_pairs(review_round: ReviewRound) -> set[tuple[int, int]]:
    return set(
        ReviewConflict.objects.filter(round=review_round).values_list("proposal_id", "reviewer_id")
    )


# ------------------------------------------------------------------ assignment


def _proposal_terms(proposal: Proposal, vocabulary: Iterable[str]) -> frozenset[str]:
    """The pool's terms that the proposal's title and abstract mention (both languages)."""
    text = unicodedata.normalize(
        "NFKC",
        " ".join(
            (proposal.title_ja, proposal.title_en, proposal.abstract_ja, proposal.abstract_en)
        ),
    ).casefold()
    return frozenset(term for term in vocabulary if term.casefold() in text)


@dataclass(frozen=True)
class AssignmentReport:
    proposed: int
    kept: int
    shortfalls: tuple[solver.Shortfall, ...]


@transaction.atomic
def auto_assign(
    review_round: ReviewRound, *, actor: User, now: datetime | None = None
) -> AssignmentReport:
    """Propose reviewers for every proposal of the round by the minimum-cost flow.

    Conflicts are computed afresh first. Assignments staff made by hand, and any
    the reviewer already answered, are kept; the other proposed ones are
    replaced. Declined and removed pairs are never proposed again.
    """
    moment = now or timezone.now()
    locked = _lock_round(review_round)
    if locked.status == RoundStatus.CLOSED:
        raise Refused.because(
            "review.round_closed", _("This review round is closed."), REVIEW_POLICY_SOURCE
        )
    compute_conflicts(locked, actor=actor, now=moment)
    conflicted = conflicted_pairs(locked)
    existing = list(locked.assignments.select_related("round"))
    replaced = [a for a in existing if a.status == AssignmentStatus.PROPOSED and not a.is_manual]
    live = [a for a in existing if a not in replaced and a.status in LIVE_ASSIGNMENT_STATES]
    # A conflict found after the request went out (the reviewer moved to the
    # applicant's institution, a disclosure changed): the request is withdrawn and
    # the slot filled again. A submitted review stays on record, its pair barred,
    # and counts for nothing (the panel leaves conflicted reviews out).
    for stale in (a for a in live if (a.proposal_id, a.reviewer_id) in conflicted):
        if stale.status != AssignmentStatus.SUBMITTED:
            _move_assignment(stale, AssignmentStatus.REMOVED, actor=actor, now=moment)
    kept = [a for a in live if (a.proposal_id, a.reviewer_id) not in conflicted]
    barred = {
        (a.proposal_id, a.reviewer_id)
        for a in existing
        if a.status in (AssignmentStatus.DECLINED, AssignmentStatus.REMOVED)
    }
    profiles = list(pool())
    fields = {t for p in profiles for t in p.research_fields}
    keywords = {t for p in profiles for t in p.keywords}
    proposals = list(round_proposals(locked))
    needs = tuple(
        solver.Need(
            str(p.pk),
            locked.reviewers_per_proposal,
            _proposal_terms(p, fields),
            _proposal_terms(p, keywords),
        )
        for p in proposals
    )
    reviewers = tuple(
        solver.Reviewer(
            str(p.person_id), p.max_load, frozenset(p.research_fields), frozenset(p.keywords)
        )
        for p in profiles
    )
    in_pool = {r.key for r in reviewers}
    in_round = {n.key for n in needs}

    def pairs(items: Iterable[tuple[int, int]]) -> frozenset[tuple[str, str]]:
        return frozenset(
            (str(p), str(r)) for p, r in items if str(p) in in_round and str(r) in in_pool
        )

    problem = solver.AssignmentProblem(
        needs=needs,
        reviewers=reviewers,
        conflicts=pairs(conflicted),
        excluded=pairs(barred),
        fixed=pairs((a.proposal_id, a.reviewer_id) for a in kept),
    )
    result = solver.assign(problem)
    ReviewAssignment.objects.filter(pk__in=[a.pk for a in replaced]).delete()
    fixed = problem.fixed
    made = [
        ReviewAssignment(
            round=locked,
            proposal_id=int(p),
            reviewer_id=int(r),
            match=result.match[(p, r)],
        )
        for p, r in result.pairs
        if (p, r) not in fixed
    ]
    ReviewAssignment.objects.bulk_create(made)
    audit.record(
        "review.round.assigned",
        actor=actor,
        obj=locked,
        after={
            "proposed": len(made),
            "kept": len(kept),
            "replaced": len(replaced),
            "short": [(s.proposal, s.missing, s.code) for s in result.shortfalls],
        },
    )
    return AssignmentReport(len(made), len(kept), result.shortfalls)


@transaction.atomic
def assign_by_hand(
    review_round: ReviewRound,
    proposal: Proposal,
    reviewer: User,
    *,
    actor: User,
    now: datetime | None = None,
) -> ReviewAssignment:
    """Staff add a reviewer to a proposal: refused with the grounds if they conflict."""
    moment = now or timezone.now()
    locked = _lock_round(review_round)
    if locked.status == RoundStatus.CLOSED:
        raise Refused.because(
            "review.round_closed", _("This review round is closed."), REVIEW_POLICY_SOURCE
        )
    if not round_proposals(locked).filter(pk=proposal.pk).exists():
        raise ValidationError({"proposal": _("This proposal is not reviewed in this round.")})
    profile = pool().filter(person=reviewer).first()
    if profile is None:
        raise ValidationError({"reviewer": _("This person is not in the reviewer pool.")})
    on = to_tokyo(moment).date()
    policy = ConflictPolicy(institution_years=locked.institution_years)
    person = person_facts_for([reviewer])[reviewer.pk]
    facts = proposal_facts_for([proposal])[proposal.pk]
    found = find_conflicts(person, facts, on=on, policy=policy)
    if found:
        raise Refused(Decision(tuple(c.as_reason() for c in found)))
    existing = locked.assignments.filter(proposal=proposal, reviewer=reviewer).first()
    if existing is not None and existing.status in LIVE_ASSIGNMENT_STATES:
        existing.is_manual = True
        existing.save(update_fields=["is_manual", "updated_at"])
        return existing
    if existing is not None:
        raise ValidationError(
            {"reviewer": _("This reviewer declined or was removed from this proposal.")}
        )
    made = ReviewAssignment.objects.create(
        round=locked, proposal=proposal, reviewer=reviewer, is_manual=True
    )
    audit.record(
        "review.assignment.added",
        actor=actor,
        obj=made,
        after={"round": locked.pk, "proposal": proposal.pk, "reviewer": reviewer.pk},
    )
    if locked.status == RoundStatus.OPEN:
        _invite([made], actor=actor, now=moment)
    return made


# ------------------------------------------------------------------ the reviewers' steps


def _lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    return (
        ReviewAssignment.objects.select_for_update()
        .select_related("round__call", "proposal", "reviewer")
        .get(pk=assignment.pk)
    )


def stored_conflicts(assignment: ReviewAssignment) -> tuple[Conflict, ...]:
    rows = ReviewConflict.objects.filter(
        round_id=assignment.round_id,
        proposal_id=assignment.proposal_id,
        reviewer_id=assignment.reviewer_id,
    )
    return tuple(
        Conflict(r.code, r.message, r.source, str(r.reviewer_id), dict(r.evidence)) for r in rows
    )


def _move_assignment(
    locked: ReviewAssignment,
    target: str,
    *,
    actor: User,
    now: datetime,
    effect: Any = None,
    confirmed_no_conflict: bool = False,
    accepted_confidentiality: bool = False,
    review: Any = None,
) -> ReviewAssignment:
    facts = AssignmentFacts(
        status=locked.status,
        now=now,
        round_status=locked.round.status,
        due_at=locked.round.due_at,
        conflicts=stored_conflicts(locked),
        confirmed_no_conflict=confirmed_no_conflict,
        accepted_confidentiality=accepted_confidentiality,
        review=review,
    )
    return enter_state(
        locked,
        target,
        decision=check_assignment_transition(facts, target),
        actor=actor,
        action=f"review.assignment.{target}",
        at=now,
        effect=effect,
    )


def _invite(assignments: list[ReviewAssignment], *, actor: User, now: datetime) -> None:
    by_reviewer: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for a in assignments:
        locked = _lock_assignment(a)

        def stamp(row: ReviewAssignment) -> dict[str, Any]:
            row.invited_at = now
            row.save(update_fields=["invited_at"])
            return {}

        _move_assignment(locked, AssignmentStatus.INVITED, actor=actor, now=now, effect=stamp)
        by_reviewer[locked.reviewer_id].append(locked)
    for rows in by_reviewer.values():
        first = rows[0]
        notify(
            [first.reviewer],
            "review.invitation",
            {
                "round": {
                    "ja": first.round.name_ja,
                    "en": first.round.name_en or first.round.name_ja,
                },
                "call_title": {"ja": first.round.call.title_ja, "en": first.round.call.title_en},
                "count": len(rows),
                "due_at": first.round.due_at,
                "link": {"name": "review:my_assignments", "args": []},
            },
            dedupe_key=f"review.invitation:{first.round_id}:{len(rows)}:{now.isoformat()}",
        )


@transaction.atomic
def open_round(
    review_round: ReviewRound, *, actor: User, now: datetime | None = None
) -> ReviewRound:
    """Open the round: every proposed reviewer is invited (one notice each)."""
    moment = now or timezone.now()
    locked = _lock_round(review_round)
    opened = _move_round(locked, RoundStatus.OPEN, actor=actor, now=moment)
    proposed = list(opened.assignments.filter(status=AssignmentStatus.PROPOSED))
    _invite(proposed, actor=actor, now=moment)
    return opened


@transaction.atomic
def close_round(
    review_round: ReviewRound, *, actor: User, now: datetime | None = None
) -> ReviewRound:
    moment = now or timezone.now()
    return _move_round(_lock_round(review_round), RoundStatus.CLOSED, actor=actor, now=moment)


def _own(assignment: ReviewAssignment, actor: User) -> None:
    # Another person's assignment is not theirs to answer; the views answer 404 first.
    if assignment.reviewer_id != actor.pk:
        raise PermissionDenied


@transaction.atomic
def accept_assignment(
    assignment: ReviewAssignment,
    *,
    actor: User,
    confirmed_no_conflict: bool,
    accepted_confidentiality: bool,
    now: datetime | None = None,
) -> ReviewAssignment:
    """The reviewer accepts, confirming no conflict of interest and accepting
    confidentiality; a stored conflict refuses, with its grounds."""
    moment = now or timezone.now()
    locked = _lock_assignment(assignment)
    _own(locked, actor)

    def stamp(row: ReviewAssignment) -> dict[str, Any]:
        row.answered_at = moment
        row.no_conflict_confirmed_at = moment
        row.confidentiality_accepted_at = moment
        row.save(
            update_fields=["answered_at", "no_conflict_confirmed_at", "confidentiality_accepted_at"]
        )
        return {"no_conflict_confirmed": True, "confidentiality_accepted": True}

    return _move_assignment(
        locked,
        AssignmentStatus.ACCEPTED,
        actor=actor,
        now=moment,
        effect=stamp,
        confirmed_no_conflict=confirmed_no_conflict,
        accepted_confidentiality=accepted_confidentiality,
    )


@transaction.atomic
def decline_assignment(
    assignment: ReviewAssignment, *, actor: User, reason: str = "", now: datetime | None = None
) -> ReviewAssignment:
    moment = now or timezone.now()
    text = (reason or "").strip()
    if len(text) > MAX_DECLINE_REASON:
        raise ValidationError(
            {"reason": _("Enter at most %(max)d characters.") % {"max": MAX_DECLINE_REASON}}
        )
    locked = _lock_assignment(assignment)
    _own(locked, actor)

    def stamp(row: ReviewAssignment) -> dict[str, Any]:
        row.answered_at, row.decline_reason = moment, text
        row.save(update_fields=["answered_at", "decline_reason"])
        return {"reason": text} if text else {}

    declined = _move_assignment(
        locked, AssignmentStatus.DECLINED, actor=actor, now=moment, effect=stamp
    )
    _tell_staff_of_decline(declined, conflict=False, now=moment)
    return declined


def agency_staff_of(call: Call) -> Any:
    """The staff of the agency running the call: the people who can open the round
    and assign someone else (staff of the program's other agencies cannot)."""
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.AGENCY_STAFF,
        role_assignments__organisation_id=call.agency_id,
    ).distinct()


def _tell_staff_of_decline(assignment: ReviewAssignment, *, conflict: bool, now: datetime) -> None:
    """Tell the call's agency staff a review slot is free again, in the transaction
    of the decline (``notify`` writes the inbox and the outbox in it; mail leaves
    only once it commits). Only what they need to reassign: the round and the
    proposal's number, never the reviewer's note, which stays on the round page."""
    review_round = assignment.round
    proposal = assignment.proposal
    version = proposal.latest_endorsed_version
    notify(
        list(agency_staff_of(review_round.call)),
        "review.declined",
        {
            "round": {
                "ja": review_round.name_ja,
                "en": review_round.name_en or review_round.name_ja,
            },
            "call_title": {"ja": review_round.call.title_ja, "en": review_round.call.title_en},
            "proposal_number": version.receipt_number if version else str(proposal.pk),
            "conflict": conflict,
            "link": {"name": "review:round", "args": [review_round.pk]},
        },
        dedupe_key=f"review.declined:{assignment.pk}",
        now=now,
    )


@transaction.atomic
def declare_conflict(
    assignment: ReviewAssignment, *, actor: User, note: str = "", now: datetime | None = None
) -> ReviewAssignment:
    """The reviewer declares a conflict of interest the facts did not show: it is kept
    with the round's conflicts (so the pair is never proposed again and the proposal
    never shown to them) and the request is declined."""
    moment = now or timezone.now()
    text = (note or "").strip()
    if len(text) > MAX_DECLINE_REASON:
        raise ValidationError(
            {"reason": _("Enter at most %(max)d characters.") % {"max": MAX_DECLINE_REASON}}
        )
    locked = _lock_assignment(assignment)
    _own(locked, actor)
    with translation.override("ja"):
        ja = declared_conflict(text)
    with translation.override("en"):
        en = declared_conflict(text)

    def stamp(row: ReviewAssignment) -> dict[str, Any]:
        ReviewConflict.objects.create(
            round_id=row.round_id,
            proposal_id=row.proposal_id,
            reviewer_id=row.reviewer_id,
            code=ja.code,
            source=ja.source,
            evidence=dict(ja.evidence),
            message_ja=ja.message,
            message_en=en.message,
            computed_at=moment,
        )
        row.answered_at, row.decline_reason = moment, text or en.message
        row.save(update_fields=["answered_at", "decline_reason"])
        return {"conflict_declared": True} | ({"note": text} if text else {})

    declined = _move_assignment(
        locked, AssignmentStatus.DECLINED, actor=actor, now=moment, effect=stamp
    )
    _tell_staff_of_decline(declined, conflict=True, now=moment)
    return declined


@transaction.atomic
def remove_assignment(
    assignment: ReviewAssignment, *, actor: User, now: datetime | None = None
) -> ReviewAssignment:
    """Staff take a reviewer off a proposal (before a review is submitted)."""
    moment = now or timezone.now()
    return _move_assignment(
        _lock_assignment(assignment), AssignmentStatus.REMOVED, actor=actor, now=moment
    )


# ------------------------------------------------------------------ reviews


def call_criteria(call: Call) -> tuple[scoring.Criterion, ...]:
    return tuple(scoring.Criterion(c.code, c.weight) for c in call.criteria.order_by("order", "id"))


def _review_of(locked: ReviewAssignment) -> Review:
    review = Review.objects.select_for_update().filter(assignment=locked).first()
    return review if review is not None else Review(assignment=locked)


def _clean_scores(raw: Mapping[str, object]) -> dict[str, object]:
    # Scores typed in a form arrive as text: whole numbers become ints, anything
    # else is kept as typed so the rules name the field that is wrong.
    cleaned: dict[str, object] = {}
    for code, value in raw.items():
        text = str(value).strip() if isinstance(value, str) else value
        if isinstance(text, str) and text.isascii() and text.lstrip("-").isdigit():
            cleaned[code] = int(text)
        else:
            cleaned[code] = text
    return cleaned


@transaction.atomic
def save_review(
    assignment: ReviewAssignment,
    *,
    actor: User,
    scores: Mapping[str, object],
    comment: str = "",
    panel_comment: str = "",
    submit: bool = False,
    now: datetime | None = None,
) -> Review:
    """Keep the reviewer's scores and comments as a draft, or submit them.

    A draft keeps whatever was typed (nothing is lost); submitting asks the
    scoring rules (every criterion scored within the scale) and the lifecycle
    (accepted, the round open and not yet due), and refuses with every reason.
    """
    moment = now or timezone.now()
    locked = _lock_assignment(assignment)
    _own(locked, actor)
    if locked.status != AssignmentStatus.ACCEPTED:
        raise Refused.because(
            "review.not_accepted",
            _("Accept the assignment before writing the review."),
            REVIEW_POLICY_SOURCE,
        )
    review = _review_of(locked)
    review.scores = _clean_scores(scores)
    review.comment, review.panel_comment = comment.strip(), panel_comment.strip()
    sheet = scoring.ReviewScores(
        str(actor.pk),
        review.scores,
        review.comment,
        review.panel_comment,
    )
    decision = scoring.check_review(call_criteria(locked.round.call), scoring.Scale(), sheet)
    if not submit:
        review.save()
        return review

    def stamp(_row: ReviewAssignment) -> dict[str, Any]:
        review.submitted_at = moment
        review.save()
        return {"scores": review.scores}

    _move_assignment(
        locked, AssignmentStatus.SUBMITTED, actor=actor, now=moment, effect=stamp, review=decision
    )
    return review


# ------------------------------------------------------------------ selection


def may_decide(user: User, review_round: ReviewRound) -> bool:
    """The call's agency decides: its staff, or a program director it appointed."""
    agency = review_round.call.agency_id
    return agency in role_organisation_ids(user, Role.AGENCY_STAFF) or (
        agency in role_organisation_ids(user, Role.PROGRAM_DIRECTOR)
    )


@transaction.atomic
def decide(
    review_round: ReviewRound,
    proposal: Proposal,
    outcome: str,
    *,
    actor: User,
    reason: str,
    now: datetime | None = None,
) -> Selection:
    """Select, waitlist or reject one reviewed proposal of a closed round, with the
    reason; the applicant is told, with the reviewers' comments (never their names)
    where the round shares them."""
    moment = now or timezone.now()
    locked_round = _lock_round(review_round)
    if not may_decide(actor, locked_round):
        raise PermissionDenied
    if not round_proposals(locked_round).filter(pk=proposal.pk).exists():
        raise ValidationError({"proposal": _("This proposal is not reviewed in this round.")})
    Selection.objects.get_or_create(round=locked_round, proposal=proposal)
    locked = Selection.objects.select_for_update().get(round=locked_round, proposal=proposal)
    reviews = Review.objects.filter(
        assignment__round=locked_round,
        assignment__proposal=proposal,
        assignment__status=AssignmentStatus.SUBMITTED,
    )
    text = (reason or "").strip()
    facts = SelectionFacts(locked.status, locked_round.status, text, reviews.count())

    def stamp(row: Selection) -> dict[str, Any]:
        row.reason, row.decided_by, row.decided_at = text, actor, moment
        row.save(update_fields=["reason", "decided_by", "decided_at"])
        return {"proposal": proposal.pk, "reason": text}

    decided = enter_state(
        locked,
        outcome,
        decision=check_selection_transition(facts, outcome),
        actor=actor,
        action=f"review.selection.{outcome}",
        at=moment,
        effect=stamp,
    )
    hand_down(proposal, active=outcome != SelectionOutcome.REJECTED)
    comments = (
        [r.comment for r in reviews.order_by("assignment_id") if r.comment]
        if locked_round.share_comments
        else []
    )
    notify(
        [proposal.applicant],
        "review.decision",
        {
            "title": {"ja": proposal.endorsed_title_ja, "en": proposal.endorsed_title_en},
            "call_title": {"ja": locked_round.call.title_ja, "en": locked_round.call.title_en},
            "outcome": outcome,
            "reason": text,
            "comments": comments,
            "link": {"name": "proposals:detail", "args": [proposal.pk]},
        },
    )
    return decided
