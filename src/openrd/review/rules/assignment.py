"""Which reviewers read which proposals: a minimum-cost flow, not round-robin.

Every proposal needs ``needed`` reviewers; every reviewer takes at most
``capacity`` proposals; a conflicted pair is never an arc of the network, so no
solution can contain one. Among the assignments that fill the most review slots,
the solver picks one with the best total expertise match. Where slots cannot be
filled (too few eligible reviewers, or all of them at their limit), the flow
takes a "shortfall" arc instead, so every proposal left short is reported with
the reason, rather than the whole round failing.

The network, from a source S to a sink T::

    S ─needed─▶ proposal ─1, cost=SCALE−match─▶ reviewer ─capacity─▶ T
                proposal ─needed, cost=SHORTFALL────────────▶ T

Costs are integers (the solver's exactness needs them). ``SHORTFALL`` exceeds
the cost of any augmenting path through reviewers, so the solver only leaves a
slot unfilled when no rearrangement of the others could fill it.

The input is sorted before the network is built, so the same input gives the
same assignment whatever order it came in (OR-Tools' solver is deterministic
for the same network).
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from ortools.graph.python import min_cost_flow

# A shared field of research weighs as much as this many shared keywords.
FIELD_WEIGHT = 10


@dataclass(frozen=True)
class Reviewer:
    key: str
    capacity: int
    fields: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Need:
    """A proposal that needs ``needed`` reviewers."""

    key: str
    needed: int
    fields: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AssignmentProblem:
    """Everything the assignment depends on.

    ``conflicts`` and ``excluded`` are (proposal key, reviewer key) pairs never
    to assign: conflicts of interest, and pairs an invitation was declined for
    or that agency staff removed. ``fixed`` pairs are kept as they are (staff
    assigned them by hand, or the reviewer already accepted); they count
    against the proposal's need and the reviewer's capacity.
    ``candidates`` bounds the reviewers considered per proposal (the best
    matches; ``None`` considers every eligible one), which keeps the network
    small at national scale.
    ``require_match``: a reviewer sharing no field and no keyword with a
    proposal is not eligible for it.
    """

    needs: tuple[Need, ...]
    reviewers: tuple[Reviewer, ...]
    conflicts: frozenset[tuple[str, str]] = frozenset()
    excluded: frozenset[tuple[str, str]] = frozenset()
    fixed: frozenset[tuple[str, str]] = frozenset()
    candidates: int | None = None
    require_match: bool = True


@dataclass(frozen=True)
class Shortfall:
    """A proposal left with fewer reviewers than it needs, and why."""

    proposal: str
    missing: int
    eligible: int  # reviewers who could have taken it (no conflict, a match)
    conflicted: int
    at_capacity: int  # eligible reviewers whose every slot went elsewhere

    @property
    def code(self) -> str:
        if self.eligible == 0 and self.conflicted:
            return "review.assignment.all_conflicted"
        if self.eligible == 0:
            return "review.assignment.no_expertise_match"
        return "review.assignment.reviewers_at_capacity"

    @property
    def message(self) -> str:
        if self.code == "review.assignment.all_conflicted":
            text = _(
                "%(missing)d reviewer(s) missing: every reviewer whose expertise matches "
                "has a conflict of interest with this proposal (%(conflicted)d)."
            )
        elif self.code == "review.assignment.no_expertise_match":
            text = _(
                "%(missing)d reviewer(s) missing: no reviewer in the pool shares a field "
                "or a keyword with this proposal."
            )
        else:
            text = _(
                "%(missing)d reviewer(s) missing: the %(eligible)d eligible reviewers "
                "have reached their load limit."
            )
        return text % {
            "missing": self.missing,
            "conflicted": self.conflicted,
            "eligible": self.eligible,
        }


@dataclass(frozen=True)
class Assignment:
    """The pairs chosen (fixed ones included), sorted, with each pair's match."""

    pairs: tuple[tuple[str, str], ...]
    match: dict[tuple[str, str], int] = field(compare=False)
    shortfalls: tuple[Shortfall, ...]

    @property
    def total_match(self) -> int:
        return sum(self.match[pair] for pair in self.pairs)

    def reviewers_of(self, proposal: str) -> tuple[str, ...]:
        return tuple(r for p, r in self.pairs if p == proposal)

    def load_of(self, reviewer: str) -> int:
        return sum(1 for _, r in self.pairs if r == reviewer)


