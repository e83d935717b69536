"""Who a SAML sign-in is: an account found by ePPN or verified address, or a new one.

Called by ``accounts.adapter.SocialAccountAdapter`` for SAML logins only
(docs/adr/0021-saml-single-sign-on.md). The linking policy:

1. the SAML account is already connected: that account (allauth's lookup);
2. an account with this ePPN recorded (``User.eppn``): connected to it;
3. an account whose *verified* address (allauth's EmailAddress) is the asserted
   mail, and whose recorded ePPN, if any, is this one: connected to it;
4. otherwise a new account, just in time (allauth's auto sign-up; no usable
   password; its address verified only if the IdP is configured to vouch).

An unverified address never links: anyone can type someone else's address at
sign-up, and linking on it would hand that account to whoever controls the IdP
login with that mail.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.http import HttpRequest

from openrd.accounts.models import Affiliation, AffiliationKind, Organisation, User
from openrd.accounts.saml_attributes import SAMLPerson, person_from_attributes
from openrd.accounts.services import add_affiliation
from openrd.core import audit

# eduPersonAffiliation → the position recorded at the IdP's organisation.
# faculty, staff and employee hold a post there: their main, paid position.
# "member" is what an IdP says of anyone with a standing role (faculty, staff,
# student alike), so alone it is also a main position, but not taken as paid.
# Students are recorded too (a doctoral student applies through their
# university) as a visiting, unpaid position: they are not employed there, and
# research-integrity disclosures must not read them as a paid post. affiliate
# (guests, visiting researchers) likewise. alum and library-walk-in give no
# position: former members and walk-in readers do not apply through it.
_POSITION: dict[str, tuple[str, bool]] = {
    "faculty": (AffiliationKind.PRIMARY, True),
    "staff": (AffiliationKind.PRIMARY, True),
    "employee": (AffiliationKind.PRIMARY, True),
    "member": (AffiliationKind.PRIMARY, False),
    "student": (AffiliationKind.VISITING, False),
    "affiliate": (AffiliationKind.VISITING, False),
}


def is_saml(sociallogin: Any) -> bool:
    return getattr(getattr(sociallogin, "provider", None), "id", None) == "saml"


def idp_settings(sociallogin: Any) -> dict[str, Any]:
    return dict(sociallogin.provider.app.settings.get("openrd", {}))


def idp_slug(sociallogin: Any) -> str:
    return str(sociallogin.provider.app.client_id)


def person_of(sociallogin: Any) -> SAMLPerson:
    scopes = idp_settings(sociallogin).get("scopes", [])
    return person_from_attributes(sociallogin.account.extra_data or {}, scopes=scopes)


def find_existing(sociallogin: Any) -> tuple[User | None, str]:
    """The account to connect this SAML login to, and by what ("eppn", "email"); or None."""
    eppn = sociallogin.account.uid
    user = User.objects.filter(eppn=eppn).first()
    if user is not None:
        return user, "eppn"
    person = person_of(sociallogin)
    if not person.email:
        return None, ""
    owners = {
        a.user
        for a in EmailAddress.objects.filter(email__iexact=person.email, verified=True)
        .select_related("user")
        .exclude(user__eppn__isnull=False)  # someone else's ePPN is on record there
    }
    # Already connected to another identity at this IdP: not the same person.
    owners = {
        u
        for u in owners
        if not SocialAccount.objects.filter(user=u, provider=sociallogin.account.provider).exists()
    }
    if len(owners) != 1:
        return None, ""
    return owners.pop(), "email"


def _record_position(user: User, sociallogin: Any, person: SAMLPerson) -> str:
    """Add the position the IdP asserts, once; the person edits it from then on."""
    code = idp_settings(sociallogin).get("organisation")
    position = _POSITION.get(person.strongest_affiliation)
    if not code or position is None:
        return ""
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        return ""
    if Affiliation.objects.filter(person=user, organisation=organisation).exists():
        return ""
    kind, paid = position
    add_affiliation(user, organisation, actor=user, kind=kind, is_paid=paid)
    return str(kind)


def _record_eppn(user: User, eppn: str) -> None:
    if user.eppn is None and not User.objects.filter(eppn=eppn).exists():
        user.eppn = eppn
        user.save(update_fields=["eppn"])


def connect_existing(request: HttpRequest, sociallogin: Any, user: User, how: str) -> None:
    """Connect the SAML account to ``user``; record the ePPN and the position."""
    with transaction.atomic():
        sociallogin.connect(request, user)
        _record_eppn(user, sociallogin.account.uid)
        position = _record_position(user, sociallogin, person_of(sociallogin))
        audit.record("accounts.saml.linked", actor=user, obj=user, request=request,
                     after={"idp": idp_slug(sociallogin), "by": how,
                            "eppn": sociallogin.account.uid, "affiliation": position})  # fmt: skip


def fill_new_user(user: User, sociallogin: Any) -> None:
    """Names and ePPN of a just-in-time account, before it is saved."""
    person = person_of(sociallogin)
    user.name_en = person.name_en[:100]
    user.name_ja = person.name_ja[:100]
    user.first_name = person.given_name[:150]
    user.last_name = person.surname[:150]
    if not User.objects.filter(eppn=sociallogin.account.uid).exists():
        user.eppn = sociallogin.account.uid


def after_new_user(request: HttpRequest, user: User, sociallogin: Any) -> None:
    """Inside the sign-up transaction: the position, and the audit entry."""
    position = _record_position(user, sociallogin, person_of(sociallogin))
    audit.record("accounts.saml.account_created", actor=user, obj=user, request=request,
                 after={"idp": idp_slug(sociallogin), "eppn": sociallogin.account.uid,
                        "email_verified": bool(idp_settings(sociallogin).get("email_verified")),
                        "affiliation": position})  # fmt: skip
