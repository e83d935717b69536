"""Access requests for restricted files: a signed-in person asks, giving the
purpose; a curator of the record's institution grants or refuses, and the
person is told. A grant opens the file to that person's account only, until it
expires: no link that works for whoever holds it, in a mail or in the inbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Role, User
from openrd.core import audit
from openrd.core.decisions import Decision, Reason
from openrd.core.refusals import Refused
from openrd.repository.access import file_may_be_requested
from openrd.repository.models import AccessRequest, AccessRequestStatus, OutputFile

SOURCE = "OpenRD 機関リポジトリ運用規程（制限公開ファイルの利用申請）"


def link_days() -> int:
    return int(getattr(settings, "OPENRD_ACCESS_LINK_DAYS", 14))


def _refuse(code: str, message: str) -> Refused:
    return Refused(Decision.of(Reason(code, message, SOURCE)))


def _context(req: AccessRequest) -> dict[str, object]:
    output = req.file.output
    return {
        "title": {"ja": output.title_ja or output.title_en, "en": output.title_en},
        "file_name": req.file.name,
    }


@transaction.atomic
def request_access(
    file: OutputFile, *, requester: User, purpose: str, now: datetime | None = None
) -> AccessRequest:
    now = now or timezone.now()
    if not file_may_be_requested(file.output.status, file.access):
        raise _refuse("access.not_requestable", _("This file cannot be asked for."))
    if not purpose.strip():
        raise ValidationError({"purpose": [_("Say what you will use the file for.")]})
    if len(purpose) > 4000:
        raise ValidationError({"purpose": [_("At most 4,000 characters.")]})
    if AccessRequest.objects.filter(
        file=file, requester=requester, status=AccessRequestStatus.PENDING
    ).exists():
        raise ValidationError({"purpose": [_("You have asked for this file already.")]})
    made = AccessRequest.objects.create(
        file=file,
        requester=requester,
        name=requester.get_full_name() or requester.username,
        email=requester.email,
        purpose=purpose.strip(),
    )
    audit.record("repository.access.requested", actor=requester, obj=file.output,
                 after={"request": made.pk, "file": file.name})  # fmt: skip
    from openrd.notifications.services import notify

    curators = User.objects.filter(
        role_assignments__role=Role.CURATOR,
        role_assignments__organisation_id=file.output.institution_id,
        is_active=True,
    ).distinct()
    notify(curators, "repository.access_requested",
           _context(made) | {"link": {"name": "repository:access_requests", "args": []}},
           now=now)  # fmt: skip
    return made


@transaction.atomic
def decide(
    req: AccessRequest, *, actor: User, grant: bool, note: str = "", now: datetime | None = None
) -> AccessRequest:
    """Grant (for ``link_days()``) or refuse (with the reason)."""
    now = now or timezone.now()
    locked = AccessRequest.objects.select_for_update().select_related("file__output").get(pk=req.pk)
    if locked.status != AccessRequestStatus.PENDING:
        raise _refuse("access.decided", _("This request has been answered already."))
    if not grant and not note.strip():
        raise ValidationError({"note": [_("Say why the request is refused.")]})
    locked.status = AccessRequestStatus.GRANTED if grant else AccessRequestStatus.REFUSED
    locked.decided_by = actor
    locked.decided_at = now
    locked.decision_note = note.strip()
    if grant:
        locked.expires_at = now + timedelta(days=link_days())
    locked.save()
    audit.record(
        "repository.access.decided",
        actor=actor,
        obj=locked.file.output,
        before={"status": AccessRequestStatus.PENDING},
        after={"status": locked.status, "request": locked.pk, "expires_at": locked.expires_at},
    )
    if locked.requester is not None:
        from openrd.notifications.services import notify

        link = {"name": "repository:granted_file", "args": [locked.pk]} if grant else None
        notify([locked.requester], "repository.access_decided",
               _context(locked) | {"granted": grant, "note": locked.decision_note,
                                   "link": link}, now=now)  # fmt: skip
    return locked


def granted(pk: int, user: Any, *, now: datetime | None = None) -> AccessRequest | None:
    """``user``'s granted request ``pk`` while it is valid and the file is still
    restricted on a published record; else None."""
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False):
        return None
    found = (
        AccessRequest.objects.select_related("file__output", "file__stored")
        .filter(pk=pk, requester=user, status=AccessRequestStatus.GRANTED)
        .first()
    )
    if found is None or found.expires_at is None or found.expires_at <= now:
        return None
    if not file_may_be_requested(found.file.output.status, found.file.access):
        return None
    return found


def pending_for(curator: User) -> QuerySet[AccessRequest]:
    from openrd.repository.queries import curator_institution_ids

    return AccessRequest.objects.filter(
        file__output__institution_id__in=curator_institution_ids(curator),
        status=AccessRequestStatus.PENDING,
    ).select_related("file__output", "requester")
