"""Usage statistics to the COUNTER Code of Practice, Release 5.

A landing-page view is an investigation; a download is a request (and, in
COUNTER's terms, an investigation too). Each is kept as a ``UsageEvent`` until
it is counted into ``UsageMonth`` rows by :func:`aggregate_month`, which
filters double clicks (the same user-session, item and kind within 30 seconds
count once) and counts each metric total and unique (distinct user-sessions).

Robots are dropped on arrival: their user agents are matched against the
patterns in ``data/robots.json`` (the idea of the COUNTER-Robots list, our own
list). The user-session is COUNTER's: the client's address, its user agent and
the hour. Neither the address nor the agent is stored, only a keyed SHA-256
(HMAC with the site's secret) of the three: without the key, the digest of an
IPv4 address and a common browser could be found by trying them all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrd.core.client_ip import client_ip
from openrd.core.fiscal import TOKYO
from openrd.repository.models import (
    DepositStatus,
    Output,
    OutputFile,
    UsageEvent,
    UsageMetric,
    UsageMonth,
)

ROBOTS = Path(__file__).resolve().parent / "data" / "robots.json"
DOUBLE_CLICK_SECONDS = 30
M = UsageMetric


# --- robots -------------------------------------------------------------------------------


def robot_patterns() -> list[str]:
    return list(json.loads(ROBOTS.read_text(encoding="utf-8"))["patterns"])


@lru_cache(maxsize=1)
def _robots() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in robot_patterns()), re.IGNORECASE)


def is_robot(user_agent: str) -> bool:
    """A crawler, a harvester, a script or a monitor: anything not a person's
    browser. No user agent at all counts as a robot too (COUNTER counts people)."""
    return _robots().search(user_agent.strip()) is not None


# --- recording ----------------------------------------------------------------------------


def session_id(address: str | None, user_agent: str, at: datetime) -> str:
    """COUNTER's user-session: one client (address and agent) within one hour."""
    hour = at.astimezone(UTC).strftime("%Y-%m-%dT%H")
    message = "\x1f".join((address or "", user_agent, hour)).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def record_usage(request: HttpRequest, output: Output, file: OutputFile | None = None) -> None:
    """Count a landing-page view (``file`` None: an investigation) or a download
    (a request), unless the client is a robot."""
    if output.status != DepositStatus.PUBLISHED:
        # Drafts, deposits under curation and tombstones are not usage of a
        # published work (their own people looking at them least of all).
        return
    user_agent = request.headers.get("User-Agent", "")
    if is_robot(user_agent):
        return
    now = timezone.now()
    UsageEvent.objects.create(
        output=output,
        file=file,
        is_request=file is not None,
        at=now,
        session=session_id(client_ip(request), user_agent, now),
    )


# --- counting -------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _bounds(month: date) -> tuple[datetime, datetime]:
    # Months are Tokyo months, like every date the site shows.
    start = month_start(month)
    return (
        datetime(start.year, start.month, 1, tzinfo=TOKYO),
        datetime(next_month(start).year, next_month(start).month, 1, tzinfo=TOKYO),
    )


def _after_double_clicks(times: list[datetime]) -> int:
    """How many of these clicks (sorted) count: a click within 30 seconds of the
    one before it is the same click (COUNTER R5, 7.3)."""
    counted = 0
    previous: datetime | None = None
    for at in times:
        if previous is None or (at - previous).total_seconds() > DOUBLE_CLICK_SECONDS:
            counted += 1
        previous = at
    return counted


def count_events(events: Iterable[tuple[int, str, bool, datetime]]) -> dict[int, dict[str, int]]:
    """The four item metrics per output from (output, session, is_request, at) rows."""
    clicks: dict[tuple[int, str, bool], list[datetime]] = defaultdict(list)
    for output_id, session, is_request, at in events:
        clicks[(output_id, session, is_request)].append(at)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(M.values, 0))
    investigated: dict[int, set[str]] = defaultdict(set)
    requested: dict[int, set[str]] = defaultdict(set)
    for (output_id, session, is_request), times in clicks.items():
        counted = _after_double_clicks(sorted(times))
        row = counts[output_id]
        # Every request is also an investigation (COUNTER R5, 3.3.2).
        row[M.TOTAL_INVESTIGATIONS] += counted
        investigated[output_id].add(session)
        if is_request:
            row[M.TOTAL_REQUESTS] += counted
            requested[output_id].add(session)
    for output_id, row in counts.items():
        row[M.UNIQUE_INVESTIGATIONS] = len(investigated[output_id])
        row[M.UNIQUE_REQUESTS] = len(requested[output_id])
    return dict(counts)


@transaction.atomic
def aggregate_month(month: date) -> int:
    """Count ``month``'s events into ``UsageMonth`` rows, replacing what was
    counted for it before (safe to run again); returns the rows written."""
    start, end = _bounds(month)
    events = UsageEvent.objects.filter(at__gte=start, at__lt=end).values_list(
        "output_id", "session", "is_request", "at"
    )
    counts = count_events(events.iterator(chunk_size=2000))
    first = month_start(month)
    UsageMonth.objects.filter(month=first).delete()
    rows = [
        UsageMonth(output_id=output_id, month=first, metric=metric, count=count)
        for output_id, metrics in sorted(counts.items())
        for metric, count in metrics.items()
        if count
    ]
    UsageMonth.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def purge_events(before: date) -> int:
    """Forget events of months before ``before`` (already counted)."""
    start, _end = _bounds(before)
    deleted, _ = UsageEvent.objects.filter(at__lt=start).delete()
    return deleted


# --- reading --------------------------------------------------------------------------------


def usage_for(output: Output) -> dict[date, dict[str, int]]:
    """The output's counted months, oldest first, each metric present (0 if none)."""
    months: dict[date, dict[str, int]] = {}
    for month, metric, count in output.usage_months.order_by("month", "metric").values_list(
        "month", "metric", "count"
    ):
        months.setdefault(month, dict.fromkeys(M.values, 0))[metric] = count
    return months


def _months(month_from: date, month_to: date) -> list[date]:
    months, month = [], month_start(month_from)
    while month <= month_start(month_to):
        months.append(month)
        month = next_month(month)
    return months


def counter_report(month_from: date, month_to: date) -> list[dict[str, Any]]:
    """An item report (COUNTER IR-like): one row per item and metric, with the
    count of each month of the period and the period's total. Items are the
    records with a public page; metrics in COUNTER's order and names."""
    months = _months(month_from, month_to)
    if not months:
        return []
    found = (
        UsageMonth.objects.filter(
            month__gte=months[0],
            month__lte=months[-1],
            output__published_at__isnull=False,
        )
        .select_related("output")
        .order_by("output_id", "metric", "month")
    )
    table: dict[tuple[int, str], dict[str, Any]] = {}
    for usage in found:
        output = usage.output
        row = table.setdefault(
            (output.pk, usage.metric),
            {
                "item_id": output.pk,
                "concept_id": output.concept_id,
                "title": output.title,
                "doi": output.doi,
                "metric": M(usage.metric).label,
                "months": dict.fromkeys(months, 0),
                "total": 0,
            },
        )
        row["months"][usage.month] = usage.count
        row["total"] += usage.count
    order = {metric: i for i, metric in enumerate(M.values)}
    return [table[key] for key in sorted(table, key=lambda k: (k[0], order[k[1]]))]
