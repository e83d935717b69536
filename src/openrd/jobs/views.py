"""The job page: progress that refreshes itself (htmx), and the cancel form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from openrd.core.access import deny
from openrd.jobs import services
from openrd.jobs.forms import CancelForm
from openrd.jobs.kinds import AUDIT_VERIFY
from openrd.jobs.presenters import job_dict
from openrd.jobs.queries import job_for, may_verify_audit, visible_jobs
from openrd.jobs.tasks import verify_audit_chain


def _context(request: HttpRequest, pk: int, form: CancelForm | None = None) -> dict[str, object]:
    job = job_for(request.user, pk, request=request)
    return {"job": job_dict(job), "form": form or CancelForm()}


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = [job_dict(job) for job in visible_jobs(request.user)[:50]]
    return render(
        request,
        "jobs/job_list.html",
        {"jobs": jobs, "can_verify_audit": may_verify_audit(request.user)},
    )


@login_required
@require_POST
def verify_audit(request: HttpRequest) -> HttpResponse:
    """Start the demo job: the audit chain checked in the background."""
    if not may_verify_audit(request.user):
        deny(request, what="jobs.verify_audit")
    job = services.start_job(AUDIT_VERIFY, request.user, verify_audit_chain)  # type: ignore[arg-type]
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "jobs/job_detail.html", _context(request, pk))


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, fetched every 2 s by the page while the job runs."""
    return render(request, "jobs/_progress.html", _context(request, pk))


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = job_for(request.user, pk, request=request)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return render(request, "jobs/job_detail.html", _context(request, pk, form), status=422)
    if services.cancel_job(job, request.user, request=request):  # type: ignore[arg-type]
        messages.success(request, _("The job has been cancelled."))
    else:
        messages.info(request, _("The job had already finished."))
    return redirect("jobs:detail", pk=pk)
