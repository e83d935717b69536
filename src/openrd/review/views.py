"""The reviewer's pages: the review requests, one assignment (answer, then read and
score), and the proposal's files and PDF for an accepted assignment only.

What a reviewer may see comes from ``queries`` alone: their own assignments, none
with a stored conflict; the proposal's content only once they accepted. Anything
else is a 404 with an audit entry.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.accounts.models import Role
from openrd.accounts.queries import role_organisation_ids, signed_in_user
from openrd.core.access import deny, get_visible_or_404
from openrd.core.refusals import Refused
from openrd.proposals.documents import pdf
from openrd.proposals.documents.content import version_document
from openrd.proposals.documents.views import application_pdf_response
from openrd.proposals.downloads import stored_pdf_response
from openrd.proposals.queries import version_file_digests
from openrd.review import queries, services
from openrd.review.models import AssignmentStatus, Review, ReviewAssignment
from openrd.review.rules.scoring import Scale

SCALE = Scale()


@login_required
def my_assignments(request: HttpRequest) -> HttpResponse:
    rows = list(queries.my_assignments(request.user))
    return render(
        request,
        "review/my_assignments.html",
        {
            "awaiting": [a for a in rows if a.status == AssignmentStatus.INVITED],
            "accepted": [a for a in rows if a.status == AssignmentStatus.ACCEPTED],
            "submitted": [a for a in rows if a.status == AssignmentStatus.SUBMITTED],
            "runs_rounds": bool(role_organisation_ids(request.user, Role.AGENCY_STAFF)),
        },
    )


def _assignment(request: HttpRequest, pk: int, *, readable: bool = False) -> ReviewAssignment:
    visible = (
        queries.open_assignments(request.user) if readable else queries.my_assignments(request.user)
    )
    return get_visible_or_404(visible, request=request, pk=pk)


def _document(assignment: ReviewAssignment) -> dict[str, Any] | None:
    """The endorsed version the agency reads, with its files served from here."""
    version = assignment.proposal.latest_endorsed_version
    if version is None:
        return None
    doc = version_document(version)
    for item in doc["attachments"]:
        item["url"] = (
            reverse("review:file", args=[assignment.pk, item["sha256"]]) if item["sha256"] else ""
        )
    doc.pop("page_url", None)
    doc.pop("pdf_url", None)
    return doc


def _score_rows(assignment: ReviewAssignment, review: Review | None, typed: Any = None) -> list:
    scores = typed if typed is not None else (review.scores if review else {})
    return [
        {
            "code": c.code,
            "name": c.name,
            "weight": c.weight,
            "value": str(scores.get(c.code, "")),
            "choices": [str(n) for n in range(SCALE.low, SCALE.high + 1)],
        }
        for c in assignment.round.call.criteria.order_by("order", "id")
    ]


def _render_assignment(
    request: HttpRequest,
    assignment: ReviewAssignment,
    *,
    refusal: Refused | None = None,
    errors: dict[str, list[str]] | None = None,
    typed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    review = Review.objects.filter(assignment=assignment).first()
    is_open = assignment.status in queries.OPEN_STATES
    return render(
        request,
        "review/assignment.html",
        {
            "a": assignment,
            "proposal": assignment.proposal,
            "members": [
                m.display_name
                for m in assignment.proposal.members.filter(status="accepted").select_related(
                    "person"
                )
            ],
            "doc": _document(assignment) if is_open else None,
            "review": review,
            "criteria": _score_rows(assignment, review, (typed or {}).get("scores")),
            "comment": (typed or {}).get("comment", review.comment if review else ""),
            "panel_comment": (typed or {}).get(
                "panel_comment", review.panel_comment if review else ""
            ),
            "refusal": refusal,
            "errors": errors or {},
            "reason": (typed or {}).get("reason", ""),
            "scale": SCALE,
            "pdf_available": pdf.weasyprint_installed(),
        },
        status=status,
    )


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_assignment(request, _assignment(request, pk))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    try:
        if request.POST.get("decision") == "conflict":
            services.declare_conflict(
                assignment, actor=signed_in_user(request), note=request.POST.get("reason", "")
            )
            messages.success(
                request, _("You declared a conflict of interest; the request is declined.")
            )
            return redirect("review:my_assignments")
        if request.POST.get("decision") == "decline":
            services.decline_assignment(
                assignment, actor=signed_in_user(request), reason=request.POST.get("reason", "")
            )
            messages.success(request, _("You declined this review. Thank you for telling us."))
            return redirect("review:my_assignments")
        services.accept_assignment(
            assignment,
            actor=signed_in_user(request),
            confirmed_no_conflict=request.POST.get("no_conflict") == "on",
            accepted_confidentiality=request.POST.get("confidentiality") == "on",
        )
    except Refused as refused:
        # Shown inside the page's own form, which keeps the boxes as ticked.
        return _render_assignment(request, assignment, refusal=refused, status=422)
    except ValidationError as error:
        return _render_assignment(
            request,
            assignment,
            errors=error.message_dict,
            typed={"reason": request.POST.get("reason", "")},
            status=422,
        )
    messages.success(request, _("You accepted this review. The proposal is open to you now."))
    return redirect("review:assignment", pk=assignment.pk)


@login_required
@require_POST
def save(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk, readable=True)
    scores = {
        c.code: request.POST.get(f"score_{c.code}", "")
        for c in assignment.round.call.criteria.all()
    }
    scores = {code: value for code, value in scores.items() if value != ""}
    comment = request.POST.get("comment", "")
    panel_comment = request.POST.get("panel_comment", "")
    typed: dict[str, Any] = {"scores": scores, "comment": comment, "panel_comment": panel_comment}
    submit = request.POST.get("action") == "submit"
    try:
        services.save_review(
            assignment,
            actor=signed_in_user(request),
            scores=scores,
            comment=comment,
            panel_comment=panel_comment,
            submit=submit,
        )
    except Refused as refused:
        return _render_assignment(request, assignment, refusal=refused, typed=typed, status=422)
    if submit:
        messages.success(request, _("Your review was submitted. Thank you."))
        return redirect("review:my_assignments")
    messages.success(request, _("Your draft review was saved."))
    return redirect("review:assignment", pk=assignment.pk)


@login_required
def assignment_file(request: HttpRequest, pk: int, sha256: str) -> FileResponse:
    assignment = _assignment(request, pk, readable=True)
    version = assignment.proposal.latest_endorsed_version
    if version is None or sha256 not in version_file_digests(version):
        deny(request, assignment.proposal, what=f"file {sha256[:12]} of proposal {pk}")
    return stored_pdf_response(sha256)


@login_required
def assignment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk, readable=True)
    version = assignment.proposal.latest_endorsed_version
    if version is None:
        deny(request, assignment.proposal, what=f"application PDF of proposal {pk}")
    return application_pdf_response(version)
