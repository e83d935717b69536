"""Writing the audit log: every service that changes state calls :func:`record`."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, overload

from django.db import models

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
    """Append one entry. Call it inside the service's transaction, after the change."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "",
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
        ip_address=_client_ip(request),
    )


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted
    # proxy rewrites it, and the deployment guide leaves that to the proxy.
    return request.META.get("REMOTE_ADDR") or None
