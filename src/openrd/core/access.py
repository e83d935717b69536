"""Visibility: a forbidden object looks exactly like a missing one, and is logged."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.http import Http404

from openrd.core import audit
from openrd.core.client_ip import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest


def get_visible_or_404[M: models.Model](
    visible: models.QuerySet[M],
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    **lookup: Any,
) -> M:
    """Return the object from ``visible`` or raise Http404.

    When the object exists but lies outside ``visible`` the denial is written
    to the audit log, so probing for other people's records leaves a trace,
    while the caller still sees nothing that tells "forbidden" from "missing".
    """
    found = visible.filter(**lookup).first()
    if found is None:
        hidden = visible.model._default_manager.filter(**lookup).first()
        if hidden is not None:
            record_denial(
                actor=user if user is not None else getattr(request, "user", None),
                obj=hidden,
                request=request,
            )
        raise Http404
    return found


def deny(request: HttpRequest, obj: models.Model | None = None, *, what: str = "") -> NoReturn:
    """Refuse an action the user may not take: audit it, answer 404."""
    record_denial(
        actor=getattr(request, "user", None),
        obj=obj,
        object_repr=what or (str(obj) if obj is not None else request.path),
        request=request,
    )
    raise Http404


def record_denial(
    *,
    actor: Any,
    obj: models.Model | None,
    request: HttpRequest | None,
    object_repr: str = "",
) -> None:
    """Write an ``access.denied`` entry, once per client and object per interval.

    An anonymous client can ask for a protected URL hundreds of times a
    second; one row per request would let it grow the audit log without bound.
    """
    if obj is not None:
        target = (obj._meta.label_lower, str(obj.pk))
    else:
        target = ("", object_repr or (request.path if request is not None else ""))
    record_bounded(
        "access.denied",
        key=(_who(actor, request), *target),
        actor=actor,
        obj=obj,
        object_repr=object_repr,
        request=request,
    )


def record_bounded(action: str, *, key: tuple[str, ...], **entry: Any) -> bool:
    """Record ``action`` unless the same ``key`` was recorded within the interval.

    Repeats inside the interval are only counted (in the cache); the next entry
    written for the key carries that count in ``after["repeats"]``. Returns
    whether an entry was written. A cache shared by the workers (not LocMem)
    makes the bound hold across processes.
    """
    interval = settings.OPENRD_ACCESS_DENIED_INTERVAL
    digest = hashlib.sha256("\x1f".join((action, *key)).encode()).hexdigest()
    window, repeats = f"openrd:audit-once:{digest}", f"openrd:audit-repeats:{digest}"
    if not cache.add(window, 1, timeout=interval):
        try:
            cache.incr(repeats)
        except ValueError:
            # Kept well past the window so the next entry can still report it.
            cache.set(repeats, 1, timeout=interval * 10)
        return False
    count = cache.get(repeats, 0)
    if count:
        cache.delete(repeats)
        entry["after"] = {**(entry.get("after") or {}), "repeats": count}
    audit.record(action, **entry)
    return True


def _who(actor: Any, request: HttpRequest | None) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return f"user:{actor.pk}"
    return f"ip:{client_ip(request) or '-'}"
