"""Reads: a job is visible to its owner only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from openrd.core.access import get_visible_or_404
from openrd.jobs.models import Job

if TYPE_CHECKING:
    from django.http import HttpRequest


def visible_jobs(user: Any) -> QuerySet[Job]:
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def job_for(user: Any, job_id: int, *, request: HttpRequest | None = None) -> Job:
    """The user's job, or 404 (someone else's job is audited as a denied access)."""
    return get_visible_or_404(visible_jobs(user), request=request, user=user, pk=job_id)


def may_verify_audit(user: Any) -> bool:
    """The audit log is the operators' concern: staff start its verification."""
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)
