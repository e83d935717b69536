"""The audit log's hash chain, as pure functions (no database).

Every entry carries ``hash = SHA-256(canonical(entry) ‖ prev_hash)`` where
``prev_hash`` is the previous entry's hash (the first entry follows
:data:`GENESIS`). Editing, deleting, inserting or reordering entries with raw
SQL therefore breaks the chain at the first touched entry. Cutting off the
tail leaves a valid shorter chain; a checkpoint of the head kept elsewhere
(:class:`Checkpoint`) detects that, and also a chain recomputed from scratch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

GENESIS = "0" * 64

# Every field that matters, in one fixed list: adding a field to the model
# without adding it here would leave that field unprotected.
FIELDS = (
    "seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id",
    "object_repr", "before", "after", "ip_address",
)  # fmt: skip


@dataclass(frozen=True)
class Link:
    """One stored entry as the verifier sees it."""

    id: int
    seq: int
    prev_hash: str
    hash: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    seq: int
    id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"seq {self.seq}" + (f" (id {self.id})" if self.id is not None else "")
        return f"{where}: {self.problem}"


@dataclass(frozen=True)
class Checkpoint:
    """The head of the chain at some moment, to be kept outside the database."""

    seq: int
    hash: str
    at: str

    def to_json(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("a checkpoint is a JSON object")
        seq, digest, at = data.get("seq"), data.get("hash"), data.get("at", "")
        if not isinstance(seq, int) or seq < 0 or not _is_digest(digest):
            raise ValueError("a checkpoint needs an integer seq and a 64-hex-digit hash")
        return cls(seq=seq, hash=digest, at=str(at))


def _is_digest(value: Any) -> TypeGuard[str]:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _canonical_value(value: Any) -> Any:
    # The database may hand back 1e16 as an integer (PostgreSQL's jsonb), so a
    # whole float is written as the integer it equals, on both sides.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    return value


def format_time(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit times are aware datetimes")
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """A stable serialisation: sorted keys, fixed separators, UTC times."""
    data = {}
    for name in FIELDS:
        value = fields.get(name)
        if isinstance(value, dt.datetime):
            value = format_time(value)
        data[name] = _canonical_value(value)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(fields) + prev_hash.encode("ascii")).hexdigest()


def verify(links: Iterable[Link], checkpoint: Checkpoint | None = None) -> Break | None:
    """Walk ``links`` in ``seq`` order and return the first break, or None.

    Reads the links one at a time, so memory stays bounded however long the log.
    """
    expected_seq, prev_hash, prev_at = 1, GENESIS, None
    checkpoint_seen = checkpoint is None or checkpoint.seq == 0
    for link in links:
        if link.seq != expected_seq:
            problem = (
                f"gap in sequence: expected {expected_seq}, found {link.seq}"
                if link.seq > expected_seq
                else f"sequence goes backwards: expected {expected_seq}, found {link.seq}"
            )
            return Break(expected_seq, link.id, problem)
        if link.prev_hash != prev_hash:
            return Break(link.seq, link.id, "broken prev link: prev_hash is not the previous hash")
        if entry_hash(link.fields, prev_hash) != link.hash:
            return Break(link.seq, link.id, "hash mismatch: the entry was changed")
        at = link.fields.get("at")
        if prev_at is not None and at is not None and at < prev_at:
            return Break(link.seq, link.id, "time goes backwards: entry is back-dated")
        if checkpoint is not None and link.seq == checkpoint.seq:
            if link.hash != checkpoint.hash:
                return Break(link.seq, link.id, "differs from the checkpoint: chain rewritten")
            checkpoint_seen = True
        expected_seq, prev_hash, prev_at = link.seq + 1, link.hash, at
    if not checkpoint_seen:
        assert checkpoint is not None
        return Break(
            checkpoint.seq, None, f"missing: the log ends at seq {expected_seq - 1} (truncated)"
        )
    return None
