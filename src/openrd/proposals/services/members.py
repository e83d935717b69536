"""Co-investigators by invitation: the applicant invites, the invitee answers.

The applicant names a person by name and e-mail and/or e-Rad researcher number.
What the applicant is told, and what the applicant can see afterwards, is the
same whether or not the number or the address belongs to a registered user: the
request writes the invitation, its audit entry and (for an address) the e-mail
to that address, and nothing else. Finding a registered user to tell in the
inbox happens after the commit, in a background task (``notify_matched_invitee``),
so neither the answer nor its timing depends on who is registered.

The invitee accepts in their own account (from the e-mail's link, or from their
invitations when a registered user was matched), and only then appears on the
proposal; an invitation naming an e-Rad number can only be accepted by the user
with that number.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.core import audit
from openrd.core.identifiers import IdentifierError, normalize_erad_researcher_number
from openrd.notifications.services import notify, send_to_address
from openrd.proposals.models import (
    LIVE_MEMBER_STATES,
    MemberRole,
    MemberShare,
    MemberStatus,
    Proposal,
    ProposalMember,
)
from openrd.proposals.queries import token_digest, verified_addresses
from openrd.proposals.rules import MemberFacts, share_errors
from openrd.proposals.services.common import (
    clean_amounts_by_year,
    lock,
    refuse_unless_editable,
)

# Enough for the largest consortium proposals; more are refused, so the
# researcher directory cannot be probed in bulk through one proposal either.
MAX_CO_INVESTIGATORS = 50

_AUDITED = ("invited_name", "invited_email", "invited_erad_number", "role", "status")


@dataclass(frozen=True)
class Invited:
    """The invitation written, and its token: the e-mail's link is its only copy."""

    member: ProposalMember
    token: str


def _own_addresses(user: User) -> set[str]:
    addresses = {a["address"] for a in verified_addresses(user)}
    return addresses | ({user.email.lower()} if user.email else set())


def _clean_invitee(
    proposal: Proposal, *, name: str, email: str, erad_number: str, role: str
) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("Enter the person's name.")]
    elif len(name) > 200:
        errors["name"] = [_("Enter at most 200 characters.")]
    else:
        try:
            ProposalMember._meta.get_field("invited_name").clean(name, None)
        except ValidationError as exc:
            errors["name"] = list(exc.messages)
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    number = ""
    if (erad_number or "").strip():
        try:
            number = normalize_erad_researcher_number(erad_number.strip())
        except IdentifierError as exc:
            errors["erad_researcher_number"] = [exc.message]
    if not (email or number or {"email", "erad_researcher_number"} & set(errors)):
        errors["email"] = [
            _("Enter the person's e-mail address or e-Rad researcher number (or both).")
        ]
    if role not in MemberRole.values:
        errors["role"] = [_("Choose a role from the list.")]
    if errors:
        raise ValidationError(errors)
    applicant = proposal.applicant
    if (number and number == applicant.erad_researcher_number) or (
        email and email in _own_addresses(applicant)
    ):
        raise ValidationError(
            {"__all__": [_("You are the applicant: invite the other members of the team.")]}
        )
    live = proposal.members.filter(status__in=LIVE_MEMBER_STATES)
    same = Q()
    if number:
        same |= Q(invited_erad_number=number) | Q(person__erad_researcher_number=number)
    if email:
        same |= Q(invited_email=email)
    if live.filter(same).exists():
        raise ValidationError(
            {"__all__": [_("This person has already been invited to this proposal.")]}
        )
    if live.count() >= MAX_CO_INVESTIGATORS:
        raise ValidationError(
            {
                "__all__": [
                    _("A proposal has at most %(max)d co-investigators and collaborators.")
                    % {"max": MAX_CO_INVESTIGATORS}
                ]
            }
        )
    return name, email, number


def _context(proposal: Proposal, member: ProposalMember) -> dict[str, Any]:
    applicant = proposal.applicant
    return {
        "title": {"ja": proposal.title_ja, "en": proposal.title_en},
        "call_title": {"ja": proposal.call.title_ja, "en": proposal.call.title_en},
        "applicant_name": {"ja": applicant.name_ja, "en": applicant.name_en},
        "role": member.role,
    }


