"""Why a SAML response was refused: a short code for the audit, a sentence for the person.

python3-saml reports a failed check as an English sentence; :func:`classify`
turns it into one of a few codes, so the audit log can be searched by kind and
the person is told, in their language, what went wrong without the details an
attacker could use.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SIGNATURE = "signature"
AUDIENCE = "audience"
DESTINATION = "destination"
EXPIRED = "expired"
REPLAY = "replay"
MALFORMED = "malformed"
UNKNOWN_IDP = "unknown_idp"
UNSOLICITED = "unsolicited"
MISSING_EPPN = "missing_eppn"
INVALID = "invalid"

MESSAGES: dict[str, Promise] = {
    SIGNATURE: _(
        "The answer of your institution's sign-in service is not signed by it, or the "
        "signature does not match."
    ),
    AUDIENCE: _("The answer of your institution's sign-in service was meant for another site."),
    DESTINATION: _("The answer of your institution's sign-in service was sent to another address."),
    EXPIRED: _(
        "The answer of your institution's sign-in service has expired. Please sign in again."
    ),
    REPLAY: _(
        "This answer of your institution's sign-in service has already been used. "
        "Please sign in again."
    ),
    MALFORMED: _("The answer received is not a readable SAML message."),
    UNKNOWN_IDP: _("This institution's sign-in service is not set up on OpenRD."),
    UNSOLICITED: _(
        "The answer of your institution's sign-in service does not belong to a sign-in "
        "started here. Please start again from this site."
    ),
    MISSING_EPPN: _(
        "Your institution's sign-in service did not send your eduPersonPrincipalName "
        "(ePPN), which OpenRD needs to recognise you. Please ask your institution to "
        "release it to OpenRD."
    ),
    INVALID: _("The answer of your institution's sign-in service could not be accepted."),
}

# Fragments of python3-saml's reasons (onelogin/saml2/response.py), first match wins.
_REASONS: tuple[tuple[str, str], ...] = (
    ("signature", SIGNATURE),
    ("not signed", SIGNATURE),
    ("keyinfo", SIGNATURE),
    ("deprecated", SIGNATURE),
    ("audience", AUDIENCE),
    ("received at", DESTINATION),
    ("destination", DESTINATION),
    ("expired", EXPIRED),
    ("not yet valid", EXPIRED),
    # A SubjectConfirmation is refused for its recipient, InResponseTo or, by far
    # most often, its NotOnOrAfter: the response came too late.
    ("subjectconfirmation", EXPIRED),
    ("invalid response", MALFORMED),
    ("unsupported saml version", MALFORMED),
    ("missing id", MALFORMED),
    ("must contain 1 assertion", MALFORMED),
)


def classify(reason: str | None, errors: Iterable[str] = ()) -> str:
    text = (reason or "").lower()
    for fragment, code in _REASONS:
        if fragment in text:
            return code
    return MALFORMED if "invalid_response" in errors and not text else INVALID


def message(code: str) -> Promise:
    return MESSAGES.get(code, MESSAGES[INVALID])
