"""A slow job for the crash test, and its setup, run in a separate process."""

from __future__ import annotations

import time

from django.tasks import task

from openrd.jobs.services import report_progress, run_job

STEPS = 8
STEP_SECONDS = 0.15


@task
def slow_job(job_id: int) -> dict | None:
    """Long enough to be killed in the middle; safe to run again from the start."""

    def body(job):
        for step in range(1, STEPS + 1):
            time.sleep(STEP_SECONDS)
            report_progress(job.pk, step, STEPS)
        return {"steps": STEPS}

    return run_job(job_id, body)


def setup() -> int:
    from django.core.management import call_command

    from openrd.accounts.models import User
    from openrd.jobs.services import start_job

    call_command("migrate", "--noinput", verbosity=0)
    owner = User.objects.create_user(username="crash-owner")
    return start_job("crash-test", owner, slow_job).pk
