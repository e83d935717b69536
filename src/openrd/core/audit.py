"""Writing the audit log: every service that changes state calls :func:`record`."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, overload

from django.db import connections, models, router, transaction
from django.utils import timezone

from openrd.core.audit_chain import FIELDS, GENESIS, Checkpoint, Link, entry_hash, format_time
from openrd.core.client_ip import client_ip
from openrd.core.models import AuditEntry

if TYPE_CHECKING:
    from django.http import HttpRequest


@overload
def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]: ...
@overload
def snapshot(obj: None, fields: Iterable[str] | None = None) -> None: ...
@overload
def snapshot(
    obj: models.Model | None, fields: Iterable[str] | None = None
) -> dict[str, Any] | None: ...


def snapshot(
    obj: models.Model | None, fields: Iterable[str] | None = None
) -> dict[str, Any] | None:
    """A JSON-safe dict of a model's concrete field values (FKs as ids)."""
    if obj is None:
        return None
    names = (
        list(fields)
        if fields is not None
        else [f.attname for f in obj._meta.concrete_fields if not f.primary_key]
    )
    return {name: _json_safe(getattr(obj, name)) for name in names}


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


# Any fixed 64-bit number: the key of the PostgreSQL advisory lock that
# serialises writers of the chain (ASCII "openrd" + "au").
CHAIN_LOCK_KEY = 0x6F70656E72646175


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the service's transaction, after the change.

    The entry is chained to the previous one (:mod:`openrd.core.audit_chain`)
    while the chain head is locked until the caller's transaction ends, so two
    writers cannot both extend the same head.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    # Hash exactly what the database will hold: the field normalises IPv6.
    ip_address = AuditEntry._meta.get_field("ip_address").get_prep_value(client_ip(request))
    fields: dict[str, Any] = {
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": actor.get_username() if actor is not None else "",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr[:300],
        "before": _json_safe(before) if before is not None else None,
        "after": _json_safe(after) if after is not None else None,
        "ip_address": ip_address,
    }
    with transaction.atomic():
        last = _lock_chain_head()
        now = timezone.now()
        if last is None:
            fields.update(seq=1, at=now)
            prev_hash = GENESIS
        else:
            # Never earlier than the previous entry, even if the clock steps
            # back: the verifier treats a back-dated entry as forged.
            fields.update(seq=last.seq + 1, at=max(now, last.at))
            prev_hash = last.hash
        entry = AuditEntry(**fields, prev_hash=prev_hash, hash=entry_hash(fields, prev_hash))
        entry.save(force_insert=True)
    return entry


def _lock_chain_head() -> AuditEntry | None:
    """The last entry, read after taking the chain lock.

    PostgreSQL: a transaction-scoped advisory lock, held to the end of the
    outermost transaction. SQLite: transactions are BEGIN IMMEDIATE (see
    settings), so the writer already holds the database's write lock.
    """
    connection = connections[router.db_for_write(AuditEntry)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    return AuditEntry.objects.order_by("-seq").only("seq", "at", "hash").first()


def chain_links(batch: int = 1000) -> Iterator[Link]:
    """Every entry in chain order, read in keyset pages of ``batch`` rows."""
    names = [name for name in FIELDS if name != "seq"]
    last_seq = 0
    while True:
        rows = list(
            AuditEntry.objects.filter(seq__gt=last_seq)
            .order_by("seq")
            .values("id", "seq", "prev_hash", "hash", *names)[:batch]
        )
        for row in rows:
            yield Link(
                id=row["id"], seq=row["seq"], prev_hash=row["prev_hash"], hash=row["hash"],
                fields={name: row[name] for name in FIELDS},
            )  # fmt: skip
        if len(rows) < batch:
            return
        last_seq = rows[-1]["seq"]


def current_checkpoint() -> Checkpoint:
    """The chain head now, to be stored somewhere the database's writers cannot reach."""
    last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
    if last is None:
        return Checkpoint(seq=0, hash=GENESIS, at=format_time(timezone.now()))
    return Checkpoint(seq=last.seq, hash=last.hash, at=format_time(timezone.now()))
