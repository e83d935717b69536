"""Glue around the database worker (django-tasks-db): heartbeats and the
recovery of tasks lost with a killed worker.

django-tasks-db claims a task by setting it RUNNING and never looks at it
again: a worker killed mid-task (SIGKILL, out of memory, a lost machine)
leaves the task RUNNING for ever. Each worker here records a heartbeat; a
task RUNNING under a worker silent for ``stale_after`` seconds is put back to
READY, and the next free worker runs it again from the start. Tasks are
therefore written to be safe to run twice (see services.finish_job).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.db import close_old_connections, connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from openrd.jobs.models import WorkerBeat

logger = logging.getLogger("openrd.jobs")


def beat(worker_id: str, now: dt.datetime | None = None) -> None:
    WorkerBeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": now or timezone.now()}
    )


def reclaim_stale(*, stale_after: float, now: dt.datetime | None = None) -> int:
    """Queue again every task RUNNING under a worker silent for ``stale_after``
    seconds (or without any heartbeat); returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stale_after)
    alive = set(WorkerBeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    # Started before the cutoff: a task claimed a moment ago by a worker whose
    # first beat is still on its way is not taken from it.
    running = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    lost = [
        pk for pk, worker_ids in running.values_list("pk", "worker_ids")
        if not worker_ids or worker_ids[-1] not in alive
    ]  # fmt: skip
    if not lost:
        return 0
    count = DBTaskResult.objects.filter(pk__in=lost, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    WorkerBeat.objects.filter(seen_at__lt=cutoff).delete()
    logger.warning("Queued again %d task(s) left running by a stopped worker", count)
    return count


class Heartbeat(threading.Thread):
    """Beats for this worker and reclaims the tasks of dead ones, in the
    background (its own database connection), until stopped."""

    def __init__(self, worker_id: str, *, stale_after: float) -> None:
        super().__init__(name="openrd-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stale_after = stale_after
        self.interval = max(0.2, stale_after / 4)
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                close_old_connections()
                try:
                    beat(self.worker_id)
                    reclaim_stale(stale_after=self.stale_after)
                except Exception:
                    # A busy database now and then must not stop the beating.
                    logger.exception("Heartbeat of worker %s failed", self.worker_id)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
        WorkerBeat.objects.filter(worker_id=self.worker_id).delete()
