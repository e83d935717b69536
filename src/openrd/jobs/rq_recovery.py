"""Recovery of RQ tasks lost with a killed worker.

RQ notices a dead work horse only through its missed heartbeat: the entry in
the queue's StartedJobRegistry expires (at least 60 s after the last beat),
and the registry's cleanup then fails the job with ``AbandonedJobError``, as
if the task had raised. A worker killed by SIGKILL, the out-of-memory killer
or a lost machine would so turn a task that never ran to the end into a
failure. Here an abandoned job is put back on its queue instead, up to
``max_requeues`` times (a task that kills its worker every time must not
loop for ever), and the next free worker runs it again from the start, as the
database backend does (openrd.jobs.worker). Tasks are written to be safe to
run twice.

A job that raised an exception of its own is left failed: running it again
would fail again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.queue import Queue

logger = logging.getLogger("openrd.jobs")

ABANDONED = "rq.exceptions.AbandonedJobError"
# django-tasks-rq keeps the class of each failure in the job's meta.
FAILURES_META = "_django_tasks_rq_exceptions"
REQUEUES_META = "openrd_requeues"


def was_abandoned(meta: dict) -> bool:
    """True when the job's latest failure is its worker's death, not an exception."""
    failures = meta.get(FAILURES_META) or []
    return bool(failures) and failures[-1] == ABANDONED


def requeue_abandoned(
    queues: Iterable[Queue], *, max_requeues: int, now: float | None = None
) -> int:
    """Fail the expired entries of each queue's started registry (RQ's own
    cleanup), then queue again those that failed only because their worker
    died; returns how many were queued again.

    ``now`` (a Unix time) stands for the moment of the cleanup; tests pass a
    later one instead of waiting for RQ's heartbeat to run out.
    """
    count = 0
    for queue in queues:
        queue.started_job_registry.cleanup(timestamp=now)
        failed = queue.failed_job_registry
        for job_id in failed.get_job_ids(cleanup=False):
            try:
                job = queue.job_class.fetch(job_id, connection=queue.connection)
            except NoSuchJobError:
                continue
            if not was_abandoned(job.meta):
                continue
            done = int(job.meta.get(REQUEUES_META, 0))
            if done >= max_requeues:
                continue
            job.meta[REQUEUES_META] = done + 1
            job.save_meta()
            try:
                # Removes the job from the registry atomically: of two workers
                # recovering at once, only one queues it.
                failed.requeue(job)
            except InvalidJobOperation:
                continue
            count += 1
            logger.warning("Queued again RQ job %s abandoned by a stopped worker", job.id)
    return count


class Recovery(threading.Thread):
    """Runs :func:`requeue_abandoned` every ``interval`` seconds beside an RQ
    worker until stopped; every worker of the pool runs one."""

    def __init__(self, queues: list[Queue], *, max_requeues: int, interval: float) -> None:
        super().__init__(name="openrd-rq-recovery", daemon=True)
        self.queues = queues
        self.max_requeues = max_requeues
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                requeue_abandoned(self.queues, max_requeues=self.max_requeues, now=time.time())
            except Exception:
                # Redis restarting now and then must not end the recovery.
                logger.exception("Recovery of abandoned RQ jobs failed")

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
