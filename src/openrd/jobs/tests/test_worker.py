"""Recovery of tasks left RUNNING by a dead worker (database backend)."""

import datetime as dt

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from openrd.jobs.models import WorkerBeat
from openrd.jobs.worker import beat, reclaim_stale

pytestmark = pytest.mark.django_db


def _running(worker_id, started_at):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="openrd.jobs.tasks.export_audit_checkpoint",
        backend_name="default", run_after=timezone.now(), status=TaskResultStatus.RUNNING,
        started_at=started_at, worker_ids=[worker_id],
    )  # fmt: skip


def test_a_task_of_a_silent_worker_is_queued_again_and_a_live_workers_is_not():
    now = timezone.now()
    long_ago = now - dt.timedelta(seconds=120)
    beat("alive", now - dt.timedelta(seconds=5))
    beat("dead", now - dt.timedelta(seconds=90))
    kept = _running("alive", long_ago)
    lost = _running("dead", long_ago)
    never_beat = _running("unknown", long_ago)
    assert reclaim_stale(stale_after=60, now=now) == 2
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[kept.pk] == TaskResultStatus.RUNNING
    assert statuses[lost.pk] == TaskResultStatus.READY
    assert statuses[never_beat.pk] == TaskResultStatus.READY
    # The reclaimed task is ready for the next worker.
    assert DBTaskResult.objects.ready().filter(pk=lost.pk).exists()
    assert not WorkerBeat.objects.filter(worker_id="dead").exists()


def test_a_task_claimed_a_moment_ago_is_left_to_its_worker():
    now = timezone.now()
    fresh = _running("starting", now - dt.timedelta(seconds=2))
    assert reclaim_stale(stale_after=60, now=now) == 0
    fresh.refresh_from_db()
    assert fresh.status == TaskResultStatus.RUNNING