def match_score(need: Need, reviewer: Reviewer) -> int:
    """How well a reviewer's expertise fits a proposal: shared fields, then keywords."""
    return FIELD_WEIGHT * len(need.fields & reviewer.fields) + len(
        need.keywords & reviewer.keywords
    )


class InvalidProblem(ValueError):
    """The input contradicts itself (a fixed pair that is also conflicted, say)."""


def assign(problem: AssignmentProblem) -> Assignment:
    needs = sorted(problem.needs, key=lambda n: n.key)
    reviewers = sorted(problem.reviewers, key=lambda r: r.key)
    by_key = {r.key: r for r in reviewers}
    _validate(problem, needs, by_key)

    fixed_of: dict[str, list[str]] = defaultdict(list)
    fixed_load: dict[str, int] = defaultdict(int)
    for proposal_key, reviewer_key in sorted(problem.fixed):
        fixed_of[proposal_key].append(reviewer_key)
        fixed_load[reviewer_key] += 1
    forbidden = problem.conflicts | problem.excluded | problem.fixed

    candidates = _candidates(needs, reviewers, problem, forbidden)
    scale = 1 + max((s for pairs in candidates.values() for _, s in pairs), default=0)
    open_slots = {n.key: max(0, n.needed - len(fixed_of[n.key])) for n in needs}
    # Above the cost of any augmenting path (at most one arc per slot, each < scale).
    shortfall_cost = scale * (sum(open_slots.values()) + 1)

    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    need_node = {n.key: 2 + i for i, n in enumerate(needs)}
    reviewer_node = {r.key: 2 + len(needs) + i for i, r in enumerate(reviewers)}
    arcs: dict[int, tuple[str, str, int]] = {}
    for n in needs:
        slots = open_slots[n.key]
        if not slots:
            continue
        flow.add_arc_with_capacity_and_unit_cost(source, need_node[n.key], slots, 0)
        flow.add_arc_with_capacity_and_unit_cost(need_node[n.key], sink, slots, shortfall_cost)
        for candidate, score in candidates[n.key]:
            arc = flow.add_arc_with_capacity_and_unit_cost(
                need_node[n.key], reviewer_node[candidate], 1, scale - score
            )
            arcs[arc] = (n.key, candidate, score)
    for reviewer in reviewers:
        spare = reviewer.capacity - fixed_load[reviewer.key]
        if spare > 0:
            flow.add_arc_with_capacity_and_unit_cost(reviewer_node[reviewer.key], sink, spare, 0)
    total = sum(open_slots.values())
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    if (
        total and flow.solve() != flow.OPTIMAL
    ):  # pragma: no cover  (the shortfall arcs make it feasible)
        raise RuntimeError("the assignment network has no feasible flow")

    need_by_key = {n.key: n for n in needs}
    match = {(p, r): match_score(need_by_key[p], by_key[r]) for p, r in problem.fixed}
    chosen = set(problem.fixed)
    for arc, (p, r, score) in arcs.items():
        if flow.flow(arc):
            chosen.add((p, r))
            match[(p, r)] = score
    assigned: dict[str, int] = defaultdict(int)
    for p, _r in chosen:
        assigned[p] += 1
    shortfalls = tuple(
        _shortfall(n, n.needed - assigned[n.key], problem, candidates, reviewers, by_key, chosen)
        for n in needs
        if assigned[n.key] < n.needed
    )
    return Assignment(pairs=tuple(sorted(chosen)), match=match, shortfalls=shortfalls)


