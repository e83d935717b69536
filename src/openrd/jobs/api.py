"""Jobs over the API: the owner reads progress and may cancel; others get 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from openrd.accounts.api_auth import api_auth
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut, ValidationErrorOut
from openrd.jobs import services
from openrd.jobs.presenters import job_dict
from openrd.jobs.queries import job_for

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    label: str
    state: str
    state_label: str
    done: int
    total: int | None
    percent: int | None
    rate: float | None
    rate_text: str
    eta_seconds: int | None
    eta_text: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any]
    error: str
    finished: bool
    cancellable: bool
    url: str


class CancelOut(Schema):
    cancelled: bool
    job: JobOut


@router.get(
    "/jobs/{job_id}",
    response={200: JobOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    auth=api_auth,
    summary="A job's progress (its owner only)",
)
def get_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return job_dict(job_for(request.user, job_id, request=request))


@router.post(
    "/jobs/{job_id}/cancel",
    response={200: CancelOut, **WRITE_ERRORS},
    auth=api_auth,
    summary="Cancel a queued or running job (its owner only); a finished job stays as it is",
)
def cancel_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    job = job_for(request.user, job_id, request=request)
    cancelled = services.cancel_job(job, request.user, request=request)  # type: ignore[arg-type]
    return {"cancelled": cancelled, "job": job_dict(job)}
