"""Proposals over the REST API: the same services as the pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from openrd.accounts.api_auth import api_auth
from openrd.core.access import deny
from openrd.core.api_schemas import ErrorOut, RefusalOut, ValidationErrorOut
from openrd.core.api_types import Yen
from openrd.programs.models import Call
from openrd.proposals import services
from openrd.proposals.downloads import file_response
from openrd.proposals.presenters import proposal_dict, proposal_summary
from openrd.proposals.queries import (
    OWNER,
    ProposalAccess,
    proposal_access,
    visible_accesses,
)

router = Router(tags=["proposals"], auth=api_auth)


class BudgetLineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    fiscal_year: int = Field(ge=1989, le=2200)
    amount_yen: Yen


class ProposalFields(Schema):
    model_config = ConfigDict(extra="forbid")
    title_ja: str | None = Field(None, max_length=300)
    title_en: str | None = Field(None, max_length=300)
    abstract_ja: str | None = Field(None, max_length=4000)
    abstract_en: str | None = Field(None, max_length=4000)
    effort_percent: int | None = Field(None, description="Effort on this project, 1–100 %")
    budget: list[BudgetLineIn] | None = None
    co_investigators: list[str] | None = Field(
        None, description="e-Rad researcher numbers of the co-investigators"
    )


class ProposalCreate(ProposalFields):
    call_id: int


class ProposalPatch(ProposalFields):
    revision: int = Field(description="The revision the editor started from (optimistic lock)")


class BudgetLineOut(Schema):
    fiscal_year: int
    amount_yen: int


class PersonOut(Schema):
    name_ja: str
    name_en: str
    erad_researcher_number: str | None = None


class InstitutionOut(Schema):
    code: str
    name_ja: str
    name_en: str


class AttachmentOut(Schema):
    document_code: str
    filename: str
    sha256: str
    size: int
    url: str


class FieldChangeOut(Schema):
    field: str
    old: str
    new: str


class DisclosureChangeOut(Schema):
    section: str
    kind: str
    label: str
    fields: list[FieldChangeOut]


class VersionOut(Schema):
    number: int
    submitted_at: datetime
    endorsement: str
    endorsed_at: datetime | None
    return_comment: str
    disclosure_version: int
    content: dict[str, Any]
    disclosure_changes: list[DisclosureChangeOut] | None = None


class ProposalOut(Schema):
    id: int
    view: str = Field(description="owner, institution or agency: which view of the proposal")
    call_id: int
    call_code: str
    status: str
    revision: int | None
    applicant: PersonOut
    title_ja: str
    title_en: str
    abstract_ja: str
    abstract_en: str
    effort_percent: int | None
    institution: InstitutionOut
    budget: list[BudgetLineOut]
    co_investigators: list[PersonOut]
    attachments: list[AttachmentOut]
    versions: list[VersionOut]


class ConflictOut(Schema):
    detail: str
    current: ProposalOut
    yours: dict[str, Any]


class ReturnIn(Schema):
    model_config = ConfigDict(extra="forbid")
    comment: str = Field(min_length=1, max_length=2000)


def _changes(payload: ProposalFields) -> services.DraftChanges:
    data = payload.model_dump(exclude_unset=True, exclude={"revision", "call_id"})
    budget = data.pop("budget", None)
    members = data.pop("co_investigators", None)
    return services.DraftChanges(
        fields={k: ("" if v is None and k != "effort_percent" else v) for k, v in data.items()},
        budget=[(b["fiscal_year"], b["amount_yen"]) for b in budget]
        if budget is not None
        else None,
        co_investigators=members,
    )


def _owner_access(request: HttpRequest, pk: int, perm: str) -> ProposalAccess:
    access = proposal_access(request.user, pk, request=request)
    if access.mode != OWNER or not request.user.has_perm(perm, access.proposal):
        deny(request, access.proposal)
    return access


class ProposalSummaryOut(Schema):
    id: int
    view: str
    call_id: int
    call_code: str
    status: str
    title_ja: str
    title_en: str
    institution: str
    latest_version: int | None
    endorsement: str | None


@router.get(
    "/proposals",
    response=list[ProposalSummaryOut],
    summary="Proposals the user may see (summaries; GET /proposals/{id} for one in full)",
)
def list_proposals(request: HttpRequest) -> list[dict[str, Any]]:
    return [proposal_summary(access) for access in visible_accesses(request.user)]


@router.post(
    "/proposals",
    response={201: ProposalOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Start a draft proposal for an open call",
)
def create_proposal(request: HttpRequest, payload: ProposalCreate) -> Status:
    if not request.user.has_perm("proposals.create_proposal"):
        deny(request, what="proposal")
    call = get_object_or_404(Call.objects.exclude(status="draft"), pk=payload.call_id)
    changes = _changes(payload)
    proposal = services.create_proposal(actor=request.user, call=call)  # type: ignore[arg-type]
    if changes.fields or changes.budget is not None or changes.co_investigators is not None:
        proposal = services.save_draft(
            proposal,
            actor=request.user,  # type: ignore[arg-type]
            revision=proposal.revision,
            changes=changes,
        )
    return Status(201, proposal_dict(ProposalAccess(proposal, OWNER)))


@router.get(
    "/proposals/{pk}",
    response={200: ProposalOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def get_proposal(request: HttpRequest, pk: int) -> dict[str, Any]:
    return proposal_dict(proposal_access(request.user, pk, request=request))


@router.patch(
    "/proposals/{pk}",
    response={
        200: ProposalOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ConflictOut,
        422: ValidationErrorOut,
    },
    summary="Save changes to a draft; 409 when someone saved since `revision`",
)
def update_proposal(request: HttpRequest, pk: int, payload: ProposalPatch) -> Any:
    access = _owner_access(request, pk, "proposals.edit_proposal")
    try:
        proposal = services.save_draft(
            access.proposal,
            actor=request.user,  # type: ignore[arg-type]
            revision=payload.revision,
            changes=_changes(payload),
        )
    except services.StaleRevision as stale:
        return Status(
            409,
            {
                "detail": _(
                    "Someone saved this proposal after you opened it. Your text is returned "
                    "in “yours”; nothing was saved."
                ),
                "current": proposal_dict(ProposalAccess(stale.current, OWNER)),
                "yours": payload.model_dump(mode="json", exclude_unset=True),
            },
        )
    return proposal_dict(ProposalAccess(proposal, OWNER))


@router.post(
    "/proposals/{pk}/attachments",
    response={201: AttachmentOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Attach a PDF for one of the call's documents",
)
def attach(
    request: HttpRequest, pk: int, document_code: Form[str], file: File[UploadedFile]
) -> Status:
    access = _owner_access(request, pk, "proposals.edit_proposal")
    attachment = services.attach_document(
        access.proposal,
        actor=request.user,  # type: ignore[arg-type]
        document_code=document_code,
        upload=file,
        filename=file.name or "",
    )
    return Status(
        201,
        {
            "document_code": attachment.document_code,
            "filename": attachment.filename,
            "sha256": attachment.file.sha256,
            "size": attachment.file.size,
            "url": f"/api/v1/proposals/{pk}/files/{attachment.file.sha256}",
        },
    )


@router.get(
    "/proposals/{pk}/files/{sha256}",
    response={200: None, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
)
def download(request: HttpRequest, pk: int, sha256: str) -> FileResponse:
    return file_response(request, pk, sha256)


@router.post(
    "/proposals/{pk}/submit",
    response={200: ProposalOut, 401: ErrorOut, 404: ErrorOut, 422: RefusalOut},
    summary="Submit; 422 with every reason when a rule refuses",
    description="Send an `Idempotency-Key` header: repeating the request with the same key "
    "returns the same submission instead of creating another.",
)
def submit(request: HttpRequest, pk: int) -> Any:
    access = _owner_access(request, pk, "proposals.edit_proposal")
    key = request.headers.get("Idempotency-Key", "").strip()[:100] or uuid.uuid4().hex
    try:
        services.submit_proposal(
            access.proposal,
            actor=request.user,  # type: ignore[arg-type]
            idempotency_key=key,
        )
    except services.SubmissionRefused as refused:
        return Status(
            422,
            {
                "detail": _("The proposal cannot be submitted yet."),
                "reasons": [r.as_dict() for r in refused.decision.reasons],
            },
        )
    except ValidationError as exc:
        return Status(422, {"detail": " ".join(exc.messages), "reasons": []})
    return proposal_dict(proposal_access(request.user, pk, request=request))


def _officer_access(request: HttpRequest, pk: int) -> ProposalAccess:
    access = proposal_access(request.user, pk, request=request)
    if not request.user.has_perm("proposals.endorse_proposal", access.proposal):
        deny(request, access.proposal)
    return ProposalAccess(access.proposal, "institution")


@router.post(
    "/proposals/{pk}/endorse",
    response={200: ProposalOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The institution endorses the latest submitted version",
)
def endorse(request: HttpRequest, pk: int) -> dict[str, Any]:
    access = _officer_access(request, pk)
    services.endorse_proposal(access.proposal, actor=request.user)  # type: ignore[arg-type]
    return proposal_dict(_officer_access(request, pk))


@router.post(
    "/proposals/{pk}/return",
    response={200: ProposalOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="The institution returns the latest submitted version to the applicant",
)
def return_to_applicant(request: HttpRequest, pk: int, payload: ReturnIn) -> dict[str, Any]:
    access = _officer_access(request, pk)
    services.return_proposal(
        access.proposal,
        actor=request.user,  # type: ignore[arg-type]
        comment=payload.comment,
    )
    return proposal_dict(_officer_access(request, pk))


@router.post(
    "/proposals/{pk}/withdraw",
    response={200: ProposalOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Withdraw before the deadline",
)
def withdraw(request: HttpRequest, pk: int) -> dict[str, Any]:
    access = _owner_access(request, pk, "proposals.edit_proposal")
    proposal = services.withdraw_proposal(access.proposal, actor=request.user)  # type: ignore[arg-type]
    return proposal_dict(ProposalAccess(proposal, OWNER))