def _validate(problem: AssignmentProblem, needs: list[Need], by_key: dict[str, Reviewer]) -> None:
    keys = [n.key for n in needs]
    if len(set(keys)) != len(keys) or len(by_key) != len(problem.reviewers):
        raise InvalidProblem("proposal and reviewer keys must be unique")
    if any(n.needed < 0 for n in needs) or any(r.capacity < 0 for r in by_key.values()):
        raise InvalidProblem("needs and capacities cannot be negative")
    clash = problem.fixed & (problem.conflicts | problem.excluded)
    if clash:
        raise InvalidProblem(f"fixed pairs that are conflicted or excluded: {sorted(clash)}")
    unknown = {p for p, _ in problem.fixed} - set(keys) or {r for _, r in problem.fixed} - set(
        by_key
    )
    if unknown:
        raise InvalidProblem(f"fixed pairs name unknown keys: {sorted(unknown)}")
    load: dict[str, int] = defaultdict(int)
    for _p, r in problem.fixed:
        load[r] += 1
    over = sorted(r for r, n in load.items() if n > by_key[r].capacity)
    if over:
        raise InvalidProblem(f"fixed pairs exceed the capacity of {over}")


def _candidates(
    needs: list[Need],
    reviewers: list[Reviewer],
    problem: AssignmentProblem,
    forbidden: frozenset[tuple[str, str]],
) -> dict[str, list[tuple[str, int]]]:
    """Per proposal, the eligible reviewers and their match, best first (then by key).

    The match is counted through an inverted index (field or keyword → reviewers),
    so only the reviewers sharing a term with a proposal are touched, and counted
    by ``Counter.update`` (a loop in C): at national scale that is millions of
    reviewer–proposal pairs, where scoring each pair by set intersection took
    most of the time.
    """
    by_field: dict[str, list[str]] = defaultdict(list)
    by_keyword: dict[str, list[str]] = defaultdict(list)
    available = [r.key for r in reviewers if r.capacity > 0]
    for r in reviewers:
        if r.capacity > 0:
            for f in r.fields:
                by_field[f].append(r.key)
            for k in r.keywords:
                by_keyword[k].append(r.key)
    forbidden_for: dict[str, set[str]] = defaultdict(set)
    for proposal_key, reviewer_key in forbidden:
        forbidden_for[proposal_key].add(reviewer_key)
    out: dict[str, list[tuple[str, int]]] = {}
    for n in needs:
        fields: Counter[str] = Counter()
        for f in n.fields:
            fields.update(by_field.get(f, ()))
        keywords: Counter[str] = Counter()
        for k in n.keywords:
            keywords.update(by_keyword.get(k, ()))
        pool = (fields.keys() | keywords.keys()) if problem.require_match else available
        barred = forbidden_for.get(n.key, set())
        # (-match, key) tuples compare best first, then by key, without a key function.
        ranked = [
            (-(FIELD_WEIGHT * fields.get(key, 0) + keywords.get(key, 0)), key)
            for key in pool
            if key not in barred
        ]
        if problem.candidates is None:
            ranked.sort()
        else:
            ranked = heapq.nsmallest(problem.candidates, ranked)
        scored = [(key, -negated) for negated, key in ranked]
        out[n.key] = scored
    return out


def _shortfall(
    need: Need,
    missing: int,
    problem: AssignmentProblem,
    candidates: dict[str, list[tuple[str, int]]],
    reviewers: list[Reviewer],
    by_key: dict[str, Reviewer],
    chosen: set[tuple[str, str]],
) -> Shortfall:
    conflicted = sum(1 for r in reviewers if (need.key, r.key) in problem.conflicts)
    eligible = [r for r, _ in candidates.get(need.key, [])]
    load: dict[str, int] = defaultdict(int)
    for _p, r in chosen:
        load[r] += 1
    at_capacity = sum(
        1 for r in eligible if (need.key, r) not in chosen and load[r] >= by_key[r].capacity
    )
    return Shortfall(need.key, missing, len(eligible), conflicted, at_capacity)
