#!/usr/bin/env python3
"""Reviewer assignment at national scale: time, memory and the optimality gap.

A synthetic review round shaped like a large agency's (seeded, so every run
draws the same one):

- 10,000 proposals from 300 institutions, each in one or two of 40 fields and
  with 3 to 6 keywords drawn from a vocabulary of 3,000 (Zipf-like: a few
  keywords are common, most are rare);
- a pool of 3,000 reviewers, each at one of the institutions, in one to three
  fields, with 5 to 15 keywords and a load limit of 8 to 15 proposals;
- conflicts: every reviewer with every proposal of their own institution,
  plus 2 % of the remaining candidate pairs at random (co-authors, former
  colleagues, declared);
- 3 reviewers per proposal.

The national run keeps the best 60 candidates per proposal
(``AssignmentProblem.candidates``). Its optimality gap is measured on a smaller
round solved in the same run three ways: with the same bound, with every
eligible reviewer (the flow is then exact), and as a linear programme by an
independent solver (OR-Tools' GLOP; the assignment polytope is integral, so the
LP optimum is the exact one) — the last two must agree.

    .venv/bin/python bench/assignment.py              # 10,000 proposals, 3,000 reviewers
    .venv/bin/python bench/assignment.py --quick      # 1,000 proposals, 300 reviewers

A benchmark reports; it does not fail.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from common import print_machine  # bench/common.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from openrd.review.rules.assignment import (  # noqa: E402  (after the path is set)
    AssignmentProblem,
    Need,
    Reviewer,
    assign,
    match_score,
)

FIELDS = 40
VOCABULARY = 3_000
INSTITUTIONS = 300


def round_of(proposals: int, reviewers: int, *, seed: int, per_proposal: int = 3):
    """(problem without a candidate bound, conflict count)."""
    rng = random.Random(seed)
    words = [f"kw{i:04}" for i in range(VOCABULARY)]
    weights = [1 / (i + 1) ** 0.8 for i in range(VOCABULARY)]
    fields = [f"field{i:02}" for i in range(FIELDS)]

    def keywords(low: int, high: int) -> frozenset[str]:
        return frozenset(rng.choices(words, weights, k=rng.randint(low, high)))

    needs, home = [], {}
    for i in range(proposals):
        key = f"p{i:05}"
        home[key] = rng.randrange(INSTITUTIONS)
        areas = frozenset(rng.sample(fields, rng.randint(1, 2)))
        needs.append(Need(key, per_proposal, areas, keywords(3, 6)))
    pool, at = [], {}
    for j in range(reviewers):
        key = f"r{j:04}"
        at[key] = rng.randrange(INSTITUTIONS)
        areas = frozenset(rng.sample(fields, rng.randint(1, 3)))
        pool.append(Reviewer(key, rng.randint(8, 15), areas, keywords(5, 15)))
    by_institution: dict[int, list[str]] = {}
    for r, inst in at.items():
        by_institution.setdefault(inst, []).append(r)
    conflicts = {(p, r) for p, inst in home.items() for r in by_institution.get(inst, [])}
    # Other conflicts among the pairs that would matter (the reviewer shares a field).
    by_field: dict[str, list[str]] = {}
    for r in pool:
        for f in r.fields:
            by_field.setdefault(f, []).append(r.key)
    for n in needs:
        for f in sorted(n.fields):
            for r in by_field.get(f, []):
                if rng.random() < 0.02:
                    conflicts.add((n.key, r))
    problem = AssignmentProblem(tuple(needs), tuple(pool), conflicts=frozenset(conflicts))
    return problem, len(conflicts)


def timed(problem: AssignmentProblem):
    """(result, seconds, Python memory peak): timed once plainly, then measured once
    under tracemalloc (which slows Python down several times)."""
    started = time.perf_counter()
    result = assign(problem)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    again = assign(problem)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert again.pairs == result.pairs  # deterministic
    return result, seconds, peak


def lp_optimum(problem: AssignmentProblem) -> tuple[int, int]:
    """(slots filled, total match) of the exact optimum, by linear programming."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    reviewers = {r.key: r for r in problem.reviewers}
    x = {}
    for n in problem.needs:
        for r in problem.reviewers:
            score = match_score(n, r)
            if score > 0 and r.capacity > 0 and (n.key, r.key) not in problem.conflicts:
                x[(n.key, r.key)] = (solver.NumVar(0, 1, ""), score)
    for n in problem.needs:
        solver.Add(sum(v for (p, _), (v, _) in x.items() if p == n.key) <= n.needed)
    for key, r in reviewers.items():
        solver.Add(sum(v for (_, rk), (v, _) in x.items() if rk == key) <= r.capacity)
    # Filling a slot always outweighs any gain in match (as in the flow's costs).
    big = 1 + max((s for _, s in x.values()), default=0) * (len(x) + 1)
    solver.Maximize(sum(v * (big + s) for v, s in x.values()))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    filled = round(sum(v.solution_value() for v, _ in x.values()))
    match = round(sum(v.solution_value() * s for v, s in x.values()))
    return filled, match


