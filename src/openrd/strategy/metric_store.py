"""Computed metrics kept as stored yearly values, so that dashboards read rows
instead of aggregating a nation's awards and outputs on every request.

A metric is computed (``metrics.DEFINITIONS``) for a scope — one program, or
every program — and its values per fiscal year are stored with when they were
computed (``MetricRun``, ``MetricValue``). The records a metric reads mark its
runs dirty when they change (``signals``). A read then:

* computes and stores the metric when it never was (the first reader waits);
* recomputes it at once when it is dirty and its last computation was quick
  (under ``OPENRD_METRICS_INLINE_SECONDS``, 0.2 s by default): a ministry-sized
  installation always reads exact values;
* otherwise serves the stored values, marked stale with their time, and the
  scheduler's ``refresh_dirty_metrics`` (every 5 minutes) recomputes them.

Within ``one_page()`` the reads share that threshold as one budget, so a page
reading many due runs stays quick.

An analysis that is not a value per year (the funding's concentration, the
SBIR spending per ministry) is kept the same way as one JSON result
(``metrics.RESULTS``), read with ``read_result``.

Every run is recomputed nightly as well (``refresh_all_metrics``): the OA share
moves with the calendar (a pending output becomes late), and bulk loads write
without signals (``manage.py refresh_metrics`` after one).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from openrd.programs.models import Program
from openrd.strategy.models import MetricRun, MetricValue

DEFAULT_INLINE_SECONDS = 0.2


@dataclass(frozen=True)
class Computed:
    values: dict[int, Decimal]
    computed_at: datetime
    stale: bool  # the records changed since; a refresh is due
    payload: Any = None  # a result's JSON (``read_result``)


def _scope(program: Program | None) -> str:
    return program.code if program is not None else ""


def _inline_seconds() -> float:
    return float(getattr(settings, "OPENRD_METRICS_INLINE_SECONDS", DEFAULT_INLINE_SECONDS))


# Seconds of inline recomputation left to the reads of one page (``one_page``).
_page_budget: ContextVar[list[float] | None] = ContextVar("metric_page_budget", default=None)


@contextmanager
def one_page() -> Iterator[None]:
    """The reads inside share one inline budget: a page that reads forty due
    runs recomputes the quick ones until the budget is spent, and serves the
    others stale, instead of spending the threshold forty times."""
    token = _page_budget.set([_inline_seconds()])
    try:
        yield
    finally:
        _page_budget.reset(token)


def _inline(run: MetricRun) -> bool:
    """Whether a dirty run is recomputed by this read."""
    budget = _page_budget.get()
    limit = _inline_seconds() if budget is None else min(_inline_seconds(), budget[0])
    return run.seconds <= limit


def read(metric: str, program: Program | None) -> Computed:
    """The metric's values per fiscal year for the scope, as described above."""
    run = MetricRun.objects.filter(metric=metric, scope=_scope(program)).first()
    if run is None or (run.dirty and _inline(run)):
        started = time.perf_counter()
        computed = refresh(metric, program)
        budget = _page_budget.get()
        if budget is not None:
            budget[0] -= time.perf_counter() - started
        return computed
    values = {v.fiscal_year: v.value for v in run.values.all()} if run.payload is None else {}
    return Computed(values, run.computed_at, stale=run.dirty, payload=run.payload)


def read_result(name: str) -> Computed:
    """A stored analysis (``metrics.RESULTS``): its JSON in ``payload``."""
    return read(name, None)


def _run_for_update(metric: str, scope: str, now: datetime, seconds: float) -> MetricRun:
    defaults = {"computed_at": now, "seconds": seconds}
    try:
        with transaction.atomic():
            MetricRun.objects.get_or_create(metric=metric, scope=scope, defaults=defaults)
    except IntegrityError:  # another reader created it first
        pass
    return MetricRun.objects.select_for_update().get(metric=metric, scope=scope)


def refresh(metric: str, program: Program | None) -> Computed:
    """Compute the metric now and store its values. A change to the records
    while it was computing leaves the run dirty, for the next refresh."""
    from openrd.strategy.metrics import DEFINITIONS, RESULTS

    scope = _scope(program)
    seen = MetricRun.objects.filter(metric=metric, scope=scope).values_list("generation", flat=True)
    generation = next(iter(seen), 0)
    now = timezone.now()
    started = time.perf_counter()
    payload = RESULTS[metric]() if metric in RESULTS else None
    values = DEFINITIONS[metric].compute(program) if payload is None else {}
    seconds = time.perf_counter() - started
    with transaction.atomic():
        run = _run_for_update(metric, scope, now, seconds)
        run.values.all().delete()
        MetricValue.objects.bulk_create(
            MetricValue(run=run, fiscal_year=fy, value=value) for fy, value in values.items()
        )
        run.computed_at, run.seconds, run.payload = now, seconds, payload
        run.dirty = run.generation != generation
        run.save(update_fields=["computed_at", "seconds", "dirty", "payload"])
    return Computed(dict(values), now, stale=run.dirty, payload=payload)


def mark_dirty(metrics: set[str]) -> int:
    """The records these metrics read have changed: their runs are due again."""
    return MetricRun.objects.filter(metric__in=metrics).update(
        dirty=True, generation=F("generation") + 1
    )


def _refresh_runs(runs: list[MetricRun]) -> int:
    programs = Program.objects.in_bulk({r.scope for r in runs if r.scope}, field_name="code")
    done = 0
    for run in runs:
        if run.scope and run.scope not in programs:
            run.delete()  # the program is gone; nothing reads this scope any more
            continue
        refresh(run.metric, programs.get(run.scope))
        done += 1
    return done


def refresh_dirty() -> int:
    """Recompute every dirty run; the number recomputed."""
    return _refresh_runs(list(MetricRun.objects.filter(dirty=True).order_by("metric", "scope")))


def refresh_all() -> int:
    """Recompute every run (nightly, and after a bulk load)."""
    return _refresh_runs(list(MetricRun.objects.order_by("metric", "scope")))
