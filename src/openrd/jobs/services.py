"""The only writers of jobs: start, progress, finish, cancel.

A job's task receives ``job_id`` and calls :func:`begin` first; whatever it
does must be safe to run twice (a killed worker's task runs again), and its
outcome is written once by :func:`finish_job`, which does nothing for a job
already finished.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from openrd.core import audit
from openrd.jobs.models import FINISHED_STATES, Job, JobState

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.tasks import Task

    from openrd.accounts.models import User


class JobCancelled(Exception):
    """Raised inside a job's task when its owner cancelled it: stop quietly."""


@transaction.atomic
def start_job(kind: str, owner: User, task: Task, **kwargs: Any) -> Job:
    """Create the job and enqueue ``task(job_id=…, **kwargs)`` once the
    transaction commits, so a rolled-back request leaves no task behind."""
    job = Job.objects.create(kind=kind, owner=owner, kwargs=kwargs)
    audit.record("jobs.started", actor=owner, obj=job, after={"kind": kind, "state": job.state})
    job_id = job.pk

    def enqueue() -> None:
        result = task.enqueue(job_id=job_id, **kwargs)
        Job.objects.filter(pk=job_id).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def begin(job_id: int) -> Job | None:
    """Mark the job running; None when it must not run (cancelled or finished).

    A job started again after its worker died keeps its first start time."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in FINISHED_STATES:
            return None
        job.state = JobState.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["state", "started_at"])
    return job


def run_job(job_id: int, body: Callable[[Job], dict[str, Any]]) -> dict[str, Any] | None:
    """Run a job's work: begin, the body, then its outcome written once.

    A cancelled job stops at the body's next progress report; an error fails
    the job (its text shown to the owner) and is raised again for the worker."""
    job = begin(job_id)
    if job is None:
        return None
    try:
        result = body(job)
    except JobCancelled:
        return None
    except Exception as exc:
        finish_job(job_id, error=f"{type(exc).__name__}: {exc}")
        raise
    finish_job(job_id, result=result)
    return result


def report_progress(job_id: int, done: int, total: int | None = None) -> None:
    """Record how far a running job is; raises JobCancelled once it was cancelled.

    One UPDATE, no audit entry: progress is not a change of state."""
    fields: dict[str, Any] = {"done": max(0, done)}
    if total is not None:
        fields["total"] = max(0, total)
    Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(**fields)
    if is_cancelled(job_id):
        raise JobCancelled(job_id)


def is_cancelled(job_id: int) -> bool:
    return Job.objects.filter(pk=job_id, state=JobState.CANCELLED).exists()


def finish_job(job_id: int, *, result: dict[str, Any] | None = None, error: str = "") -> bool:
    """Write the outcome once: True if this call finished the job, False if it
    was already finished (a second run of the same task) or cancelled."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in FINISHED_STATES:
            return False
        before = {"state": job.state}
        job.state = JobState.FAILED if error else JobState.DONE
        job.finished_at = timezone.now()
        job.result = result or {}
        job.error = error[:4000]
        if not error and job.total is not None:
            job.done = job.total
        job.save(update_fields=["state", "finished_at", "result", "error", "done"])
        audit.record(
            "jobs.finished",
            obj=job,
            before=before,
            after={"state": job.state, "result": job.result, "error": job.error},
        )
    return True


@transaction.atomic
def cancel_job(job: Job, actor: User, *, request: HttpRequest | None = None) -> bool:
    """Cancel a queued or running job; False (nothing written) if it had finished.

    The running task notices at its next progress report and stops."""
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.state in FINISHED_STATES:
        return False
    before = {"state": locked.state}
    locked.state = JobState.CANCELLED
    locked.finished_at = timezone.now()
    locked.save(update_fields=["state", "finished_at"])
    audit.record(
        "jobs.cancelled", actor=actor, obj=locked, before=before,
        after={"state": locked.state}, request=request,
    )  # fmt: skip
    job.state, job.finished_at = locked.state, locked.finished_at
    return True
