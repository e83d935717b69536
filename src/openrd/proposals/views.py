"""Proposal pages: the applicant's editor, the institution's and agency's readers.

The editor is one form: text, budget and the documents' files. Every button
(save, upload, save and submit) first saves what is typed, field by field, so a
typo in one field or a refusal never costs what was typed in another.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openrd.accounts.decorators import sensitive
from openrd.accounts.models import Role
from openrd.accounts.queries import role_organisation_ids
from openrd.core.access import deny
from openrd.core.i18n import current_lang
from openrd.core.listing import paginate, parse, sort_headers
from openrd.core.refusals import REFUSED_STATUS, Refused
from openrd.proposals import services
from openrd.proposals.documents.content import receipt_links
from openrd.proposals.downloads import file_response
from openrd.proposals.forms import EndorsementForm, ProposalForm, WithdrawalForm
from openrd.proposals.models import LIVE_MEMBER_STATES, Proposal, ProposalStatus
from openrd.proposals.permissions import applicant_access, officer_access
from openrd.proposals.presenters import (
    budget_summary,
    counter_templates,
    deadline_banner,
    editor_requirements,
    member_dict,
    refusal_items,
    seen_by,
    upload_limits,
    version_dict,
)
from openrd.proposals.queries import (
    AGENCY,
    INSTITUTION,
    OWNER,
    PROPOSAL_LISTING,
    ProposalAccess,
    listed_proposals,
    proposal_access,
    proposal_members,
    startable_call,
)

# A call number is ASCII digits only: "²" and "①" pass str.isdigit() but are no number.
_CALL_NUMBER = re.compile(r"[0-9]{1,18}")


# The sortable columns of a proposal table, in the order they are shown.
PROPOSAL_SORT_LABELS = (
    ("title", gettext_lazy("Title")),
    ("created", gettext_lazy("Created")),
    ("updated", gettext_lazy("Updated")),
    ("deadline", gettext_lazy("Deadline")),
)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    """The three lists a person may have (own, institution's, agency's), each paged
    on its own (``page_owner``…) and all sorted, searched and filtered alike."""
    params = parse(PROPOSAL_LISTING, request.GET)
    status = params.filters.get("status", "")
    status_error = ""
    if status and status not in ProposalStatus.values:
        status, status_error = "", _("Choose a status from the list.")
    lang = current_lang()
    sections = []
    for mode in (OWNER, INSTITUTION, AGENCY):
        rows = listed_proposals(request.user, mode, q=params.q, status=status, lang=lang)
        page_param = f"page_{mode}"
        own = parse(PROPOSAL_LISTING, request.GET, page_param=page_param)
        page = paginate(
            rows, PROPOSAL_LISTING, own, request.GET, page_param=page_param, deferred=True
        )
        if mode != OWNER and not page.count and not _has_audience(request.user, mode):
            continue
        headers = sort_headers(
            PROPOSAL_SORT_LABELS, params.sort, request.GET, page_param=page_param
        )
        sections.append({"mode": mode, "page": page, "headers": headers})
    context = {
        "sections": sections,
        "params": params,
        "status": status,
        "status_error": status_error,
        "statuses": ProposalStatus.choices,
    }
    return render(request, "proposals/proposal_list.html", context)


def _has_audience(user: Any, mode: str) -> bool:
    """Whether the institution or agency list applies to the user at all (so an
    officer whose search matches nothing still sees the empty section)."""
    role = Role.INSTITUTION_OFFICER if mode == INSTITUTION else Role.AGENCY_STAFF
    return bool(role_organisation_ids(user, role))


@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("call") or request.GET.get("call") or ""
    call = startable_call(int(raw)) if _CALL_NUMBER.fullmatch(raw) else None
    if call is None:
        raise Http404
    if not request.user.has_perm("proposals.create_proposal"):
        deny(request, call, what="new proposal")
    existing = services.existing_proposal(request.user, call)  # type: ignore[arg-type]
    if request.method != "POST":
        return render(request, "proposals/proposal_new.html", {"call": call, "existing": existing})
    if existing is not None and request.POST.get("another") != "1":
        # A second press of "apply" (or a second tab) continues the proposal already started.
        messages.info(request, _("You already have a proposal for this call: here it is."))
        return redirect("proposals:detail", pk=existing.pk)
    try:
        proposal = services.create_proposal(actor=request.user, call=call)  # type: ignore[arg-type]
    except ValidationError as exc:
        return render(
            request,
            "proposals/proposal_new.html",
            {"call": call, "existing": existing, "errors": exc.messages},
            status=422,
        )
    return redirect("proposals:detail", pk=proposal.pk)


def _editor_form(proposal: Proposal, data: Any = None, files: Any = None) -> ProposalForm:
    call = proposal.call
    years = list(range(call.first_budget_year, call.last_budget_year + 1))
    initial = {
        "revision": proposal.revision,
        "title_ja": proposal.title_ja,
        "title_en": proposal.title_en,
        "abstract_ja": proposal.abstract_ja,
        "abstract_en": proposal.abstract_en,
        "effort_percent": proposal.effort_percent,
        **{f"budget_{b.fiscal_year}": b.amount_yen for b in proposal.budget_lines.all()},
    }
    documents = list(call.documents.all())
    return ProposalForm(
        data,
        files,
        initial=initial,
        fiscal_years=years,
        document_codes=[d.code for d in documents],
        document_names={d.code: d.name for d in documents},
    )


def _render_editor(
    request: HttpRequest,
    access: ProposalAccess,
    *,
    form: ProposalForm | None = None,
    refusal: Refused | None = None,
    conflict: Proposal | None = None,
    status: int = 200,
) -> HttpResponse:
    proposal = access.proposal
    proposal.refresh_from_db()
    form = form or _editor_form(proposal)
    versions = list(access.versions())
    user = request.user
    now = timezone.now()
    form.mark_required(editor_requirements(proposal, now))
    return render(
        request,
        "proposals/proposal_edit.html",
        {
            "proposal": proposal,
            "call": proposal.call,
            "form": form,
            **_guidance(proposal, now),
            "refusal_items": refusal_items(refusal, proposal.call) if refusal else [],
            "upload_limits": upload_limits(),
            "counter_templates": counter_templates(),
            "documents": [(doc, form[f"file_{doc.code}"]) for doc in proposal.call.documents.all()],
            "attachments": {
                a.document_code: a for a in proposal.attachments.select_related("file")
            },
            "versions": [version_dict(v, with_diff=False) | receipt_links(v) for v in versions],
            "seen_by": seen_by(versions),
            "members": [
                member_dict(m, contact=False)
                for m in proposal_members(proposal)
                if m.status in LIVE_MEMBER_STATES
            ],
            "refusal": refusal,
            "conflict": conflict,
            "submission_key": uuid.uuid4().hex,
            "can_edit": user.has_perm("proposals.edit_proposal", proposal),
            "can_submit": user.has_perm("proposals.submit_proposal", proposal),
            "can_withdraw": user.has_perm("proposals.withdraw_proposal", proposal),
        },
        status=status,
    )


def _render_review(
    request: HttpRequest,
    access: ProposalAccess,
    *,
    form: EndorsementForm | None = None,
    refusal: Refused | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "proposals/proposal_review.html",
        {
            "proposal": access.proposal,
            "mode": access.mode,
            "versions": [
                version_dict(v, with_diff=True) | receipt_links(v) for v in access.versions()
            ],
            "can_endorse": request.user.has_perm("proposals.endorse_proposal", access.proposal),
            "form": form or EndorsementForm(),
            "refusal": refusal,
        },
        status=status,
    )


def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = proposal_access(request.user, pk, request=request)
    if access.mode == OWNER:
        return _render_editor(request, access)
    return _render_review(request, access)


def _guidance(proposal: Proposal, now: datetime) -> dict[str, Any]:
    """The parts of the editor the autosave refreshes too: the budget's total against
    the cap (from what is saved) and the deadline banner."""
    amounts = list(proposal.budget_lines.values_list("amount_yen", flat=True))
    return {
        "budget": budget_summary(proposal.call, amounts),
        "deadline": deadline_banner(proposal.call, now),
    }


def _autosave_answer(
    request: HttpRequest, context: dict[str, Any], proposal: Proposal, status: int
) -> HttpResponse:
    """The autosave's status line, and out of band the budget total and the deadline."""
    parts = render_to_string("proposals/_autosave_status.html", context, request=request)
    guided = {**_guidance(proposal, timezone.now()), "oob": True}
    for partial in ("proposals/_budget_total.html", "proposals/_deadline_banner.html"):
        parts += render_to_string(partial, guided, request=request)
    return HttpResponse(parts, status=status)


