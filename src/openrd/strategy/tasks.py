"""The scheduler's refreshes of the stored metric values (openrd/jobs/schedule.toml)."""

from __future__ import annotations

from django.tasks import task

from openrd.strategy import metric_store


@task
def refresh_dirty_metrics() -> int:
    """Every few minutes: the metrics whose records changed."""
    return metric_store.refresh_dirty()


@task
def refresh_all_metrics() -> int:
    """Nightly: every metric, for what moves with the calendar or came in bulk."""
    return metric_store.refresh_all()
