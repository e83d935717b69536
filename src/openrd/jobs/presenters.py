"""One view of a job for the page and the API: plain dicts, figures formatted once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openrd.jobs.kinds import label
from openrd.jobs.models import Job, JobState
from openrd.jobs.rules import estimate


def format_rate(rate: float | None) -> str:
    if rate is None:
        return ""
    shown = f"{rate:,.0f}" if rate >= 10 else f"{rate:,.1f}"
    return _("%(rate)s items per second") % {"rate": shown}


def format_eta(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return ngettext("about %(count)d second left", "about %(count)d seconds left", seconds) % {
            "count": seconds
        }
    minutes = max(1, round(seconds / 60))
    if minutes < 120:
        return ngettext("about %(count)d minute left", "about %(count)d minutes left", minutes) % {
            "count": minutes
        }
    hours = round(minutes / 60)
    return ngettext("about %(count)d hour left", "about %(count)d hours left", hours) % {
        "count": hours
    }


def job_dict(job: Job, *, now: dt.datetime | None = None) -> dict[str, Any]:
    est = estimate(
        done=job.done, total=job.total, started_at=job.started_at, now=now or timezone.now()
    )
    running = job.state == JobState.RUNNING
    return {
        "id": job.pk,
        "kind": job.kind,
        "label": label(job.kind),
        "state": job.state,
        "state_label": str(JobState(job.state).label),
        "done": job.done,
        "total": job.total,
        "percent": round(est.fraction * 100) if est.fraction is not None else None,
        "rate": est.rate if running else None,
        "rate_text": format_rate(est.rate) if running else "",
        "eta_seconds": est.eta_seconds if running else None,
        "eta_text": format_eta(est.eta_seconds) if running else "",
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "result": job.result,
        "error": job.error,
        "finished": job.is_finished,
        "cancellable": not job.is_finished,
        "url": reverse("jobs:detail", args=[job.pk]),
    }
