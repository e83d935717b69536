"""The only writers of accounts data; each change is audited."""

from __future__ import annotations

import hashlib
import secrets
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import (
    Affiliation,
    ApiToken,
    Organisation,
    Role,
    RoleAssignment,
    User,
)
from openrd.core import audit
from openrd.core.identifiers import (
    IdentifierError,
    normalize_corporate_number,
    normalize_erad_researcher_number,
    normalize_orcid,
    normalize_ror,
)

TOKEN_PREFIX = "ord_"  # noqa: S105  (a public marker, not a secret)


@transaction.atomic
def upsert_organisation(*, code: str, actor: User | None = None, **fields: Any) -> Organisation:
    """Create the organisation with ``code`` or update it; validated before saving."""
    fields = _normalized_identifiers(fields)
    org = Organisation.objects.filter(code=code).first()
    before = audit.snapshot(org)
    if org is None:
        org = Organisation(code=code)
    for name, value in fields.items():
        setattr(org, name, value)
    org.full_clean()
    org.save()
    after = audit.snapshot(org)
    if before != after:
        audit.record(
            "accounts.organisation.created" if before is None else "accounts.organisation.updated",
            actor=actor,
            obj=org,
            before=before,
            after=after,
        )
    return org


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None,
    actor: User | None = None,
    roles: list[tuple[str, Organisation | None]] | None = None,
    **fields: Any,
) -> User:
    """Create a person's account (password hashed with Argon2) and grant roles."""
    user = User(username=username, **_normalized_identifiers(fields))
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        "accounts.user.created",
        actor=actor,
        obj=user,
        after=audit.snapshot(user, ["username", "name_ja", "name_en", "organisation_id"]),
    )
    for role, organisation in roles or []:
        assign_role(user, role, organisation=organisation, actor=actor)
    return user


@transaction.atomic
def assign_role(
    user: User, role: str, *, organisation: Organisation | None = None, actor: User | None = None
) -> RoleAssignment:
    Role(role)  # raises ValueError on an unknown role before anything is written
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organisation=organisation
    )
    if created:
        audit.record(
            "accounts.role.assigned",
            actor=actor,
            obj=assignment,
            after={
                "user": user.pk,
                "role": role,
                "organisation": getattr(organisation, "pk", None),
            },
        )
        user.__dict__.pop("_role_codes", None)
    return assignment


@transaction.atomic
def add_affiliation(
    person: User, organisation: Organisation, *, actor: User | None = None, **fields: Any
) -> Affiliation:
    affiliation = Affiliation(person=person, organisation=organisation, **fields)
    affiliation.full_clean()
    affiliation.save()
    audit.record(
        "accounts.affiliation.added",
        actor=actor,
        obj=affiliation,
        after=audit.snapshot(affiliation),
    )
    return affiliation


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_api_token(
    user: User, *, name: str, expires_at: datetime | None = None, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token; the raw secret is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, digest=_digest(raw), prefix=raw[:8], expires_at=expires_at
    )
    audit.record(
        "accounts.token.issued",
        actor=actor or user,
        obj=token,
        after={"name": name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("accounts.token.revoked", actor=actor, obj=token)


def authenticate_token(raw: str) -> User | None:
    """The active user owning an unexpired, unrevoked token, else None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    # Touch at most once a minute so a busy client does not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


ORGANISATIONS_FILE = Path(__file__).resolve().parent / "data" / "organisations.toml"
ORGANISATION_KEYS = {
    "code", "kind", "parent", "name_ja", "name_en", "name_kana", "corporate_number", "ror_id",
    "country", "founded_on", "is_sme", "website",
}  # fmt: skip


def load_organisations(
    path: Path = ORGANISATIONS_FILE, *, actor: User | None = None
) -> list[Organisation]:
    """Upsert the organisations declared in a TOML file (parents listed first)."""
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("organisations", [])
    loaded = []
    with transaction.atomic():
        for entry in entries:
            unknown = set(entry) - ORGANISATION_KEYS
            if unknown:
                raise ValueError(f"{path.name}: {entry.get('code')}: unknown key(s) {unknown}")
            fields = dict(entry)
            code = fields.pop("code")
            parent = fields.pop("parent", None)
            fields["parent"] = Organisation.objects.get(code=parent) if parent else None
            loaded.append(upsert_organisation(code=code, actor=actor, **fields))
    return loaded


PROFILE_FIELDS = ("name_ja", "name_en", "name_kana", "orcid", "erad_researcher_number")


def _normalized_identifiers(fields: dict[str, Any]) -> dict[str, Any]:
    """Store identifiers in their canonical form (URL and full-width input accepted)."""
    out = dict(fields)
    for name, normalize in (("orcid", normalize_orcid),
                            ("erad_researcher_number", normalize_erad_researcher_number),
                            ("corporate_number", normalize_corporate_number),
                            ("ror_id", normalize_ror)):  # fmt: skip
        value = out.get(name)
        if isinstance(value, str):
            if not value.strip():
                out[name] = None if name != "ror_id" else ""
                continue
            try:
                out[name] = normalize(value)
            except IdentifierError as exc:
                raise ValidationError({name: ValidationError(exc.message, code=exc.code)}) from exc
    return out


@transaction.atomic
def update_profile(user: User, *, actor: User, **fields: Any) -> User:
    """Change a person's own profile; all fields are validated before anything is saved."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    fields = _normalized_identifiers(fields)
    # A name sent as null clears it; names are never NULL in the database.
    fields = {k: ("" if v is None and k.startswith("name_") else v) for k, v in fields.items()}
    before = audit.snapshot(user, PROFILE_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError:
        user.refresh_from_db()
        raise
    user.save(update_fields=list(fields))
    audit.record("accounts.profile.updated", actor=actor, obj=user, before=before,
                 after=audit.snapshot(user, PROFILE_FIELDS))  # fmt: skip
    return user