@transaction.atomic
def invite_member(
    proposal: Proposal,
    *,
    actor: User,
    name: str,
    email: str = "",
    erad_number: str = "",
    role: str = MemberRole.CO_INVESTIGATOR,
    now: datetime | None = None,
) -> Invited:
    """Invite a co-investigator or collaborator. The e-mail (to an address given)
    goes after the commit; a registered user the invitation names is told in
    their inbox by ``notify_matched_invitee``, run in the background."""
    moment = now or timezone.now()
    locked = lock(proposal)
    refuse_unless_editable(locked, moment)
    name, email, number = _clean_invitee(
        locked, name=name, email=email, erad_number=erad_number, role=role
    )
    token = secrets.token_urlsafe(32)
    member = ProposalMember.objects.create(
        proposal=locked,
        invited_name=name,
        invited_email=email,
        invited_erad_number=number,
        role=role,
        status=MemberStatus.INVITED,
        invited_by=actor,
        invited_at=moment,
        token_digest=token_digest(token),
    )
    audit.record(
        "proposals.member.invited",
        actor=actor,
        obj=locked,
        after={"member_id": member.pk, **audit.snapshot(member, _AUDITED)},
    )
    if email:
        send_to_address(
            email,
            "proposal.invitation",
            _context(locked, member) | {"link": {"name": "invitations:detail", "args": [token]}},
            now=moment,
        )
    from openrd.proposals.tasks import notify_invitee

    member_id = member.pk
    transaction.on_commit(lambda: notify_invitee.enqueue(member_id=member_id), robust=True)
    return Invited(member, token)


def matched_users(member: ProposalMember) -> QuerySet[User]:
    """The registered, active users an invitation names: by e-Rad number when it
    has one (and then only that user), else by a verified e-mail address."""
    from allauth.account.models import EmailAddress

    users = User.objects.filter(is_active=True)
    if member.invited_erad_number:
        return users.filter(erad_researcher_number=member.invited_erad_number)
    if member.invited_email:
        owners = (
            EmailAddress.objects.filter(verified=True)
            .annotate(address=Lower("email"))
            .filter(address=member.invited_email)
            .values("user_id")
        )
        return users.filter(pk__in=owners)
    return users.none()


def notify_matched_invitee(member_id: int) -> int:
    """Tell the registered user an invitation names, in their inbox (by e-mail too
    unless the invitation's own e-mail went to their address); the number told."""
    member = (
        ProposalMember.objects.select_related("proposal__call", "proposal__applicant")
        .filter(pk=member_id, status=MemberStatus.INVITED)
        .first()
    )
    if member is None:
        return 0
    context = _context(member.proposal, member) | {"link": {"name": "invitations:list"}}
    told = 0
    for user in matched_users(member):
        written = member.invited_email and member.invited_email in _own_addresses(user)
        told += len(
            notify(
                [user],
                "proposal.invitation_received",
                context,
                dedupe_key=f"invitation:{member.pk}",
                email=not written,
            )
        )
    return told


def _locked_member(member: ProposalMember, moment: datetime) -> tuple[Proposal, ProposalMember]:
    locked = lock(member.proposal)
    refuse_unless_editable(locked, moment)
    fresh = ProposalMember.objects.select_for_update().get(pk=member.pk, proposal=locked)
    return locked, fresh


@transaction.atomic
def withdraw_member(
    member: ProposalMember, *, actor: User, now: datetime | None = None
) -> ProposalMember:
    """The applicant withdraws an invitation, or removes a member who had accepted."""
    moment = now or timezone.now()
    locked, fresh = _locked_member(member, moment)
    if fresh.status not in LIVE_MEMBER_STATES:
        raise ValidationError({"__all__": [_("This invitation is no longer open.")]})
    before = audit.snapshot(fresh, _AUDITED)
    fresh.status = MemberStatus.WITHDRAWN
    fresh.answered_at = fresh.answered_at or moment
    fresh.save(update_fields=["status", "answered_at"])
    fresh.shares.all().delete()
    audit.record(
        "proposals.member.withdrawn",
        actor=actor,
        obj=locked,
        before={"member_id": fresh.pk, **before},
        after={"member_id": fresh.pk, "status": fresh.status},
    )
    return fresh


def _facts(member: ProposalMember, shares: list[tuple[int, int]]) -> MemberFacts:
    return MemberFacts(member.display_name, member.role, member.status, tuple(shares))


