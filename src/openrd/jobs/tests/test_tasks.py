"""The demo job and the scheduled checkpoint, run by the configured backend's
own worker (CI runs these again with OPENRD_TASKS_BACKEND=rq)."""

import datetime as dt
import json

import pytest
from django.tasks import task
from django.utils import timezone

from openrd.accounts.tests.factories import UserFactory
from openrd.core import audit
from openrd.core.models import AuditEntry
from openrd.jobs import services
from openrd.jobs.kinds import AUDIT_VERIFY
from openrd.jobs.models import JobState, ScheduledRun
from openrd.jobs.schedule import load_schedule, parse_schedule
from openrd.jobs.scheduler import run_due
from openrd.jobs.tasks import verify_audit_chain
from openrd.jobs.testing import run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.tasks]


def test_the_audit_verification_job_walks_the_chain_in_batches_and_reports(
    task_backend, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    for n in range(7):
        audit.record("test.event", object_type="demo", object_id=str(n))
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_job(AUDIT_VERIFY, owner, verify_audit_chain, batch=3)
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == JobState.DONE, job.error
    # 7 entries plus "jobs.started", written before the walk began.
    assert job.result["intact"] is True
    assert job.result["entries"] == 8
    assert (job.done, job.total) == (8, 8)
    assert job.task_result_id
    assert AuditEntry.objects.filter(action="jobs.finished", object_id=str(job.pk)).count() == 1


def test_a_cancelled_job_is_not_run_by_the_worker(task_backend, django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=task_backend != "immediate"):
        job = services.start_job(AUDIT_VERIFY, owner, verify_audit_chain)
    services.cancel_job(job, owner)
    run_queued_tasks()
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert not AuditEntry.objects.filter(action="jobs.finished").exists()


def test_the_scheduler_enqueues_the_audit_checkpoint_once_per_slot(
    task_backend, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    # Other apps' entries are theirs to test.
    entries = [e for e in load_schedule() if e.name == "audit-checkpoint"]
    now = dt.datetime(2026, 4, 1, 3, 0, tzinfo=dt.UTC)
    first = run_due(entries, now=now)
    # A second scheduler, or the same one a minute later: same slot, nothing new.
    assert run_due(entries, now=now + dt.timedelta(minutes=1)) == []
    assert [r.entry for r in first] == ["audit-checkpoint"]
    assert ScheduledRun.objects.count() == 1
    run_queued_tasks()
    files = list((tmp_path / "audit-checkpoints").glob("checkpoint-*.json"))
    assert len(files) == 1
    assert set(json.loads(files[0].read_text())) == {"seq", "hash", "at"}
    # The next day's slot is a new run.
    assert len(run_due(entries, now=now + dt.timedelta(days=1))) == 1


def test_every_entry_is_enqueued_at_each_new_period(task_backend):
    entries = parse_schedule(
        '[[entry]]\nname = "tick"\ntask = "openrd.jobs.tests.test_tasks.tick"\n'
        'when = "every 15 minutes"\n'
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    slots = [start + dt.timedelta(minutes=m) for m in (0, 5, 14, 15, 29, 30)]
    TICKS.clear()
    enqueued = [len(run_due(entries, now=at)) for at in slots]
    assert enqueued == [1, 0, 0, 1, 0, 1]
    run_queued_tasks()
    assert len(TICKS) == 3


TICKS: list[int] = []


@task
def tick() -> None:
    TICKS.append(1)
