"""Proposal pages: the applicant's editor, the institution's and agency's readers."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.core.access import deny
from openrd.core.decisions import Decision
from openrd.programs.models import Call
from openrd.proposals import services
from openrd.proposals.downloads import file_response
from openrd.proposals.forms import ProposalForm
from openrd.proposals.models import Proposal
from openrd.proposals.presenters import version_dict
from openrd.proposals.queries import (
    OWNER,
    ProposalAccess,
    agency_proposals,
    institution_proposals,
    owned_proposals,
    proposal_access,
)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "proposals/proposal_list.html",
        {
            "owned": owned_proposals(request.user),
            "institution": institution_proposals(request.user),
            "agency": agency_proposals(request.user),
        },
    )


@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("call") or request.GET.get("call") or ""
    # A call number that is not a number is simply no call: 404, not a crash.
    call = get_object_or_404(
        Call.objects.exclude(status="draft"), pk=int(raw) if raw.isdigit() else 0
    )
    if not request.user.has_perm("proposals.create_proposal"):
        deny(request, call, what="new proposal")
    if request.method != "POST":
        return render(request, "proposals/proposal_new.html", {"call": call})
    try:
        proposal = services.create_proposal(actor=request.user, call=call)  # type: ignore[arg-type]
    except ValidationError as exc:
        return render(
            request,
            "proposals/proposal_new.html",
            {"call": call, "errors": exc.messages},
            status=422,
        )
    return redirect("proposals:detail", pk=proposal.pk)


def _editor_form(proposal: Proposal, data: Any = None) -> ProposalForm:
    call = proposal.call
    years = list(range(call.first_budget_year, call.last_budget_year + 1))
    initial = {
        "revision": proposal.revision,
        "title_ja": proposal.title_ja,
        "title_en": proposal.title_en,
        "abstract_ja": proposal.abstract_ja,
        "abstract_en": proposal.abstract_en,
        "effort_percent": proposal.effort_percent,
        "co_investigators": ", ".join(
            m.person.erad_researcher_number or "" for m in proposal.members.select_related("person")
        ),
        **{f"budget_{b.fiscal_year}": b.amount_yen for b in proposal.budget_lines.all()},
    }
    return ProposalForm(data, initial=initial, fiscal_years=years)


def _render_editor(
    request: HttpRequest,
    access: ProposalAccess,
    *,
    form: ProposalForm | None = None,
    refusal: Decision | None = None,
    conflict: Proposal | None = None,
    status: int = 200,
) -> HttpResponse:
    proposal = access.proposal
    return render(
        request,
        "proposals/proposal_edit.html",
        {
            "proposal": proposal,
            "call": proposal.call,
            "form": form or _editor_form(proposal),
            "documents": proposal.call.documents.all(),
            "attachments": {
                a.document_code: a for a in proposal.attachments.select_related("file")
            },
            "versions": [version_dict(v, with_diff=False) for v in access.versions()],
            "refusal_reasons": refusal.reasons if refusal is not None else (),
            "conflict": conflict,
            "submission_key": uuid.uuid4().hex,
        },
        status=status,
    )


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = proposal_access(request.user, pk, request=request)
    if access.mode == OWNER:
        return _render_editor(request, access)
    return render(
        request,
        "proposals/proposal_review.html",
        {
            "proposal": access.proposal,
            "mode": access.mode,
            "versions": [version_dict(v, with_diff=True) for v in access.versions()],
            "can_endorse": request.user.has_perm("proposals.endorse_proposal", access.proposal),
        },
    )


def _owned(request: HttpRequest, pk: int) -> ProposalAccess:
    access = proposal_access(request.user, pk, request=request)
    if access.mode != OWNER or not request.user.has_perm(
        "proposals.edit_proposal", access.proposal
    ):
        deny(request, access.proposal)
    return access


@require_POST
def proposal_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the editor (also the autosave target: htmx gets a small status fragment)."""
    return _save(request, _owned(request, pk))


def _save(request: HttpRequest, access: ProposalAccess) -> HttpResponse:
    pk = access.proposal.pk
    form = _editor_form(access.proposal, request.POST)
    fragment = "proposals/_autosave_status.html" if request.headers.get("HX-Request") else None
    if form.is_valid():
        changes = form.changes()
        try:
            proposal = services.save_draft(
                access.proposal,
                actor=request.user,  # type: ignore[arg-type]
                revision=form.cleaned_data["revision"],
                changes=changes,
            )
        except services.StaleRevision as stale:
            if fragment:
                return render(request, fragment, {"conflict": stale.current}, status=409)
            return _render_editor(request, access, form=form, conflict=stale.current, status=409)
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict, [y for y, _v in changes.budget or []])
        else:
            if fragment:
                return render(request, fragment, {"proposal": proposal})
            messages.success(request, _("The draft has been saved."))
            return redirect("proposals:detail", pk=pk)
    if fragment:
        return render(request, fragment, {"errors": True}, status=422)
    return _render_editor(request, access, form=form, status=422)


@require_POST
def proposal_attach(request: HttpRequest, pk: int) -> HttpResponse:
    access = _owned(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": _("Choose a PDF file.")})
        services.attach_document(
            access.proposal,
            actor=request.user,  # type: ignore[arg-type]
            document_code=request.POST.get("document_code", ""),
            upload=upload,
            filename=upload.name or "",
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _render_editor(request, access, status=422)
    messages.success(request, _("The file has been attached."))
    return redirect("proposals:detail", pk=pk)


@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    access = _owned(request, pk)
    if "revision" in request.POST:
        # "Save and submit": the editor's text is saved first, so nothing typed is lost.
        saved = _save(request, access)
        if saved.status_code != 302:
            return saved
        access.proposal.refresh_from_db()
    key = request.POST.get("submission_key", "")[:100] or uuid.uuid4().hex
    try:
        version = services.submit_proposal(
            access.proposal,
            actor=request.user,  # type: ignore[arg-type]
            idempotency_key=key,
        )
    except services.SubmissionRefused as refused:
        return _render_editor(request, access, refusal=refused.decision, status=422)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _render_editor(request, access, status=422)
    messages.success(
        request,
        _("Version %(n)d has been submitted to your institution for endorsement.")
        % {"n": version.number},
    )
    return redirect("proposals:detail", pk=pk)


@require_POST
def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    access = _owned(request, pk)
    try:
        services.withdraw_proposal(access.proposal, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The proposal has been withdrawn."))
    return redirect("proposals:detail", pk=pk)


@require_POST
def proposal_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    access = proposal_access(request.user, pk, request=request)
    if not request.user.has_perm("proposals.endorse_proposal", access.proposal):
        deny(request, access.proposal)
    try:
        if request.POST.get("decision") == "return":
            services.return_proposal(
                access.proposal,
                actor=request.user,  # type: ignore[arg-type]
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, _("The proposal has been returned to the applicant."))
        else:
            services.endorse_proposal(access.proposal, actor=request.user)  # type: ignore[arg-type]
            messages.success(request, _("The proposal has been endorsed and sent to the agency."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("proposals:detail", pk=pk)


def proposal_file(request: HttpRequest, pk: int, sha256: str) -> FileResponse:
    return file_response(request, pk, sha256)