@transaction.atomic
def set_member(
    member: ProposalMember,
    *,
    actor: User,
    role: str | None = None,
    shares: list[tuple[int, object]] | None = None,
    now: datetime | None = None,
) -> ProposalMember:
    """Set a member's role and (the whole of) their budget shares per fiscal year.
    A share over the year's budget (with the others' shares), for a year without
    a budget, or for a collaborator is refused, field by field; nothing is written."""
    moment = now or timezone.now()
    locked, fresh = _locked_member(member, moment)
    if fresh.status not in LIVE_MEMBER_STATES:
        raise ValidationError({"__all__": [_("This invitation is no longer open.")]})
    errors: dict[str, list[str]] = {}
    if role is not None and role not in MemberRole.values:
        errors["role"] = [_("Choose a role from the list.")]
    new_role = role if role is not None and not errors else fresh.role
    stored = list(fresh.shares.values_list("fiscal_year", "amount_yen"))
    if shares is not None:
        amounts, _refused = clean_amounts_by_year(shares, errors, key="shares")
        new_shares = sorted((y, a) for y, a in amounts.items() if a)
    else:
        # A role change alone: a collaborator's shares go, a co-investigator's stay.
        new_shares = [] if new_role == MemberRole.COLLABORATOR else stored
    if errors:
        raise ValidationError(errors)
    budget = dict(locked.budget_lines.values_list("fiscal_year", "amount_yen"))
    others = [
        _facts(m, list(m.shares.values_list("fiscal_year", "amount_yen")))
        for m in locked.members.filter(status__in=LIVE_MEMBER_STATES).exclude(pk=fresh.pk)
    ]
    mine = MemberFacts(fresh.display_name, new_role, fresh.status, tuple(new_shares))
    problems = share_errors(budget, [*others, mine])
    if problems:
        raise ValidationError({"shares": [message for _code, message in problems]})
    before = audit.snapshot(fresh, ("role",)) | {"shares": stored}
    fresh.role = new_role
    fresh.save(update_fields=["role"])
    fresh.shares.all().delete()
    MemberShare.objects.bulk_create(
        MemberShare(member=fresh, fiscal_year=y, amount_yen=a) for y, a in new_shares
    )
    audit.record(
        "proposals.member.changed",
        actor=actor,
        obj=locked,
        before={"member_id": fresh.pk, **before},
        after={"member_id": fresh.pk, "role": fresh.role, "shares": new_shares},
    )
    return fresh


def _not_yours() -> ValidationError:
    # One message whatever the cause, so the answer tells nothing about the invitation.
    return ValidationError(
        {"__all__": [_("This invitation cannot be answered from your account.")]}
    )


def _answer(
    member: ProposalMember, *, actor: User, accept: bool, now: datetime | None
) -> ProposalMember:
    moment = now or timezone.now()
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise _not_yours()
    locked, fresh = _locked_member(member, moment)
    if fresh.status != MemberStatus.INVITED:
        raise ValidationError({"__all__": [_("This invitation has already been answered.")]})
    if fresh.invited_erad_number and fresh.invited_erad_number != actor.erad_researcher_number:
        raise _not_yours()
    if actor.pk == locked.applicant_id:
        raise _not_yours()
    if accept and locked.members.filter(status=MemberStatus.ACCEPTED, person=actor).exists():
        raise ValidationError({"__all__": [_("You are already a member of this proposal.")]})
    fresh.status = MemberStatus.ACCEPTED if accept else MemberStatus.DECLINED
    fresh.answered_at = moment
    if accept:
        fresh.person = actor
    fresh.save(update_fields=["status", "answered_at", "person"])
    audit.record(
        "proposals.member.accepted" if accept else "proposals.member.declined",
        actor=actor,
        obj=locked,
        before={"member_id": fresh.pk, "status": MemberStatus.INVITED},
        after={"member_id": fresh.pk, "status": fresh.status},
    )
    notify(
        [locked.applicant],
        "proposal.invitation_answered",
        {
            "title": {"ja": locked.title_ja, "en": locked.title_en},
            "member_name": fresh.display_name if accept else fresh.invited_name,
            "accepted": accept,
            "answered_at": moment,
            "link": {"name": "proposals:members", "args": [locked.pk]},
        },
        now=moment,
    )
    return fresh


@transaction.atomic
def accept_invitation(
    member: ProposalMember, *, actor: User, now: datetime | None = None
) -> ProposalMember:
    """The invitee accepts in their own account and becomes a member of the proposal."""
    return _answer(member, actor=actor, accept=True, now=now)


@transaction.atomic
def decline_invitation(
    member: ProposalMember, *, actor: User, now: datetime | None = None
) -> ProposalMember:
    """The invitee declines; the applicant is told, and may invite someone else."""
    return _answer(member, actor=actor, accept=False, now=now)
