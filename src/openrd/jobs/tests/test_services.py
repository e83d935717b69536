"""Job services: start after commit, progress, cancel (audited), outcome once."""

import pytest
from django.tasks import task

from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.jobs import services
from openrd.jobs.models import Job, JobState
from openrd.jobs.testing import using_backend

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


@task
def record_call(job_id: int, **kwargs) -> None:
    CALLS.append({"job_id": job_id, **kwargs})


@pytest.fixture(autouse=True)
def _immediate():
    # These tests are about the services, not a backend: tasks run when enqueued.
    CALLS.clear()
    with using_backend("immediate"):
        yield


def test_start_job_creates_the_job_and_enqueues_only_after_commit(
    django_capture_on_commit_callbacks,
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.start_job("demo", owner, record_call, size=3)
    assert Job.objects.get(pk=job.pk).state == JobState.QUEUED
    assert CALLS == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert [{"job_id": job.pk, "size": 3}] == CALLS
    job.refresh_from_db()
    assert job.task_result_id
    entry = AuditEntry.objects.get(action="jobs.started")
    assert entry.object_id == str(job.pk)
    assert entry.actor_id == owner.pk


def test_a_rolled_back_start_enqueues_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    owner = UserFactory()

    def failing_request():
        with transaction.atomic():
            services.start_job("demo", owner, record_call)
            raise RuntimeError("the request failed after starting the job")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_request()
    assert callbacks == []
    assert CALLS == []
    assert not Job.objects.exists()


def test_progress_is_recorded_while_running_and_stops_a_cancelled_job():
    owner = UserFactory()
    job = Job.objects.create(kind="demo", owner=owner)
    assert services.begin(job.pk) is not None
    services.report_progress(job.pk, 5, 20)
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (JobState.RUNNING, 5, 20)
    assert job.started_at is not None
    assert services.cancel_job(job, owner) is True
    assert services.is_cancelled(job.pk)
    with pytest.raises(services.JobCancelled):
        services.report_progress(job.pk, 6)
    job.refresh_from_db()
    assert job.done == 5  # a cancelled job's figures stay where they stopped


def test_cancel_is_audited_and_a_finished_job_is_not_cancelled():
    owner = UserFactory()
    job = Job.objects.create(kind="demo", owner=owner)
    assert services.cancel_job(job, owner) is True
    entry = AuditEntry.objects.get(action="jobs.cancelled")
    assert entry.before == {"state": "queued"}
    assert entry.after == {"state": "cancelled"}
    assert entry.actor_id == owner.pk
    done = Job.objects.create(kind="demo", owner=owner, state=JobState.DONE)
    assert services.cancel_job(done, owner) is False
    assert AuditEntry.objects.filter(action="jobs.cancelled").count() == 1
    assert Job.objects.get(pk=done.pk).state == JobState.DONE


def test_the_outcome_is_written_once_however_often_the_task_runs():
    job = Job.objects.create(kind="demo", owner=UserFactory(), total=4)
    runs = []

    def body(j):
        runs.append(j.pk)
        return {"answer": 42}

    assert services.run_job(job.pk, body) == {"answer": 42}
    assert services.run_job(job.pk, body) is None  # run again: nothing happens
    job.refresh_from_db()
    assert (job.state, job.done, job.result) == (JobState.DONE, 4, {"answer": 42})
    assert runs == [job.pk]
    assert AuditEntry.objects.filter(action="jobs.finished", object_id=str(job.pk)).count() == 1


def test_a_failing_body_fails_the_job_with_its_error_and_reraises():
    job = Job.objects.create(kind="demo", owner=UserFactory())

    def body(j):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        services.run_job(job.pk, body)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "RuntimeError: disk full"


def test_a_cancelled_job_does_not_start():
    owner = UserFactory()
    job = Job.objects.create(kind="demo", owner=owner)
    services.cancel_job(job, owner)
    assert services.run_job(job.pk, lambda j: pytest.fail("must not run")) is None
