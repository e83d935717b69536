"""The agency staff's pages for review rounds: the list, a new round, one round
(assignment, opening, closing, changes by hand, conflicts). The panel and its
exports, which the programs' PDs and PMs read too, are in ``views_panel``.

Who may see a round comes from ``queries.staff_rounds`` alone (staff of the
call's agency); everyone else gets a 404 with an audit entry. Every change is a
``services`` call. A ``Refused`` is caught here and shown inside the round page
(409), so the page keeps its tables and buttons around the reasons; bad input
is a ``ValidationError`` shown next to its field (422).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openrd.accounts.models import Role
from openrd.accounts.queries import role_organisation_ids, signed_in_user
from openrd.core.access import deny, get_visible_or_404
from openrd.core.refusals import REFUSED_STATUS, Refused
from openrd.programs.forms import TokyoDateTimeField
from openrd.programs.models import Call
from openrd.programs.rules import program_rules
from openrd.review import panel, queries, services
from openrd.review.models import (
    LIVE_ASSIGNMENT_STATES,
    ReviewAssignment,
    ReviewRound,
    RoundStatus,
)


def _round(request: HttpRequest, pk: int) -> ReviewRound:
    return get_visible_or_404(queries.staff_rounds(request.user), request=request, pk=pk)


# ------------------------------------------------------------------ the list


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    me = signed_in_user(request)
    if not role_organisation_ids(me, Role.AGENCY_STAFF):
        # Only agency staff have rounds; for anyone else the page does not exist.
        deny(request, what="review:rounds")
    visible = queries.staff_rounds(me)
    calls = list(panel.calls_without_round(me))
    return render(
        request,
        "review/staff/rounds.html",
        {"rounds": list(panel.listed_rounds(visible)), "calls": calls},
    )


# ------------------------------------------------------------------ a new round


class RoundForm(forms.Form):
    """Parses what was typed; the rules on the values are ``services.create_round``'s."""

    # Not required here, so the service's own sentence is the one shown.
    name_ja = forms.CharField(
        label=gettext_lazy("Round name (Japanese)"), max_length=200, required=False
    )
    name_en = forms.CharField(
        label=gettext_lazy("Round name (English)"), max_length=200, required=False
    )
    due_at = TokyoDateTimeField(
        label=gettext_lazy("Reviews due"),
        help_text=gettext_lazy("Japan time (JST, UTC+9)."),
    )
    reviewers_per_proposal = forms.IntegerField(
        label=gettext_lazy("Reviewers per proposal"), initial=3
    )
    institution_years = forms.IntegerField(
        label=gettext_lazy("Years an earlier affiliation counts as a conflict"),
        help_text=gettext_lazy(
            "A reviewer who worked at the applicant's institution within this many years "
            "has a conflict of interest."
        ),
        initial=3,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            # The design system's classes on the inputs; no inline style anywhere.
            f.widget.attrs.setdefault("class", "input")
            if isinstance(f, forms.IntegerField):
                f.widget.attrs.setdefault("inputmode", "numeric")


def _call_for_round(request: HttpRequest) -> Call:
    raw = request.GET.get("call", "")
    if not raw.isdigit():
        raise Http404
    return get_visible_or_404(
        panel.staff_calls(signed_in_user(request)), request=request, pk=int(raw)
    )


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    call = _call_for_round(request)
    rules = program_rules(call.program.rules)
    # N starts at the program's setting, cited; staff may set another for the round.
    context = {"call": call, "conflict_source": rules.cite("conflict_years")}
    if request.method != "POST":
        form = RoundForm(initial={"institution_years": rules.conflict_years})
        return render(request, "review/staff/round_form.html", {"form": form, **context})
    form = RoundForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = services.create_round(
                call,
                actor=signed_in_user(request),
                name_ja=data["name_ja"],
                name_en=data["name_en"],
                due_at=data["due_at"],
                reviewers_per_proposal=data["reviewers_per_proposal"],
                institution_years=data["institution_years"],
                stage=panel.FIRST_STAGE,
            )
        except ValidationError as error:
            for name, texts in error.message_dict.items():
                # "stage" (a round already exists) has no field of its own.
                form.add_error(name if name in form.fields else NON_FIELD_ERRORS, texts)
        else:
            messages.success(request, _("The review round was created."))
            return redirect("review:round", pk=made.pk)
    return render(request, "review/staff/round_form.html", {"form": form, **context}, status=422)


# ------------------------------------------------------------------ one round


def _render_round(
    request: HttpRequest,
    review_round: ReviewRound,
    *,
    refusal: Refused | None = None,
    report: services.AssignmentReport | None = None,
    hand_error: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    sheet = panel.round_sheet(review_round)
    titles = {str(row.proposal.pk): row.title for row in sheet}
    shortfalls = (
        [{"title": titles.get(s.proposal, s.proposal), "s": s} for s in report.shortfalls]
        if report
        else []
    )
    return render(
        request,
        "review/staff/round.html",
        {
            "round": review_round,
            "sheet": sheet,
            "pool": panel.pool_choices(),
            "refusal": refusal,
            "report": report,
            "shortfalls": shortfalls,
            "hand_error": hand_error or {},
            "live_states": [str(s) for s in LIVE_ASSIGNMENT_STATES],
            "can_assign": review_round.status != RoundStatus.CLOSED,
            # A closed round may open again (late reviews); the lifecycle decides.
            "can_open": review_round.status in (RoundStatus.DRAFT, RoundStatus.CLOSED),
            "can_close": review_round.status == RoundStatus.OPEN,
        },
        status=status,
    )


def _refused(request: HttpRequest, review_round: ReviewRound, refused: Refused) -> HttpResponse:
    # Read afresh: the refused service rolled back, the page shows what is stored.
    fresh = _round(request, review_round.pk)
    return _render_round(request, fresh, refusal=refused, status=REFUSED_STATUS)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_round(request, _round(request, pk))


@login_required
@require_POST
def round_assign(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = _round(request, pk)
    try:
        report = services.auto_assign(review_round, actor=signed_in_user(request))
    except Refused as refused:
        return _refused(request, review_round, refused)
    # The report is shown in this answer itself (200): the shortfalls are the
    # result of this run, not something to keep for later pages.
    return _render_round(request, _round(request, pk), report=report)


@login_required
@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = _round(request, pk)
    try:
        services.open_round(review_round, actor=signed_in_user(request))
    except Refused as refused:
        return _refused(request, review_round, refused)
    messages.success(request, _("The round is open: the reviewers have been invited."))
    return redirect("review:round", pk=pk)


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = _round(request, pk)
    try:
        services.close_round(review_round, actor=signed_in_user(request))
    except Refused as refused:
        return _refused(request, review_round, refused)
    messages.success(request, _("The round is closed."))
    return redirect("review:round", pk=pk)


def _posted_id(request: HttpRequest, name: str) -> int | None:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


@login_required
@require_POST
def round_add(request: HttpRequest, pk: int) -> HttpResponse:
    review_round = _round(request, pk)
    proposal_id = _posted_id(request, "proposal")
    proposal = (
        services.round_proposals(review_round).filter(pk=proposal_id).first()
        if proposal_id is not None
        else None
    )
    if proposal is None:
        # Only a tampered form names a proposal that is not in the round.
        raise Http404
    reviewer_id = _posted_id(request, "reviewer")
    profile = (
        services.pool().filter(person_id=reviewer_id).select_related("person").first()
        if reviewer_id is not None
        else None
    )

    def invalid(texts: list[str]) -> HttpResponse:
        error = {"proposal": proposal.pk, "messages": texts}
        return _render_round(request, review_round, hand_error=error, status=422)

    if profile is None:
        return invalid([_("Choose a reviewer from the pool.")])
    try:
        services.assign_by_hand(
            review_round, proposal, profile.person, actor=signed_in_user(request)
        )
    except Refused as refused:
        return _refused(request, review_round, refused)
    except ValidationError as error:
        return invalid([m for texts in error.message_dict.values() for m in texts])
    messages.success(
        request,
        _("%(reviewer)s was assigned to the proposal by hand.")
        % {"reviewer": profile.person.display_name},
    )
    return redirect("review:round", pk=pk)


@login_required
@require_POST
def round_remove(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    review_round = _round(request, pk)
    assignment = ReviewAssignment.objects.filter(round=review_round, pk=assignment_pk).first()
    if assignment is None:
        raise Http404
    try:
        services.remove_assignment(assignment, actor=signed_in_user(request))
    except Refused as refused:
        return _refused(request, review_round, refused)
    messages.success(request, _("The reviewer was taken off the proposal."))
    return redirect("review:round", pk=pk)
