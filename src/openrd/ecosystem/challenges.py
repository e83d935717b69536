"""Procurement challenges: a ministry, the Cabinet Office or a municipality
posts a need for startups to answer (the Open Innovation Challenge, trial
procurement). The writer checks every field and is audited; open challenges
are public."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.core import audit
from openrd.ecosystem.keywords import valid_keywords
from openrd.ecosystem.models import Challenge, ChallengeKind, ChallengeStatus

OWNER_KINDS = (OrganisationKind.MINISTRY, OrganisationKind.CABINET_OFFICE,
               OrganisationKind.MUNICIPALITY)  # fmt: skip
FIELDS = ["owner_id", "kind", "title_ja", "title_en", "need_ja", "need_en", "keywords",
          "prefecture", "opens_on", "closes_on", "status", "contract_basis"]  # fmt: skip


def public_challenges() -> QuerySet[Challenge]:
    """What the public sees: every challenge once it is no longer a draft."""
    return Challenge.objects.exclude(status=ChallengeStatus.DRAFT).select_related("owner")


@transaction.atomic
def post_challenge(
    *,
    actor: Any,
    code: str,
    owner: Organisation | None,
    kind: str,
    title_ja: str,
    need_ja: str,
    opens_on: date | None,
    closes_on: date | None,
    publish: bool = False,
    **optional: Any,
) -> Challenge:
    """Create (or, while a draft, rewrite) a challenge; ``publish`` opens it."""
    errors: dict[str, list[str]] = {}
    if owner is None or owner.kind not in OWNER_KINDS:
        errors["owner"] = [_("Choose a ministry, the Cabinet Office or a municipality.")]
    elif not actor.has_perm("ecosystem.post_challenge", owner):
        raise PermissionDenied
    if kind not in ChallengeKind.values:
        errors["kind"] = [_("Choose the kind of challenge.")]
    if not title_ja.strip():
        errors["title_ja"] = [_("Give the challenge a title.")]
    if not need_ja.strip():
        errors["need_ja"] = [_("Describe the need.")]
    if opens_on is None:
        errors["opens_on"] = [_("Enter the date as YYYY-MM-DD.")]
    if closes_on is None:
        errors["closes_on"] = [_("Enter the date as YYYY-MM-DD.")]
    elif opens_on is not None and closes_on < opens_on:
        errors["closes_on"] = [_("The challenge closes after it opens.")]
    keywords = valid_keywords(optional.pop("keywords", []))
    if keywords is None:
        errors["keywords"] = [_("Give at most 20 keywords of at most 40 characters each.")]
    existing = Challenge.objects.select_for_update().filter(code=code).first()
    if existing is not None and existing.status != ChallengeStatus.DRAFT:
        errors["code"] = [_("A published challenge has this code.")]
    if errors or owner is None or opens_on is None or closes_on is None or keywords is None:
        raise ValidationError(errors)
    before = audit.snapshot(existing, FIELDS)
    challenge = existing or Challenge(code=code, created_by=actor)
    challenge.owner, challenge.kind = owner, kind
    challenge.title_ja, challenge.need_ja = title_ja.strip(), need_ja.strip()
    challenge.opens_on, challenge.closes_on = opens_on, closes_on
    challenge.keywords = keywords
    for name in ("title_en", "need_en", "prefecture", "contract_basis"):
        setattr(challenge, name, str(optional.pop(name, "")).strip())
    if optional:
        raise TypeError(f"unknown challenge fields: {sorted(optional)}")
    challenge.status = ChallengeStatus.OPEN if publish else ChallengeStatus.DRAFT
    challenge.full_clean()
    challenge.save()
    audit.record(
        "ecosystem.challenge.published" if publish else "ecosystem.challenge.saved",
        actor=actor, obj=challenge, before=before, after=audit.snapshot(challenge, FIELDS),
    )  # fmt: skip
    return challenge


@transaction.atomic
def close_challenge(challenge: Challenge, *, actor: Any) -> Challenge:
    """The owner closes an open challenge: no more proposals; its adoption counts."""
    if not actor.has_perm("ecosystem.post_challenge", challenge.owner):
        raise PermissionDenied
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.status != ChallengeStatus.OPEN:
        raise ValidationError({"status": [_("Only an open challenge can be closed.")]})
    challenge.status = ChallengeStatus.CLOSED
    challenge.save(update_fields=["status"])
    audit.record("ecosystem.challenge.closed", actor=actor, obj=challenge,
                 before={"status": ChallengeStatus.OPEN},
                 after={"status": ChallengeStatus.CLOSED})  # fmt: skip
    return challenge
