"""Visibility: a forbidden object looks exactly like a missing one, and is logged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from django.db import models
from django.http import Http404

from openrd.core import audit

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
            audit.record(
                "access.denied",
                actor=user if user is not None else getattr(request, "user", None),
                obj=hidden,
                request=request,
            )
        raise Http404
    return found


def deny(request: HttpRequest, obj: models.Model | None = None, *, what: str = "") -> NoReturn:
    """Refuse an action the user may not take: audit it, answer 404."""
    audit.record(
        "access.denied",
        actor=getattr(request, "user", None),
        obj=obj,
        object_repr=what or (str(obj) if obj is not None else request.path),
        request=request,
    )
    raise Http404
