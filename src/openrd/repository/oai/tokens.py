"""Resumption tokens: where a list harvest stands, signed so that nobody can
forge a place or a filter, and dated so that an old one expires.

A token is a keyset position — the last (datestamp, id) sent — never an offset,
so the next page is one index range whatever its depth, and records added or
changed during the harvest neither shift nor repeat what is left.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing

SALT = "openrd.oai"


class BadToken(Exception):
    """A token that was tampered with, has expired or belongs to another verb."""


def token_lifetime() -> timedelta:
    # The spec lets a repository choose; harvesters resume after a pause, so
    # never less than a day.
    hours = max(24, int(getattr(settings, "OPENRD_OAI_TOKEN_HOURS", 48)))
    return timedelta(hours=hours)


@dataclass(frozen=True)
class Position:
    """A harvest in progress: its request, where it stands and what it counts."""

    verb: str
    prefix: str = ""
    set_spec: str = ""
    from_: str = ""  # the request's own strings, echoed back as given
    until: str = ""
    # The harvest's fixed upper bound (isoformat, microseconds): records stamped
    # after the first page belong to the next harvest, so the count holds.
    snapshot: str = ""
    last_datestamp: str = ""  # isoformat with microseconds
    last_id: int = 0
    last_key: str = ""  # ListSets: the last setSpec sent
    cursor: int = 0  # how many were sent before the next page
    complete: int = 0  # completeListSize, counted at the first page
    issued: float = 0.0  # POSIX time of issue

    def expires(self) -> datetime:
        return datetime.fromtimestamp(self.issued, UTC) + token_lifetime()


_FIELDS = {
    "verb": "v", "prefix": "p", "set_spec": "s", "from_": "f", "until": "u",
    "snapshot": "x", "last_datestamp": "d", "last_id": "i", "last_key": "k",
    "cursor": "c", "complete": "n", "issued": "t",
}  # fmt: skip
_NAMES = {short: name for name, short in _FIELDS.items()}


def issue(position: Position, now: datetime) -> tuple[str, datetime]:
    """The signed token for ``position`` issued at ``now``, and when it expires."""
    stamped = replace(position, issued=now.timestamp())
    payload = {_FIELDS[k]: v for k, v in asdict(stamped).items() if v not in ("", 0, 0.0)}
    payload["t"] = stamped.issued
    payload["v"] = stamped.verb
    return signing.dumps(payload, salt=SALT, compress=True), stamped.expires()


def read(token: str, verb: str, now: datetime) -> Position:
    """The position ``token`` carries, if it is ours, for ``verb`` and still valid."""
    try:
        payload = signing.loads(token, salt=SALT)
        position = Position(**{_NAMES[k]: v for k, v in payload.items()})
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise BadToken("not a token of this repository") from exc
    if position.verb != verb:
        raise BadToken("a token of another verb")
    if now >= position.expires():
        raise BadToken("expired")
    return position
