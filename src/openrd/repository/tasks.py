"""Periodic repository work (django.tasks; the schedule is openrd/jobs/schedule.toml)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from openrd.core.fiscal import to_tokyo
from openrd.repository import compliance_store, fixity, services, tus, usage
from openrd.repository.oai import rendered

# Events are kept this many months before the current one: the daily run
# recounts the previous month too, and a scheduler that was down a while
# still finds what it missed.
KEEP_EVENT_MONTHS = 3


@task
def lift_embargoes() -> list[int]:
    """Open the records whose embargo ends today (daily, just after midnight in Tokyo)."""
    return services.lift_embargoes()


@task
def check_fixity() -> dict[str, int]:
    """Re-hash every deposited file (weekly or so: it reads every byte)."""
    checks = fixity.check_fixity()
    return {"checked": len(checks), "failed": sum(1 for c in checks if not c.ok)}


@task
def aggregate_usage() -> dict[str, int]:
    """Count the previous and the current month (daily), then forget old events."""
    this_month = usage.month_start(to_tokyo(timezone.now()).date())
    previous = usage.month_start(this_month.replace(day=1) - timedelta(days=1))
    rows = usage.aggregate_month(previous) + usage.aggregate_month(this_month)
    oldest = this_month
    for _ in range(KEEP_EVENT_MONTHS):
        oldest = usage.month_start(oldest - timedelta(days=1))
    return {"rows": rows, "purged": usage.purge_events(oldest)}


@task
def clean_uploads() -> int:
    """Remove expired resumable uploads and their partial files (hourly)."""
    return tus.clean_expired_uploads()


@task
def render_harvest_records() -> int:
    """Render the OAI-PMH metadata the configured site lacks (nightly)."""
    return rendered.refresh_site()


@task
def judge_unjudged_outputs() -> int:
    """Judge the outputs left without an OA verdict (every few minutes)."""
    return compliance_store.judge_unjudged()


@task
def judge_all_outputs() -> int:
    """Judge every output again (nightly, before the metrics): for writes that sent no signal."""
    return compliance_store.judge_all()