def _field_errors_header(form: ProposalForm) -> str:
    """The autosave's field errors for the editor's script, which marks each field
    (aria-invalid, its message, aria-describedby) without touching what is typed."""
    errors = {form[name].auto_id: [str(e) for e in errs] for name, errs in form.errors.items()}
    return json.dumps({"openrd:field-errors": errors}, ensure_ascii=True)


def _save_typed(request: HttpRequest, access: ProposalAccess, form: ProposalForm) -> bool:
    """Save every valid field of the editor (and attach the chosen files); the invalid
    ones stay in ``form`` as typed, with their errors. False if anything was refused.

    Raises StaleRevision (someone saved meanwhile) and Refused (the proposal
    cannot change now), before anything is written.
    """
    form.is_valid()
    if "revision" in form.errors:
        raise Http404  # a tampered form; the editor always sends its revision
    changes = form.changes()
    saved = services.save_draft(
        access.proposal,
        actor=request.user,  # type: ignore[arg-type]
        revision=form.cleaned_data["revision"],
        changes=changes,
        partial=True,
    )
    form.add_service_errors(saved.refused, [y for y, _v in changes.budget or []])
    if form.is_bound:
        # The form goes on showing what was typed, from the revision just saved.
        data = form.data.copy()  # type: ignore[attr-defined]
        data["revision"] = str(saved.proposal.revision)
        form.data = data
    for code, upload in form.uploads():
        try:
            services.attach_document(
                access.proposal,
                actor=request.user,  # type: ignore[arg-type]
                document_code=code,
                upload=upload,
                filename=upload.name or "",
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(f"file_{code}", message)
    return not form.errors


@require_POST
def proposal_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the editor; also the autosave target (htmx gets a small status fragment)."""
    access = applicant_access(request, pk)
    form = _editor_form(access.proposal, request.POST, request.FILES)
    fragment = "proposals/_autosave_status.html" if request.headers.get("HX-Request") else None
    try:
        complete = _save_typed(request, access, form)
    except services.StaleRevision as stale:
        if fragment:
            return render(request, fragment, {"conflict": stale.current}, status=409)
        return _render_editor(request, access, form=form, conflict=stale.current, status=409)
    except Refused as refused:
        if fragment:
            return render(request, fragment, {"refusal": refused}, status=REFUSED_STATUS)
        return _render_editor(request, access, form=form, refusal=refused, status=REFUSED_STATUS)
    access.proposal.refresh_from_db()
    if fragment:
        response = _autosave_answer(
            request,
            {"proposal": access.proposal, "form": form, "errors": not complete},
            access.proposal,
            status=200 if complete else 422,
        )
        response["HX-Trigger"] = _field_errors_header(form)
        return response
    if not complete:
        messages.warning(
            request, _("Everything else has been saved; the fields marked below were not.")
        )
        return _render_editor(request, access, form=form, status=422)
    messages.success(request, _("The draft has been saved."))
    return redirect("proposals:detail", pk=pk)


@require_POST
def proposal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Save and submit": what is typed is saved first, then the rules are asked."""
    access = applicant_access(request, pk)
    form = _editor_form(access.proposal, request.POST, request.FILES)
    try:
        if "revision" in request.POST and not _save_typed(request, access, form):
            return _render_editor(request, access, form=form, status=422)
        key = request.POST.get("submission_key") or uuid.uuid4().hex
        version = services.submit_proposal(
            access.proposal,
            actor=request.user,  # type: ignore[arg-type]
            idempotency_key=key,
        )
    except services.StaleRevision as stale:
        return _render_editor(request, access, form=form, conflict=stale.current, status=409)
    except Refused as refused:
        # The editor shows the reasons above the form it keeps (everything typed is saved).
        return _render_editor(request, access, refusal=refused, status=REFUSED_STATUS)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _render_editor(request, access, status=422)
    messages.success(
        request,
        _(
            "Version %(n)d has been submitted to your institution for endorsement. "
            "Receipt number: %(receipt)s"
        )
        % {"n": version.number, "receipt": version.receipt_number},
    )
    return redirect("proposals:detail", pk=pk)


def proposal_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdrawal cannot be undone: a page says so and asks for confirmation first."""
    access = applicant_access(request, pk)
    form = WithdrawalForm(request.POST if request.method == "POST" else None)
    context = {"proposal": access.proposal, "form": form}
    if request.method != "POST":
        return render(request, "proposals/proposal_withdraw.html", context)
    if not form.is_valid():
        return render(request, "proposals/proposal_withdraw.html", context, status=422)
    services.withdraw_proposal(access.proposal, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The proposal has been withdrawn."))
    return redirect("proposals:detail", pk=pk)


@require_POST
@sensitive
def proposal_endorse(request: HttpRequest, pk: int) -> HttpResponse:
    access = officer_access(request, pk)
    form = EndorsementForm(request.POST)
    if not form.is_valid():
        # A missing decision, or a reason typed for a return but "endorse" pressed:
        # nothing happens and the typed reason stays in the form.
        return _render_review(request, access, form=form, status=422)
    try:
        if form.cleaned_data["decision"] == "return":
            services.return_proposal(
                access.proposal,
                actor=request.user,  # type: ignore[arg-type]
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("The proposal has been returned to the applicant."))
        else:
            services.endorse_proposal(access.proposal, actor=request.user)  # type: ignore[arg-type]
            messages.success(request, _("The proposal has been endorsed and sent to the agency."))
    except Refused as refused:
        return _render_review(request, access, form=form, refusal=refused, status=REFUSED_STATUS)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        return _render_review(request, access, form=form, status=422)
    return redirect("proposals:detail", pk=pk)


@login_required
def proposal_file(request: HttpRequest, pk: int, sha256: str) -> FileResponse:
    return file_response(request, pk, sha256)
