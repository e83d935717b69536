"""Writers for sign-in security: second factors, disabling an account, sessions.

Part of the accounts services (``openrd.accounts.services`` re-exports them);
each change is one transaction with its audit entry.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openrd.accounts.models import ApiToken, User
from openrd.core import audit
from openrd.core.identifiers import normalize_orcid


@transaction.atomic
def set_up_totp(user: User, *, secret: str, actor: User | None = None) -> bool:
    """Give ``user`` a TOTP authenticator with ``secret`` and recovery codes.

    For accounts provisioned with a known secret (the demo); people set up their
    own through the MFA pages. Returns False (changing nothing) if one exists.
    """
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return False
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    audit.record("accounts.mfa.added", actor=actor, obj=user, after={"type": "totp"})
    return True


@transaction.atomic
def disable_account(user: User, *, actor: User) -> None:
    """Stop an account at once: no sign-in, no open session, no working API token."""
    user = User.objects.select_for_update().get(pk=user.pk)
    # Every session signed in since sessions were tracked; an older one is
    # refused anyway on its next request, as the account is inactive.
    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    now = timezone.now()
    tokens = list(
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("prefix", flat=True)
    )
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    was_active = user.is_active
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit.record(
        "accounts.user.disabled",
        actor=actor,
        obj=user,
        before={"is_active": was_active},
        after={"is_active": False, "sessions_ended": len(sessions), "tokens_revoked": tokens},
    )


@transaction.atomic
def end_session(session: UserSession, *, actor: User) -> None:
    """Sign one of one's sessions out (from "my sessions")."""
    audit.record("accounts.session.ended", actor=actor, obj=session.user,
                 after={"ip": session.ip, "user_agent": session.user_agent[:200]})  # fmt: skip
    session.end()


@transaction.atomic
def link_orcid(user: User, orcid: str, *, request: HttpRequest | None = None) -> None:
    """Record the iD ORCID itself vouched for (sign-in or link) as verified.

    Someone else's typed, unverified claim to the same iD gives way to the proven
    owner, and that is audited on their account too.
    """
    orcid = normalize_orcid(orcid)
    for other in User.objects.select_for_update().filter(orcid=orcid).exclude(pk=user.pk):
        other.orcid, other.orcid_verified = None, False
        other.save(update_fields=["orcid", "orcid_verified"])
        audit.record("accounts.orcid.claim_dropped", obj=other, request=request,
                     before={"orcid": orcid}, after={"orcid": None})  # fmt: skip
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"orcid": user.orcid, "orcid_verified": user.orcid_verified}
    if before == {"orcid": orcid, "orcid_verified": True}:
        return  # signing in again with the linked iD changes nothing
    user.orcid, user.orcid_verified = orcid, True
    user.save(update_fields=["orcid", "orcid_verified"])
    audit.record("accounts.orcid.verified", actor=user, obj=user, request=request,
                 before=before, after={"orcid": orcid, "orcid_verified": True})  # fmt: skip
