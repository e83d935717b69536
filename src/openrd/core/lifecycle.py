"""The one door every lifecycle passes through (calls, proposals, and the apps after them).

Each app keeps its own table of states and its guards as pure rules; the moment
a move is made is the same everywhere: the rules' decision refuses (nothing
written) or the effect runs, the state changes and the audit log records the
state before and after, in the caller's transaction, on a row the caller locked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import models

from openrd.core import audit
from openrd.core.decisions import Decision
from openrd.core.refusals import Refused


def enter_state[M: models.Model](
    locked: M,
    target: str,
    *,
    decision: Decision,
    actor: Any,
    action: str,
    at: datetime,
    detail: str = "",
    effect: Callable[[M], dict[str, Any]] | None = None,
) -> M:
    """Move ``locked`` (with ``status`` and ``updated_at`` fields) to ``target``.

    ``decision`` is the lifecycle rules' answer for this move; ``effect`` writes
    what the move brings (a version, an answer) and returns what the audit
    entry should say of it.
    """
    if not decision.allowed:
        raise Refused(decision, detail=detail)
    before = {"status": getattr(locked, "status")}  # noqa: B009  (any model with a status)
    recorded = effect(locked) if effect is not None else {}
    setattr(locked, "status", target)  # noqa: B010
    locked.save(update_fields=["status", "updated_at"])
    audit.record(
        action,
        actor=actor,
        obj=locked,
        before=before,
        after={"status": target, "at": at, **recorded},
    )
    return locked
