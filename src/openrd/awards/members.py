"""The people on an award and their shares of its budget (研究代表者・研究分担者).

The list is replaced whole, by the staff of an agency that runs the program, in one
transaction with one audit entry (the list before and after). The principal
investigator of the list is the award's: their account and published name are
written onto the award in the same transaction, so the record never names two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, User
from openrd.awards.models import MEMBER_SHARE_MAX, Award, AwardMember, MemberRole
from openrd.awards.rules import AwardMemberFacts, MemberReason, check_member_shares
from openrd.awards.services import may_manage
from openrd.core import audit
from openrd.core.money import fold_number
from openrd.proposals.models import MemberRole as ProposalMemberRole
from openrd.proposals.models import MemberStatus, Proposal

NAME_MAX = AwardMember._meta.get_field("name_ja").max_length or 200
INSTITUTION_MAX = AwardMember._meta.get_field("institution_name").max_length or 200


@dataclass(frozen=True)
class MemberIn:
    """One row of the list as given: ``share_percent`` as typed (an int, or text)."""

    name_ja: str
    role: str
    share_percent: object
    name_en: str = ""
    institution_name: str = ""
    person: User | None = None
    institution: Organisation | None = None


def _share(value: object) -> int | None:
    """A whole number of percent from an int or typed text (full-width digits too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = fold_number(value).strip().removesuffix("%").strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def _clean(rows: Sequence[MemberIn]) -> list[AwardMember]:
    """The rows as unsaved members, or ValidationError under ``members.{row}.{field}``
    (and ``members`` for the list as a whole)."""
    errors: dict[str, list[str]] = {}
    cleaned: list[AwardMember] = []
    facts: list[AwardMemberFacts] = []
    if not rows:
        raise ValidationError({"members": [_("Name the principal investigator.")]})
    for i, row in enumerate(rows):
        name_ja, name_en = row.name_ja.strip(), row.name_en.strip()
        institution_name = row.institution_name.strip()
        if not name_ja:
            errors[f"members.{i}.name_ja"] = [_("Give the name in Japanese.")]
        for field, text, limit in (
            ("name_ja", name_ja, NAME_MAX),
            ("name_en", name_en, NAME_MAX),
            ("institution_name", institution_name, INSTITUTION_MAX),
        ):
            if len(text) > limit:
                errors[f"members.{i}.{field}"] = [
                    _("At most %(limit)d characters.") % {"limit": limit}
                ]
        if row.role not in MemberRole.values:
            errors[f"members.{i}.role"] = [_("Choose principal investigator or co-investigator.")]
        share = _share(row.share_percent)
        if share is None:
            errors[f"members.{i}.share_percent"] = [
                _("Give the share as a whole number of percent, 0–100.")
            ]
        facts.append(
            AwardMemberFacts(
                name_ja or name_en, row.role, share or 0, row.person.pk if row.person else None
            )
        )
        cleaned.append(
            AwardMember(
                person=row.person,
                name_ja=name_ja,
                name_en=name_en,
                institution=row.institution,
                institution_name=institution_name,
                role=row.role,
                share_percent=share if share is not None and 0 <= share <= MEMBER_SHARE_MAX else 0,
                order=i,
            )
        )
    if errors:
        raise ValidationError(errors)
    decision = check_member_shares(facts)
    for reason in decision.reasons:
        if isinstance(reason, MemberReason) and reason.row is not None:
            key = f"members.{reason.row}.{reason.field}"
        else:
            key = "members"
        errors.setdefault(key, []).append(reason.message)
    if errors:
        raise ValidationError(errors)
    return cleaned


def member_entry(m: AwardMember) -> dict[str, Any]:
    """One member as the audit log, the API and the page read it."""
    return {
        "name_ja": m.name_ja,
        "name_en": m.name_en,
        "institution": m.institution_label,
        "role": m.role,
        "share_percent": m.share_percent,
    }


def _replace(locked: Award, rows: list[AwardMember], *, actor: User) -> list[AwardMember]:
    before = [member_entry(m) for m in locked.members.select_related("institution")]
    locked.members.all().delete()
    for row in rows:
        row.award = locked
    made = AwardMember.objects.bulk_create(rows)
    pi = next(m for m in made if m.role == MemberRole.PI)
    award_before = audit.snapshot(locked, ("pi", "pi_name_ja", "pi_name_en"))
    locked.pi, locked.pi_name_ja, locked.pi_name_en = pi.person, pi.name_ja, pi.name_en
    locked.save(update_fields=["pi", "pi_name_ja", "pi_name_en", "updated_at"])
    audit.record(
        "awards.members.set",
        actor=actor,
        obj=locked,
        before={"members": before, **award_before},
        after={
            "members": [member_entry(m) for m in made],
            **audit.snapshot(locked, ("pi", "pi_name_ja", "pi_name_en")),
        },
    )
    return made


@transaction.atomic
def set_members(award: Award, members: Sequence[MemberIn], *, actor: User) -> list[AwardMember]:
    """Replace the award's member list (staff of an agency that runs the program).
    Bad rows are ValidationError by field; nothing is written then."""
    locked = (
        Award.objects.select_for_update(of=("self",)).select_related("program").get(pk=award.pk)
    )
    if not may_manage(actor, locked.program):
        raise PermissionDenied
    return _replace(locked, _clean(members), actor=actor)


def members_from_proposal(proposal: Proposal) -> list[MemberIn]:
    """The proposal's applicant and accepted co-investigators as the award's members,
    each co-investigator with their budget share (分担金) as a whole percent of the
    proposal's budget (rounded down); the principal investigator has the rest. With
    no budget or no shares the principal investigator has 100."""
    applicant = proposal.applicant
    co = list(
        proposal.members.filter(
            status=MemberStatus.ACCEPTED, role=ProposalMemberRole.CO_INVESTIGATOR
        )
        .select_related("person__organisation")
        .prefetch_related("shares")
        .order_by("id")
    )
    total = sum(proposal.budget_lines.values_list("amount_yen", flat=True))
    shares = [sum(s.amount_yen for s in m.shares.all()) * 100 // total if total else 0 for m in co]
    if sum(shares) > MEMBER_SHARE_MAX:  # shares over the budget: not a split to publish
        shares = [0] * len(co)
    pi = MemberIn(
        name_ja=applicant.name_ja or applicant.username,
        name_en=applicant.name_en,
        role=MemberRole.PI,
        share_percent=MEMBER_SHARE_MAX - sum(shares),
        person=applicant,
        institution=proposal.institution,
        institution_name=proposal.institution.name_ja,
    )
    return [pi] + [
        MemberIn(
            name_ja=m.person.name_ja or m.person.username,
            name_en=m.person.name_en,
            role=MemberRole.CO_INVESTIGATOR,
            share_percent=share,
            person=m.person,
            institution=m.person.organisation,
            institution_name=m.person.organisation.name_ja if m.person.organisation else "",
        )
        for m, share in zip(co, shares, strict=True)
        if m.person is not None
    ]


def add_members_of_proposal(award: Award, proposal: Proposal, *, actor: User) -> None:
    """The members of a newly made award from its proposal (in the caller's
    transaction, which has checked the actor)."""
    _replace(award, _clean(members_from_proposal(proposal)), actor=actor)
