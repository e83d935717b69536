"""The store of SAML assertions already used: each signs in at most once.

python3-saml checks a response's signature, audience and time window, but a
response captured within its window (from a browser's history, a proxy log)
would pass again. Every accepted assertion's ID is written here until its
NotOnOrAfter; a second use fails on the unique constraint, in any process.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from openrd.accounts.models import ConsumedSAMLAssertion

# Kept a little past NotOnOrAfter: python3-saml allows this much clock skew.
_SKEW = dt.timedelta(minutes=5)
# An assertion without NotOnOrAfter is kept this long (strict mode refuses
# most of those already, as SubjectConfirmationData must carry one).
_DEFAULT_LIFETIME = dt.timedelta(hours=8)


def consume(idp: str, assertion_id: str, not_on_or_after: int | None) -> bool:
    """Record the assertion as used; False if it had been used before.

    ``not_on_or_after`` is python3-saml's POSIX timestamp (or None).
    """
    now = timezone.now()
    expires = (
        dt.datetime.fromtimestamp(not_on_or_after, tz=dt.UTC)
        if not_on_or_after
        else now + _DEFAULT_LIFETIME
    )
    # Expired entries can go: a response that old is refused by its timestamps.
    ConsumedSAMLAssertion.objects.filter(not_on_or_after__lt=now - _SKEW).delete()
    try:
        with transaction.atomic():
            ConsumedSAMLAssertion.objects.create(
                idp=idp[:255], assertion_id=assertion_id[:255], not_on_or_after=expires + _SKEW
            )
    except IntegrityError:
        return False
    return True
