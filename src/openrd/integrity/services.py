"""The only writers of disclosures; each change is audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import User
from openrd.core import audit
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.rules import (
    PLEDGE_TEXT_VERSION,
    Disclosure,
    FieldError,
    is_pledge_due,
    parse_disclosure,
    validate_disclosure,
)


def _with_keys(entries: Any) -> Any:
    """New entries get a key here, so the same entry can be followed across versions."""
    if not isinstance(entries, list | tuple):
        return entries
    return [
        {**entry, "key": uuid.uuid4().hex}
        if isinstance(entry, dict) and not entry.get("key")
        else entry
        for entry in entries
    ]


def _as_validation_error(errors: list[FieldError]) -> ValidationError:
    by_field: dict[str, list[ValidationError]] = {}
    for error in errors:
        by_field.setdefault(error.field, []).append(ValidationError(error.message, code=error.code))
    return ValidationError(by_field)


def check_disclosure_input(fundings: Any, positions: Any) -> Disclosure:
    """The disclosure read from raw entries, or a ValidationError keyed like
    "fundings.0.effort_percent" with every problem at once. Writes nothing."""
    disclosure, errors = parse_disclosure(_with_keys(fundings), _with_keys(positions))
    unreadable = {e.field for e in errors}
    # A value that could not be read was replaced by its default; a second complaint
    # about that default would only confuse.
    errors += [e for e in validate_disclosure(disclosure) if e.field not in unreadable]
    if errors:
        raise _as_validation_error(errors)
    return disclosure


def _lock_person(person: User) -> None:
    # Serialises concurrent saves by one person, so two never both take number N+1.
    User.objects.select_for_update().filter(pk=person.pk).first()


def _audit_state(version: DisclosureVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "fundings": version.fundings,
        "positions": version.positions,
        "pledged_at": version.pledged_at,
    }


@transaction.atomic
def save_disclosure(
    person: User, *, actor: User, fundings: list[dict[str, Any]], positions: list[dict[str, Any]]
) -> DisclosureVersion:
    """Save the person's whole disclosure as version N+1.

    Everything is validated before anything is written. When the content equals
    the latest version's, that version is returned unchanged (and its pledge, if
    any, still stands); any change makes a new, unpledged version.
    """
    disclosure = check_disclosure_input(fundings, positions)
    _lock_person(person)
    latest = DisclosureVersion.objects.filter(person=person).order_by("-number").first()
    content = disclosure.to_json()
    if latest is not None and latest.content.to_json() == content:
        return latest
    version = DisclosureVersion.objects.create(
        person=person,
        number=latest.number + 1 if latest is not None else 1,
        created_by=actor,
        fundings=content["fundings"],
        positions=content["positions"],
    )
    audit.record(
        "integrity.disclosure.saved",
        actor=actor,
        obj=version,
        before=_audit_state(latest),
        after=_audit_state(version),
    )
    return version


@transaction.atomic
def pledge(person: User, *, actor: User) -> DisclosureVersion:
    """Record the pledge on the person's latest version, or renew a pledge a year
    old (``rules.is_pledge_due``); pledging a current pledge again changes nothing.

    A renewal is version N+1 with the content of N and the new pledge: a pledge,
    once recorded, never changes, and a proposal already submitted keeps the
    version (and the pledge) it was submitted with."""
    _lock_person(person)
    latest = DisclosureVersion.objects.filter(person=person).order_by("-number").first()
    if latest is None:
        raise ValidationError(
            _("There is no disclosure to pledge yet: save your disclosure first."),
            code="integrity.nothing_to_pledge",
        )
    now = timezone.now()
    if latest.pledged_at is not None:
        if is_pledge_due(latest.pledged_at, now):
            return _renew_pledge(latest, actor=actor, now=now)
        return latest
    before = {"number": latest.number, "pledged_at": None, "pledge_text_version": ""}
    latest.pledged_at = now
    latest.pledge_text_version = PLEDGE_TEXT_VERSION
    latest.save(update_fields=["pledged_at", "pledge_text_version"])
    audit.record(
        "integrity.disclosure.pledged",
        actor=actor,
        obj=latest,
        before=before,
        after={
            "number": latest.number,
            "pledged_at": latest.pledged_at,
            "pledge_text_version": latest.pledge_text_version,
        },
    )
    return latest


def _renew_pledge(latest: DisclosureVersion, *, actor: User, now: datetime) -> DisclosureVersion:
    renewed = DisclosureVersion.objects.create(
        person_id=latest.person_id,
        number=latest.number + 1,
        created_by=actor,
        fundings=latest.fundings,
        positions=latest.positions,
        pledged_at=now,
        pledge_text_version=PLEDGE_TEXT_VERSION,
    )
    audit.record(
        "integrity.disclosure.pledge_renewed",
        actor=actor,
        obj=renewed,
        before={
            "number": latest.number,
            "pledged_at": latest.pledged_at,
            "pledge_text_version": latest.pledge_text_version,
        },
        after={
            "number": renewed.number,
            "pledged_at": renewed.pledged_at,
            "pledge_text_version": renewed.pledge_text_version,
        },
    )
    return renewed
