"""Helpers for tests that enqueue tasks: run what is queued, on any backend.

The test suite uses the configured backend (OPENRD_TASKS_BACKEND, default
"database"), so enqueued work lands where it would in production;
:func:`run_queued_tasks` then runs it in this process with that backend's own
worker (django-tasks-db's loop, or an RQ worker in burst mode), inside the
test's transaction. With "immediate" the tasks ran already.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from unittest import mock

from asgiref.local import Local
from django.conf import settings
from django.tasks import task_backends
from django.test import override_settings

# Tests only ever touch this Redis database, and flush only it.
TEST_REDIS_URL = "redis://127.0.0.1:6379/5"


def run_queued_tasks() -> int:
    """Run every task queued on the default backend now; returns how many ran."""
    backend = settings.OPENRD_TASKS_BACKEND
    if backend == "database":
        from django_tasks_db.management.commands import db_worker
        from django_tasks_db.models import DBTaskResult

        before = DBTaskResult.objects.finished().count()
        worker = db_worker.Worker(
            queue_names=["*"], interval=0, batch=True, backend_name="default",
            startup_delay=False, max_tasks=None, worker_id="test-worker",
            excluded_queue_names=[],
        )  # fmt: skip
        # The worker closes "old" connections between tasks; inside a test's
        # transaction that would close the test's own connection.
        with mock.patch.object(db_worker, "close_old_connections", return_value=None):
            worker.run()
        return DBTaskResult.objects.finished().count() - before
    if backend == "rq":
        import django_rq
        from django_tasks_rq.backend import Job
        from rq.worker import SimpleWorker

        queue = django_rq.get_queue("default", job_class=Job)
        count = queue.count
        # SimpleWorker runs the job in this process: the test's database
        # transaction (and its data) is what the task sees.
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
        return count
    return 0


def reset_task_backends() -> None:
    """Forget the backends built from TASKS (Django does not on a settings change)."""
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None  # type: ignore[attr-defined]
    task_backends._connections = Local(task_backends.thread_critical)  # type: ignore[attr-defined]


@contextmanager
def using_backend(name: str) -> Iterator[None]:
    """Switch the task backend for a block ("database", "rq" or "immediate")."""
    paths = {
        "database": "django_tasks_db.DatabaseBackend",
        "rq": "django_tasks_rq.RQBackend",
        "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    }
    with override_settings(
        OPENRD_TASKS_BACKEND=name,
        TASKS={"default": {"BACKEND": paths[name]}},
        RQ_QUEUES={"default": {"URL": TEST_REDIS_URL}},
    ):
        reset_task_backends()
        try:
            yield
        finally:
            reset_task_backends()
    reset_task_backends()


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid`` (Linux /proc), children first."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid …": comm may hold spaces, so split after ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL a worker and everything it started, as when its machine is lost.

    RQ's work horse leaves its parent's process group (``setpgrp``), so killing
    the group alone would let the task run on to its end.
    """
    for victim in [pid, *descendants(pid)]:
        with suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
