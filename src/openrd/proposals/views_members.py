"""Co-investigator pages: the applicant's invitations and shares, and the invitee's answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openrd.core.access import deny
from openrd.core.refusals import REFUSED_STATUS, Refused
from openrd.proposals import services
from openrd.proposals.forms import InviteForm, MemberForm
from openrd.proposals.models import ProposalMember
from openrd.proposals.permissions import applicant_access, is_applicant
from openrd.proposals.presenters import budget_years, invitation_dict, member_dict
from openrd.proposals.queries import (
    OWNER,
    ProposalAccess,
    invitation_by_token,
    invitation_for,
    invitations_for,
    proposal_access,
    proposal_members,
)


def _render(
    request: HttpRequest,
    access: ProposalAccess,
    *,
    invite: InviteForm | None = None,
    edited: tuple[int, MemberForm] | None = None,
    refusal: Refused | None = None,
    status: int = 200,
) -> HttpResponse:
    proposal = access.proposal
    years = budget_years(proposal.call)
    owner_view = is_applicant(request.user, proposal)
    rows = []
    for member in proposal_members(proposal):
        form = (
            edited[1]
            if edited and edited[0] == member.pk
            else MemberForm(
                initial={"role": member.role}
                | {f"share_{s.fiscal_year}": s.amount_yen for s in member.shares.all()},
                fiscal_years=years,
                prefix=f"m{member.pk}",
            )
        )
        rows.append({"member": member_dict(member, contact=owner_view), "form": form})
    context: dict[str, Any] = {
        "proposal": proposal,
        "rows": rows,
        "invite": invite or InviteForm(),
        "refusal": refusal,
        "can_edit": request.user.has_perm("proposals.edit_proposal", proposal),
        "budget": {b.fiscal_year: b.amount_yen for b in proposal.budget_lines.all()},
    }
    return render(request, "proposals/members.html", context, status=status)


def proposal_members_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Every owner reads the list; only the applicant invites (POST)."""
    if request.method != "POST":
        access = proposal_access(request.user, pk, request=request)
        if access.mode != OWNER:
            deny(request, access.proposal)
        return _render(request, access)
    access = applicant_access(request, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _render(request, access, invite=form, status=422)
    try:
        services.invite_member(
            access.proposal,
            actor=request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            erad_number=form.cleaned_data["erad_researcher_number"],
            role=form.cleaned_data["role"],
        )
    except ValidationError as exc:
        form.add_service_errors(exc.message_dict)
        return _render(request, access, invite=form, status=422)
    except Refused as refused:
        return _render(request, access, invite=form, refusal=refused, status=REFUSED_STATUS)
    # The same words whoever the person is: the answer tells nothing about who is registered.
    messages.success(request, _("The invitation has been recorded. It awaits the person's answer."))
    return redirect("proposals:members", pk=pk)


def _member(access: ProposalAccess, member_id: int) -> ProposalMember:
    member = access.proposal.members.filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


@require_POST
def member_change(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    access = applicant_access(request, pk)
    member = _member(access, member_id)
    form = MemberForm(
        request.POST, fiscal_years=budget_years(access.proposal.call), prefix=f"m{member.pk}"
    )
    if not form.is_valid():
        return _render(request, access, edited=(member.pk, form), status=422)
    try:
        services.set_member(
            member,
            actor=request.user,  # type: ignore[arg-type]
            role=form.cleaned_data["role"],
            shares=form.shares(),
        )
    except ValidationError as exc:
        form.add_service_errors(exc.message_dict)
        return _render(request, access, edited=(member.pk, form), status=422)
    except Refused as refused:
        return _render(request, access, refusal=refused, status=REFUSED_STATUS)
    messages.success(request, _("The role and budget shares have been saved."))
    return redirect("proposals:members", pk=pk)


@require_POST
def member_withdraw(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    access = applicant_access(request, pk)
    member = _member(access, member_id)
    try:
        services.withdraw_member(member, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _render(request, access, status=422)
    except Refused as refused:
        return _render(request, access, refusal=refused, status=REFUSED_STATUS)
    messages.success(request, _("The invitation has been withdrawn."))
    return redirect("proposals:members", pk=pk)


# ---------------------------------------------------------------- the invitee's side


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    """The invitations awaiting the signed-in user's answer."""
    return render(
        request,
        "proposals/invitation_list.html",
        {"invitations": [invitation_dict(m) for m in invitations_for(request.user)]},
    )


def _answer(
    request: HttpRequest, member: ProposalMember, template: str, context: dict[str, Any]
) -> HttpResponse:
    accept = request.POST.get("answer") == "accept"
    answer = services.accept_invitation if accept else services.decline_invitation
    try:
        answered = answer(member, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        return render(request, template, context | {"errors": exc.messages}, status=422)
    except Refused as refused:
        return render(request, template, context | {"refusal": refused}, status=REFUSED_STATUS)
    if accept:
        messages.success(request, _("You have accepted: you now appear on the proposal."))
        return redirect("proposals:detail", pk=answered.proposal_id)
    messages.success(request, _("You have declined the invitation. The applicant is told."))
    return redirect("invitations:list")


@login_required
def invitation_detail(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation e-mail links to: sign in first, then accept or decline."""
    member = invitation_by_token(token)
    if member is None:
        raise Http404
    context = {"invitation": invitation_dict(member), "token": token}
    if request.method == "POST":
        return _answer(request, member, "proposals/invitation.html", context)
    return render(request, "proposals/invitation.html", context)


@require_POST
@login_required
def invitation_answer(request: HttpRequest, member_id: int) -> HttpResponse:
    """An answer from the list of the user's invitations (no token: matched users only)."""
    member = invitation_for(request.user, member_id)
    if member is None:
        raise Http404
    context = {"invitations": [invitation_dict(m) for m in invitations_for(request.user)]}
    return _answer(request, member, "proposals/invitation_list.html", context)
