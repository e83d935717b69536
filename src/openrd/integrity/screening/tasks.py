"""Background screening: one proposal at submission, or a whole call (a run)."""

from __future__ import annotations

from django.tasks import task


@task
def screen_proposal_task(source_key: str) -> int:
    """Check one proposal once its submission committed; returns the flags found."""
    from openrd.integrity.screening.services import screen_proposal

    return len(screen_proposal(source_key))


@task
def screen_call_task(run_id: int) -> str:
    """Screen every active proposal of the run's call, reporting progress on the run."""
    from openrd.integrity.screening.services import execute_run

    run = execute_run(run_id)
    return run.status if run is not None else ""
