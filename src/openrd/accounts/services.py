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
    TokenScope,
    User,
)
from openrd.accounts.security import disable_account, end_session, link_orcid, set_up_totp
from openrd.core import audit
from openrd.core.identifiers import (
    IdentifierError,
    normalize_corporate_number,
    normalize_erad_researcher_number,
    normalize_orcid,
    normalize_ror,
)
from openrd.core.models import AuditEntry
from openrd.core.validators import normalize_country_code

__all__ = ["disable_account", "end_session", "link_orcid", "set_up_totp"]  # and the writers below

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
    user: User,
    *,
    name: str,
    scope: str = TokenScope.WRITE,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a token; the raw secret is returned once and never stored."""
    errors: dict[str, str] = {}
    if scope not in TokenScope.values:
        errors["scope"] = _("Choose read or write.")
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = _("Choose an expiry date in the future.")
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip(), scope=scope, digest=_digest(raw), prefix=raw[:8],
        expires_at=expires_at,
    )  # fmt: skip
    token.full_clean(exclude=["user", "digest", "prefix"])
    token.save()
    audit.record(
        "accounts.token.issued",
        actor=actor or user,
        obj=token,
        after=audit.snapshot(token, TOKEN_AUDIT_FIELDS),
    )
    return token, raw


TOKEN_AUDIT_FIELDS = ("user_id", "name", "prefix", "scope", "expires_at", "revoked_at")


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    """Revoke a token for good; revoking it again changes and records nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return
    before = audit.snapshot(token, TOKEN_AUDIT_FIELDS)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("accounts.token.revoked", actor=actor, obj=token, before=before,
                 after=audit.snapshot(token, TOKEN_AUDIT_FIELDS))  # fmt: skip


def resolve_token(raw: str) -> ApiToken | None:
    """The unexpired, unrevoked token of an active user with this secret, else None."""
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
        token.last_used_at = now
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user owning an unexpired, unrevoked token, else None."""
    token = resolve_token(raw)
    return token.user if token is not None else None


# What the audit log keeps of an account changed outside the profile form (the
# admin site): its profile, its flags, groups, permissions and roles.
ACCOUNT_AUDIT_FIELDS = (
    "username", "email", "first_name", "last_name", "name_ja", "name_en", "name_kana",
    "erad_researcher_number", "orcid", "organisation_id", "is_active", "is_staff",
    "is_superuser",
)  # fmt: skip


def account_state(user_id: int | None) -> dict[str, Any] | None:
    """The account as the audit log keeps it, read from the database (None if absent).

    Holds the password hash only so :func:`record_account_change` can tell whether
    it changed; the hash itself never reaches the log.
    """
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None:
        return None
    state = audit.snapshot(user, ACCOUNT_AUDIT_FIELDS)
    state["groups"] = sorted(user.groups.values_list("name", flat=True))
    state["user_permissions"] = sorted(
        f"{app}.{codename}"
        for app, codename in user.user_permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    state["roles"] = sorted(
        f"{role}@{org}" if org else role
        for role, org in user.role_assignments.values_list("role", "organisation__code")
    )
    state["password"] = user.password
    return state


@transaction.atomic
def record_account_change(
    user: User, *, actor: User, before: dict[str, Any] | None
) -> AuditEntry | None:
    """Audit what changed on an account since ``before`` (from :func:`account_state`)."""
    after = account_state(user.pk)
    if after is None or before == after:
        return None
    after = dict(after)
    old = dict(before) if before is not None else None
    changed = old is None or old.pop("password") != after["password"]
    after.pop("password")
    if changed:
        after["password_changed"] = True
    return audit.record(
        "accounts.user.created" if old is None else "accounts.user.changed",
        actor=actor, obj=user, before=old, after=after,
    )  # fmt: skip


ORGANISATIONS_FILE = Path(__file__).resolve().parent / "data" / "organisations.toml"
ORGANISATION_KEYS = {
    "code", "kind", "parent", "name_ja", "name_en", "name_kana", "corporate_number", "ror_id",
    "country", "founded_on", "is_sme", "website", "erad_funder_code", "crossref_funder_id",
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
    # The model's validator then refuses what is not an assigned code ("ZZ").
    if isinstance(out.get("country"), str):
        out["country"] = normalize_country_code(out["country"])
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
    if "orcid" in fields and user.orcid != before["orcid"]:
        # A typed iD is a claim; only a link made through ORCID verifies it.
        user.orcid_verified = False
        fields = {**fields, "orcid_verified": False}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError:
        user.refresh_from_db()
        raise
    user.save(update_fields=list(fields))
    audit.record("accounts.profile.updated", actor=actor, obj=user, before=before,
                 after=audit.snapshot(user, PROFILE_FIELDS))  # fmt: skip
    return user
