"""Proposals over the REST API: the same services as the pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict

from openrd.accounts.api_auth import api_auth
from openrd.core.access import deny
from openrd.core.api_paging import PAGED_OPENAPI, PageQuery, paged
from openrd.core.api_schemas import WRITE_ERRORS, ErrorOut, RefusalOut, ValidationErrorOut
from openrd.core.api_types import Yen
from openrd.core.listing import Listing, order_fields
from openrd.proposals import services
from openrd.proposals.downloads import file_response
from openrd.proposals.models import MemberRole, ProposalMember, ProposalStatus
from openrd.proposals.permissions import applicant_access, is_applicant, officer_access
from openrd.proposals.presenters import (
    attachment_dict,
    invitation_dict,
    member_dict,
    proposal_dict,
    proposal_summary,
)
from openrd.proposals.queries import (
    OWNER,
    ProposalAccess,
    accesses_for,
    invitation_for,
    invitations_for,
    listed_rows,
    listed_visible_proposals,
    proposal_access,
    proposal_members,
    startable_call,
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


class CoInvestigatorOut(PersonOut):
    """A member who accepted, as the submitted version freezes it."""

    role: str = Field("co_investigator", description="co_investigator or collaborator")
    shares: list[BudgetLineOut] = Field(
        [], description="Budget share (分担金) per fiscal year; none for a collaborator"
    )


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
    label: str
    old: str = Field(description="As shown to people; empty when there was no value")
    new: str = Field(description="As shown to people; empty when there is no value")


class DisclosureChangeOut(Schema):
    section: str
    section_label: str
    key: str
    kind: str = Field(description="added, removed or changed")
    kind_label: str
    label: str
    fields: list[FieldChangeOut]


class ProposalVersionOut(Schema):
    number: int
    receipt_number: str = Field(description="受付番号: <fiscal year>-<CALL>-<sequence>-v<version>")
    submitted_at: datetime
    endorsement: str
    endorsed_at: datetime | None
    return_comment: str
    disclosure_version: int
    content: dict[str, Any]
    disclosure_changes: list[DisclosureChangeOut] | None = None


class SeenByOut(Schema):
    """Which submitted version each party reads (None: none yet)."""

    institution: int | None = Field(description="The version the institution reads")
    agency: int | None = Field(description="The endorsed version the agency reads")


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
    co_investigators: list[CoInvestigatorOut] = Field(
        description="Those who accepted their invitation (GET …/co-investigators for all)"
    )
    attachments: list[AttachmentOut]
    seen_by: SeenByOut
    versions: list[ProposalVersionOut]


class ConflictOut(RefusalOut):
    """409: a rule refused the change (``reasons``), or someone saved since
    ``revision`` (reason ``proposal.stale_revision``, with ``current`` and ``yours``)."""

    current: ProposalOut | None = None
    yours: dict[str, Any] | None = None


class ReturnIn(Schema):
    model_config = ConfigDict(extra="forbid")
    comment: str = Field(min_length=1, max_length=2000)


def _changes(payload: ProposalFields) -> services.DraftChanges:
    data = payload.model_dump(exclude_unset=True, exclude={"revision", "call_id"})
    budget = data.pop("budget", None)
    return services.DraftChanges(
        fields={k: ("" if v is None and k != "effort_percent" else v) for k, v in data.items()},
        budget=[(b["fiscal_year"], b["amount_yen"]) for b in budget]
        if budget is not None
        else None,
    )


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


REFUSED = {409: RefusalOut}
COMMON = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE = {**WRITE_ERRORS, **REFUSED}


class ProposalQuery(PageQuery):
    # Orders every viewer may know: by creation (id) or by the call's deadline. An
    # order by the working copy's time or title would tell others about the draft.
    sort: Literal["id", "-id", "deadline", "-deadline"] = Field(
        "-id", description="Order; '-' reverses it (-id: newest first)"
    )
    status: ProposalStatus | None = None


# The orders of the API's proposal list; the tie-breaker is the id itself.
PROPOSAL_API_LISTING = Listing(
    sorts={"id": (), "deadline": ("call__closes_at",)}, default_sort="-id"
)


@router.get(
    "/proposals",
    response={200: list[ProposalSummaryOut], 401: ErrorOut, 422: ValidationErrorOut},
    summary="Proposals the user may see (summaries; GET /proposals/{id} for one in full)",
    description="Paged by cursor (limit, cursor; the next page's cursor is in the "
    "X-Next-Cursor and Link headers); q searches the titles each viewer may read.",
    openapi_extra=PAGED_OPENAPI,
)
def list_proposals(
    request: HttpRequest, response: HttpResponse, query: Query[ProposalQuery]
) -> list[dict[str, Any]]:
    rows = listed_visible_proposals(request.user, q=query.words, status=query.status or "")
    order = order_fields(PROPOSAL_API_LISTING, query.sort)
    # Deferred: the joins of a summary for the page's rows alone, not for every
    # match of a search the order goes through, read by key without the filters.
    page = paged(request, response, rows, order, query.sort, query, deferred=listed_rows())
    return [proposal_summary(access) for access in accesses_for(request.user, page)]


@router.post(
    "/proposals",
    response={201: ProposalOut, **WRITE},
    summary="Start a draft proposal for an open call, filled with the fields given",
    description="One step: when a field is refused (422) or the call takes no proposals "
    "now (409), nothing is created.",
)
def create_proposal(request: HttpRequest, payload: ProposalCreate) -> Status:
    if not request.user.has_perm("proposals.create_proposal"):
        deny(request, what="proposal")
    call = startable_call(payload.call_id)
    if call is None:
        raise Http404
    proposal = services.create_proposal(
        actor=request.user,  # type: ignore[arg-type]
        call=call,
        changes=_changes(payload),
    )
    return Status(201, proposal_dict(ProposalAccess(proposal, OWNER)))


@router.get("/proposals/{pk}", response={200: ProposalOut, **COMMON})
def get_proposal(request: HttpRequest, pk: int) -> dict[str, Any]:
    return proposal_dict(proposal_access(request.user, pk, request=request))


@router.patch(
    "/proposals/{pk}",
    response={200: ProposalOut, **WRITE_ERRORS, 409: ConflictOut},
    summary="Save changes to a draft; 409 when someone saved since `revision` or the "
    "proposal cannot change now",
)
def update_proposal(request: HttpRequest, pk: int, payload: ProposalPatch) -> Any:
    access = applicant_access(request, pk)
    try:
        saved = services.save_draft(
            access.proposal,
            actor=request.user,  # type: ignore[arg-type]
            revision=payload.revision,
            changes=_changes(payload),
        )
    except services.StaleRevision as stale:
        message = _(
            "Someone saved this proposal after you opened it. Your text is returned "
            "in “yours”; nothing was saved."
        )
        return Status(
            409,
            {
                "detail": message,
                "reasons": [
                    {"code": "proposal.stale_revision", "message": message, "source": "OpenRD"}
                ],
                "current": proposal_dict(ProposalAccess(stale.current, OWNER)),
                "yours": payload.model_dump(mode="json", exclude_unset=True),
            },
        )
    return proposal_dict(ProposalAccess(saved.proposal, OWNER))


@router.post(
    "/proposals/{pk}/attachments",
    response={201: AttachmentOut, **WRITE},
    summary="Attach a PDF for one of the call's documents",
)
def attach(
    request: HttpRequest, pk: int, document_code: Form[str], file: File[UploadedFile]
) -> Status:
    access = applicant_access(request, pk)
    attachment = services.attach_document(
        access.proposal,
        actor=request.user,  # type: ignore[arg-type]
        document_code=document_code,
        upload=file,
        filename=file.name or "",
    )
    return Status(201, attachment_dict(pk, services.attachment_entry(attachment)))


@router.get("/proposals/{pk}/files/{sha256}", response={200: None, **COMMON})
def download(request: HttpRequest, pk: int, sha256: str) -> FileResponse:
    return file_response(request, pk, sha256)


@router.post(
    "/proposals/{pk}/submit",
    response={200: ProposalOut, **WRITE},
    summary="Submit; 409 with every reason when a rule refuses",
    description="Send an `Idempotency-Key` header (at most 100 characters of letters, digits "
    "and `-_.:~`; a UUID): repeating the request with the same key returns the same "
    "submission instead of creating another; the same key with different content is 409 "
    "(`submission.key_reused`); a malformed key is 422.",
)
def submit(request: HttpRequest, pk: int) -> Any:
    access = applicant_access(request, pk)
    key = request.headers.get("Idempotency-Key")
    services.submit_proposal(
        access.proposal,
        actor=request.user,  # type: ignore[arg-type]
        idempotency_key=uuid.uuid4().hex if key is None else key.strip(),
    )
    return proposal_dict(proposal_access(request.user, pk, request=request))


@router.post(
    "/proposals/{pk}/endorse",
    response={200: ProposalOut, **WRITE},
    summary="The institution endorses the latest submitted version",
)
def endorse(request: HttpRequest, pk: int) -> dict[str, Any]:
    access = officer_access(request, pk)
    services.endorse_proposal(access.proposal, actor=request.user)  # type: ignore[arg-type]
    return proposal_dict(officer_access(request, pk))


@router.post(
    "/proposals/{pk}/return",
    response={200: ProposalOut, **WRITE},
    summary="The institution returns the latest submitted version to the applicant",
)
def return_to_applicant(request: HttpRequest, pk: int, payload: ReturnIn) -> dict[str, Any]:
    access = officer_access(request, pk)
    services.return_proposal(
        access.proposal,
        actor=request.user,  # type: ignore[arg-type]
        comment=payload.comment,
    )
    return proposal_dict(officer_access(request, pk))


@router.post(
    "/proposals/{pk}/withdraw",
    response={200: ProposalOut, **WRITE},
    summary="Withdraw for good, while the call takes proposals",
)
def withdraw(request: HttpRequest, pk: int) -> dict[str, Any]:
    access = applicant_access(request, pk)
    proposal = services.withdraw_proposal(access.proposal, actor=request.user)  # type: ignore[arg-type]
    return proposal_dict(ProposalAccess(proposal, OWNER))


# ---------------------------------------------------------------- co-investigators


class InviteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200, description="The person's name, as they write it")
    email: str = Field("", max_length=254, description="Where the invitation is sent")
    erad_researcher_number: str = Field(
        "",
        max_length=20,
        description="8 digits, when known: only the researcher with it can accept",
    )
    role: MemberRole = MemberRole.CO_INVESTIGATOR


class ShareIn(Schema):
    model_config = ConfigDict(extra="forbid")
    fiscal_year: int = Field(ge=1989, le=2200)
    amount_yen: Yen


class MemberIn(Schema):
    model_config = ConfigDict(extra="forbid")
    role: MemberRole | None = None
    shares: list[ShareIn] | None = Field(
        None,
        max_length=50,
        description="The whole of the member's budget shares (a year left out is removed)",
    )


class MemberOut(Schema):
    id: int
    name: str
    name_ja: str
    name_en: str
    role: str = Field(description="co_investigator (研究分担者) or collaborator (研究協力者)")
    status: str = Field(description="invited, accepted, declined or withdrawn")
    invited_at: datetime | None
    answered_at: datetime | None
    email: str = Field(description="The address invited (shown to the applicant only)")
    erad_researcher_number: str | None
    shares: list[BudgetLineOut]


class InvitationOut(Schema):
    id: int
    proposal_id: int
    title: str
    applicant: str
    call: str
    role: str
    status: str
    invited_at: datetime | None


def _owner_access(request: HttpRequest, pk: int) -> ProposalAccess:
    access = proposal_access(request.user, pk, request=request)
    if access.mode != OWNER:
        deny(request, access.proposal)
    return access


def _member_of(access: ProposalAccess, member_id: int) -> ProposalMember:
    member = access.proposal.members.filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


@router.get(
    "/proposals/{pk}/co-investigators",
    response={200: list[MemberOut], **COMMON},
    summary="Everyone invited to the proposal, with the answer and the budget shares",
    description="For the applicant and the co-investigators who accepted; the e-mail and "
    "the e-Rad number an invitation was sent with are shown to the applicant only.",
)
def list_members(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    access = _owner_access(request, pk)
    contact = is_applicant(request.user, access.proposal)
    return [member_dict(m, contact=contact) for m in proposal_members(access.proposal)]


@router.post(
    "/proposals/{pk}/co-investigators",
    response={201: MemberOut, **WRITE},
    summary="Invite a co-investigator or collaborator by name and e-mail and/or e-Rad number",
    description="The answer is the same whether or not the number or the address belongs to "
    "a registered researcher. The person appears on the proposal once they accept.",
)
def invite(request: HttpRequest, pk: int, payload: InviteIn) -> Status:
    access = applicant_access(request, pk)
    invited = services.invite_member(
        access.proposal,
        actor=request.user,  # type: ignore[arg-type]
        name=payload.name,
        email=payload.email,
        erad_number=payload.erad_researcher_number,
        role=payload.role,
    )
    return Status(201, member_dict(invited.member, contact=True))


@router.put(
    "/proposals/{pk}/co-investigators/{member_id}",
    response={200: MemberOut, **WRITE},
    summary="Set a member's role and budget shares per fiscal year",
    description="Shares are for the proposal's budget years; per year they cannot add up "
    "to more than that year's budget; a collaborator holds none.",
)
def change_member(request: HttpRequest, pk: int, member_id: int, payload: MemberIn) -> Any:
    access = applicant_access(request, pk)
    member = services.set_member(
        _member_of(access, member_id),
        actor=request.user,  # type: ignore[arg-type]
        role=payload.role,
        shares=[(s.fiscal_year, s.amount_yen) for s in payload.shares]
        if payload.shares is not None
        else None,
    )
    return member_dict(member, contact=True)


@router.delete(
    "/proposals/{pk}/co-investigators/{member_id}",
    response={200: MemberOut, **WRITE},
    summary="Withdraw an invitation, or remove a member who accepted",
)
def remove_member(request: HttpRequest, pk: int, member_id: int) -> Any:
    access = applicant_access(request, pk)
    member = services.withdraw_member(
        _member_of(access, member_id),
        actor=request.user,  # type: ignore[arg-type]
    )
    return member_dict(member, contact=True)


@router.get(
    "/me/invitations",
    response={200: list[InvitationOut], 401: ErrorOut},
    summary="Invitations awaiting your answer",
    description="Those naming your e-Rad researcher number, or (naming no number) one of "
    "your verified e-mail addresses.",
)
def my_invitations(request: HttpRequest) -> list[dict[str, Any]]:
    return [invitation_dict(m) for m in invitations_for(request.user)]


def _my_invitation(request: HttpRequest, member_id: int) -> ProposalMember:
    member = invitation_for(request.user, member_id)
    if member is None:
        raise Http404
    return member


@router.post(
    "/me/invitations/{member_id}/accept",
    response={200: InvitationOut, **WRITE},
    summary="Accept an invitation: you then appear on the proposal",
)
def accept(request: HttpRequest, member_id: int) -> Any:
    member = services.accept_invitation(
        _my_invitation(request, member_id),
        actor=request.user,  # type: ignore[arg-type]
    )
    return invitation_dict(member)


@router.post(
    "/me/invitations/{member_id}/decline",
    response={200: InvitationOut, **WRITE},
    summary="Decline an invitation; the applicant is told",
)
def decline(request: HttpRequest, member_id: int) -> Any:
    member = services.decline_invitation(
        _my_invitation(request, member_id),
        actor=request.user,  # type: ignore[arg-type]
    )
    return invitation_dict(member)
