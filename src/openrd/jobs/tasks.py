"""Background tasks of the jobs app (django.tasks only: the backend is a setting)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.tasks import task
from django.utils import timezone

from openrd.core.audit import chain_links, current_checkpoint
from openrd.core.audit_chain import Link, verify
from openrd.jobs.models import Job
from openrd.jobs.services import report_progress, run_job

VERIFY_BATCH = 500


@task
def verify_audit_chain(job_id: int, batch: int = VERIFY_BATCH) -> dict[str, Any] | None:
    """Walk the audit log's hash chain in batches, reporting progress.

    Only reads, and its outcome is written once (services.finish_job): run
    again after a crash, it gives the same answer and one "finished" entry."""
    return run_job(job_id, lambda job: _verify(job, max(1, int(batch))))


def _verify(job: Job, batch: int) -> dict[str, Any]:
    head = current_checkpoint()
    # The entries up to the head taken now; later ones are the next run's.
    report_progress(job.pk, 0, head.seq)
    broken = verify(_counted(chain_links(batch=batch), job.pk, batch, head.seq), None)
    if broken is not None:
        return {"intact": False, "entries": head.seq, "break": str(broken)}
    return {"intact": True, "entries": head.seq, "head": head.hash}


def _counted(links: Iterable[Link], job_id: int, batch: int, total: int) -> Iterator[Link]:
    done = 0
    for link in links:
        if link.seq > total:
            return
        yield link
        done += 1
        if done % batch == 0:
            report_progress(job_id, done, total)
    report_progress(job_id, done, total)


@task
def export_audit_checkpoint() -> str:
    """Verify the chain and write its head under var/audit-checkpoints/ (daily).

    Copy those files somewhere the database's writers cannot reach: a later
    ``verify_audit --checkpoint FILE`` then detects a truncated or rewritten log."""
    folder = settings.VAR_DIR / "audit-checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"checkpoint-{timezone.now():%Y%m%dT%H%M%S}.json"
    call_command("verify_audit", export_checkpoint=path, stdout=io.StringIO())
    return str(path)
