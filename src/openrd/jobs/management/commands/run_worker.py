"""Run one background worker for the configured task backend.

database: django-tasks-db's worker, with a heartbeat and the recovery of tasks
left RUNNING by a killed worker (openrd.jobs.worker). rq: django-rq's
``rqworker`` (start as many as needed, on any machine that reaches Redis),
beside the recovery of jobs abandoned by a killed worker (openrd.jobs.rq_recovery).
immediate: tasks run where they are enqueued; the worker only waits.
"""

from __future__ import annotations

import signal
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from openrd.jobs.worker import Heartbeat, beat, reclaim_stale


class Command(BaseCommand):
    help = "Run a background worker for OPENRD_TASKS_BACKEND (database, rq or immediate)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="default", help="comma-separated, or *")
        parser.add_argument("--interval", type=float, default=1.0, help="idle poll, seconds")
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="seconds of silence after which a dead worker's task runs again "
            "(default: OPENRD_TASKS_STALE_AFTER)",
        )
        parser.add_argument("--worker-id", default="", help="unique in the pool (default: random)")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = settings.OPENRD_TASKS_BACKEND
        if backend == "rq":
            self._run_rq(options)
            return
        if backend != "database":
            self.stdout.write("Tasks run where they are enqueued (immediate): no worker needed.")
            if not options["batch"]:
                # Kept alive so `tasks.py run` supervises the same three processes.
                try:
                    while True:
                        signal.pause()
                except KeyboardInterrupt:
                    pass
            return
        stale_after = options["stale_after"] or settings.OPENRD_TASKS_STALE_AFTER
        worker_id = options["worker_id"] or get_random_string(32)
        reclaimed = reclaim_stale(stale_after=stale_after)
        if reclaimed:
            self.stdout.write(f"{reclaimed} task(s) left by a stopped worker queued again")
        beat(worker_id)
        heartbeat = Heartbeat(worker_id, stale_after=stale_after)
        heartbeat.start()
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"Worker {worker_id} started (database backend)")
        try:
            worker.run()
        finally:
            heartbeat.stop()

    def _run_rq(self, options: dict[str, Any]) -> None:
        from django_rq.queues import get_queues
        from django_tasks_rq.backend import Job

        from openrd.jobs.rq_recovery import Recovery, requeue_abandoned

        names = options["queue_name"].split(",")
        queues = get_queues(*names, job_class=Job)
        limit = settings.OPENRD_TASKS_MAX_REQUEUES
        requeued = requeue_abandoned(queues, max_requeues=limit)
        if requeued:
            self.stdout.write(f"{requeued} job(s) abandoned by a stopped worker queued again")
        recovery = Recovery(queues, max_requeues=limit, interval=options["interval"] * 30)
        recovery.start()
        try:
            call_command("rqworker", *names, *(["--burst"] if options["batch"] else []))
        finally:
            recovery.stop()