def report(label: str, problem: AssignmentProblem, result, seconds: float, peak: int) -> None:
    slots = sum(n.needed for n in problem.needs)
    loads = [result.load_of(r.key) for r in problem.reviewers]
    print(f"  {label}")
    print(f"    solved in {seconds:.2f} s; Python memory peak {peak / 2**20:.0f} MiB")
    print(f"    slots filled {len(result.pairs):,} of {slots:,}; proposals short "
          f"{len(result.shortfalls):,}; total match {result.total_match:,}")  # fmt: skip
    print(f"    reviewer load: max {max(loads)}, mean {sum(loads) / len(loads):.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--reviewers", type=int, default=3_000)
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--small", type=int, default=600, help="proposals in the gap round")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.proposals, args.reviewers, args.small = 1_000, 300, 200
    print_machine()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(f"\nNational round: {args.proposals:,} proposals, {args.reviewers:,} reviewers, "
          f"3 each, best {args.candidates} candidates per proposal")  # fmt: skip
    problem, conflicts = round_of(args.proposals, args.reviewers, seed=1)
    print(f"  conflicts {conflicts:,}")
    bounded = AssignmentProblem(problem.needs, problem.reviewers, conflicts=problem.conflicts,
                                candidates=args.candidates)  # fmt: skip
    result, seconds, peak = timed(bounded)
    report("min-cost flow", bounded, result, seconds, peak)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"    process peak RSS {rss / 1024:.0f} MiB (before: {rss_before / 1024:.0f} MiB)")
    assert not set(result.pairs) & problem.conflicts

    small_reviewers = max(30, args.small * args.reviewers // args.proposals)
    print(f"\nGap round: {args.small:,} proposals, {small_reviewers:,} reviewers, solved in the "
          "same run without a bound, as a linear programme, and with bounds")  # fmt: skip
    small, _ = round_of(args.small, small_reviewers, seed=2)
    e, e_seconds, e_peak = timed(small)
    report("min-cost flow, every eligible reviewer (exact)", small, e, e_seconds, e_peak)
    started = time.perf_counter()
    lp_filled, lp_match = lp_optimum(small)
    print(f"  linear programme (GLOP): {time.perf_counter() - started:.2f} s; slots filled "
          f"{lp_filled:,}, total match {lp_match:,}")  # fmt: skip
    agree = (len(e.pairs), e.total_match) == (lp_filled, lp_match)
    print(f"  exact flow and LP agree: {'yes' if agree else 'NO'}")
    for bound in sorted({5, 10, 20, args.candidates}):
        bounded_small = AssignmentProblem(small.needs, small.reviewers,
                                          conflicts=small.conflicts, candidates=bound)  # fmt: skip
        started = time.perf_counter()
        b = assign(bounded_small)
        seconds = time.perf_counter() - started
        gap = (e.total_match - b.total_match) / e.total_match if e.total_match else 0.0
        print(f"  best {bound:>3} candidates: {seconds:.2f} s; gap {gap:.3%} of the total match; "
              f"slots filled {len(b.pairs):,} of the exact {len(e.pairs):,}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
