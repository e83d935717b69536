"""A tus 1.0 server for deposits' large files (https://tus.io/protocols/resumable-upload):
the core protocol with the creation, termination, expiration and checksum
extensions, at ``/uploads/``.

Bytes received so far live in ``MEDIA_ROOT/uploads/<key>.part``; the
``UploadSession`` row says how many (``offset``), so a client that lost its
connection asks (HEAD) and goes on from there. A chunk is first streamed into
a staging file beside it (checksummed while it arrives) and only then, under
the session's row lock, appended: a chunk whose checksum does not match, or
that races another one for the same offset, leaves the upload as it was.
When the last byte arrives the file goes through ``services.attach_file``
like any other deposit file (sniffed, hashed, size-limited, audited).

Who may upload. tus clients send no CSRF token, so the CSRF middleware cannot
judge these requests by itself; instead every request (but OPTIONS) must carry
``Tus-Resumable`` — a custom header, which a cross-site form or image cannot
send and a cross-site script can send only after a CORS preflight this server
never grants — and then either
- an API bearer token (``Authorization: Bearer ord_…``, judged by it alone as
  in the API: a read-scope token may only ask HEAD), which no browser attaches
  on its own, so there is nothing to forge; or
- the browser session, and then for POST, PATCH and DELETE also a valid
  ``X-CSRFToken`` header (Django's own CSRF check, origin check included).
An upload belongs to the person who created it: anyone else gets 404, as for
a key that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from openrd.accounts.api_auth import READ_METHODS, bearer_secret
from openrd.accounts.services import resolve_token
from openrd.core.access import record_denial
from openrd.core.refusals import Refused
from openrd.repository import services
from openrd.repository.models import FileAccess, Output, TextVersion, UploadSession
from openrd.repository.queries import is_curator, is_depositor
from openrd.repository.rules.lifecycle import check_editable
from openrd.repository.storage import max_file_bytes

logger = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
EXTENSIONS = ("creation", "termination", "expiration", "checksum")
CHECKSUMS: dict[str, Callable[[], Any]] = {
    "sha256": hashlib.sha256,
    "sha1": lambda: hashlib.sha1(usedforsecurity=False),
    "md5": lambda: hashlib.md5(usedforsecurity=False),
}
OCTET_STREAM = "application/offset+octet-stream"
READ_SIZE = 64 * 1024
CHECKSUM_MISMATCH = 460
PART_SUFFIX = ".part"
STAGE_SUFFIX = ".chunk"


class TusError(Exception):
    """A request this server refuses: answered as JSON ``{"detail": …}`` with ``status``."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        errors: dict[str, list[str]] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.errors = errors
        self.reason = reason


# --- places and times -----------------------------------------------------------------


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads"


def part_path(key: uuid.UUID | str) -> Path:
    return upload_dir() / f"{key}{PART_SUFFIX}"


def expiry() -> timedelta:
    return timedelta(hours=float(getattr(settings, "OPENRD_UPLOAD_EXPIRY_HOURS", 24)))


def _is_expired(session: UploadSession, now: datetime) -> bool:
    return session.expires_at <= now


# --- answers --------------------------------------------------------------------------


def _tus_headers(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _error_response(error: TusError) -> HttpResponse:
    body: dict[str, Any] = {"detail": error.detail}
    if error.errors:
        body["errors"] = error.errors
    response = JsonResponse(body, status=error.status, reason=error.reason)
    for name, value in error.headers.items():
        response[name] = value
    return _tus_headers(response)


def _empty(status: int, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(status=status)
    for name, value in headers.items():
        response[name] = value
    return _tus_headers(response)


def _method(request: HttpRequest) -> str:
    # Some proxies let only GET and POST through; tus clients then send the
    # real method in this header (protocol, "X-HTTP-Method-Override").
    method = (request.method or "GET").upper()
    override = request.headers.get("X-HTTP-Method-Override", "").strip().upper()
    if method == "POST" and override in {"PATCH", "DELETE", "HEAD"}:
        return override
    return method


def tus_view(table: dict[str, Callable[..., HttpResponse]]) -> Callable[..., HttpResponse]:
    """The protocol's frame around a resource's handlers: version check, the
    ``Tus-Resumable`` header on every answer, and every refusal as JSON (never a 500
    for something the client sent)."""

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        method = _method(request)
        try:
            if method != "OPTIONS":
                _check_version(request)
            handler = table.get(method)
            if handler is None:
                raise TusError(
                    405,
                    _("This method is not used here."),
                    headers={"Allow": ", ".join(sorted(table))},
                )
            return handler(request, method=method, **kwargs)
        except TusError as error:
            return _error_response(error)
        except Refused as refusal:
            body = TusError(409, refusal.headline())
            return _error_response(body)
        except ValidationError as exc:
            errors = _messages(exc)
            first = next(iter(errors.values()))[0]
            return _error_response(TusError(400, first, errors=errors))

    return view


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"file": [str(m) for m in exc.messages]}


def _check_version(request: HttpRequest) -> None:
    sent = request.headers.get("Tus-Resumable")
    if sent is None:
        raise TusError(
            412,
            _("This address speaks the tus protocol: send the Tus-Resumable header."),
            headers={"Tus-Version": TUS_VERSION},
        )
    if sent.strip() != TUS_VERSION:
        raise TusError(
            412,
            _("This server speaks tus version %(version)s only.") % {"version": TUS_VERSION},
            headers={"Tus-Version": TUS_VERSION},
        )


# --- who is asking ----------------------------------------------------------------------


def _no_view(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    return HttpResponse(status=500)


def _user(request: HttpRequest, method: str) -> Any:
    """The uploader: by bearer token alone when one is sent, else the signed-in
    session with its CSRF token (see the module's docstring)."""
    secret = bearer_secret(request)
    if secret is not None:
        token = resolve_token(secret)
        if token is None:
            raise TusError(401, _("The API token is unknown, expired or revoked."))
        if not token.is_write and method not in READ_METHODS:
            raise TusError(
                403, _("This API token may only read; issue a write token to change data.")
            )
        return token.user
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise TusError(401, _("Sign in (or send an API token) to upload files."))
    if method not in READ_METHODS:
        # Django's own check, run here because the view is exempt from the
        # middleware's (a token-authenticated client has no CSRF cookie).
        rejected = CsrfViewMiddleware(_no_view).process_view(request, _no_view, (), {})
        if rejected is not None:
            raise TusError(
                403,
                _("Send the page's CSRF token in the X-CSRFToken header, or use an API token."),
            )
    return user


# --- the upload's metadata --------------------------------------------------------------


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs."""
    pairs: dict[str, str] = {}
    for raw in header.split(","):
        item = raw.strip()
        if not item:
            continue
        key, _sep, encoded = item.partition(" ")
        if not key or key in pairs or " " in encoded.strip():
            raise TusError(400, _("The Upload-Metadata header is not well formed."))
        try:
            pairs[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise TusError(400, _("The Upload-Metadata header is not well formed.")) from exc
    return pairs


def _length(request: HttpRequest, header: str) -> int:
    raw = request.headers.get(header)
    if raw is None:
        raise TusError(400, _("The %(header)s header is missing.") % {"header": header})
    raw = raw.strip()
    if not raw.isdigit():
        raise TusError(400, _("The %(header)s header must be a whole number.") % {"header": header})
    return int(raw)


def _editable_output(request: HttpRequest, user: Any, raw: str | None) -> tuple[Output, bool]:
    """The deposit named in the metadata, if ``user`` may add files to it now, and
    whether as its curator. One the user may not edit looks like a missing one."""
    if not raw:
        raise TusError(400, _("Say which deposit the file belongs to (metadata 'output')."))
    output = None
    if raw.strip().isdigit():
        output = Output.objects.select_related("award").filter(pk=int(raw)).first()
    if output is not None:
        roles = [c for c, may in ((False, is_depositor(user, output)),
                                  (True, is_curator(user, output))) if may]  # fmt: skip
        for as_curator in roles:
            if check_editable(output.status, as_curator=as_curator).allowed:
                return output, as_curator
        if roles:
            # The person may edit the deposit, its state forbids it now: say why (409).
            raise Refused(check_editable(output.status, as_curator=roles[-1]))
        record_denial(actor=user, obj=output, request=request)
    raise TusError(404, _("No such deposit, or you may not add files to it."))


def _clean_name(name: str) -> str:
    # The same cleaning attach_file applies, so the duplicate check below
    # sees the name the file will have.
    return name.strip().replace("/", "_").replace("\\", "_")


# --- creation (POST /uploads/) and the server's capabilities (OPTIONS) ------------------


def _options(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    return _empty(
        204,
        {
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": ",".join(EXTENSIONS),
            "Tus-Max-Size": str(max_file_bytes()),
            "Tus-Checksum-Algorithm": ",".join(CHECKSUMS),
        },
    )


def _create(request: HttpRequest, *, method: str) -> HttpResponse:
    user = _user(request, method)
    if "Upload-Defer-Length" in request.headers:
        raise TusError(400, _("Give the file's length (Upload-Length) when creating the upload."))
    length = _length(request, "Upload-Length")
    limit = max_file_bytes()
    if length > limit:
        raise TusError(
            413,
            _("The file is larger than %(limit)s GB.") % {"limit": limit // 2**30},
            headers={"Tus-Max-Size": str(limit)},
        )
    if length == 0:
        raise TusError(400, _("The file is empty."), errors={"file": [_("The file is empty.")]})
    meta = parse_metadata(request.headers.get("Upload-Metadata", ""))
    name = _clean_name(meta.get("filename") or meta.get("name") or "")
    if not name:
        message = _("Give the file a name.")
        raise TusError(400, message, errors={"name": [message]})
    output, as_curator = _editable_output(request, user, meta.get("output"))
    access = meta.get("access") or FileAccess.OPEN
    if access not in FileAccess.values:
        message = _("Choose who may download the file.")
        raise TusError(400, message, errors={"access": [message]})
    text_version = meta.get("text_version", "")
    if text_version and text_version not in TextVersion.values:
        message = _("Choose the file's text version from the list.")
        raise TusError(400, message, errors={"text_version": [message]})
    if output.files.filter(name=name).exists():
        message = _("A file of this name is attached already.")
        raise TusError(400, message, errors={"name": [message]})
    now = timezone.now()
    session = UploadSession.objects.create(
        owner=user,
        output=output,
        length=length,
        metadata={
            "filename": name,
            "access": access,
            "text_version": text_version,
            "as_curator": as_curator,
        },
        expires_at=now + expiry(),
    )
    upload_dir().mkdir(parents=True, exist_ok=True)
    part_path(session.key).touch()
    return _empty(
        201,
        {
            "Location": request.build_absolute_uri(reverse("uploads:upload", args=[session.key])),
            "Upload-Offset": "0",
            "Upload-Expires": http_date(session.expires_at.timestamp()),
        },
    )


collection = tus_view({"OPTIONS": _options, "POST": _create})


# --- one upload: HEAD, PATCH, DELETE ----------------------------------------------------


def _session(request: HttpRequest, user: Any, key: str, now: datetime) -> UploadSession:
    try:
        parsed = uuid.UUID(key)
    except ValueError:
        parsed = None
    session = UploadSession.objects.filter(key=parsed, owner=user).first() if parsed else None
    if session is None:
        raise TusError(404, _("No such upload."))
    if _is_expired(session, now):
        raise TusError(410, _("This upload has expired: start it again."))
    return session


def _state_headers(session: UploadSession) -> dict[str, str]:
    return {
        "Upload-Offset": str(session.offset),
        "Upload-Length": str(session.length),
        "Upload-Expires": http_date(session.expires_at.timestamp()),
    }


def _head(request: HttpRequest, *, method: str, key: str) -> HttpResponse:
    user = _user(request, method)
    session = _session(request, user, key, timezone.now())
    if not session.completed_file_id and not part_path(session.key).exists():
        _discard(session)
        raise TusError(410, _("This upload has expired: start it again."))
    return _empty(200, _state_headers(session))


def _delete(request: HttpRequest, *, method: str, key: str) -> HttpResponse:
    user = _user(request, method)
    _discard(_session(request, user, key, timezone.now()))
    return _empty(204, {})


def _discard(session: UploadSession) -> None:
    part_path(session.key).unlink(missing_ok=True)
    UploadSession.objects.filter(pk=session.pk).delete()


def _checksum(request: HttpRequest) -> tuple[Any, bytes] | None:
    """The hasher and the expected digest of ``Upload-Checksum``, if sent."""
    header = request.headers.get("Upload-Checksum")
    if header is None:
        return None
    name, _sep, encoded = header.strip().partition(" ")
    factory = CHECKSUMS.get(name.lower())
    if factory is None:
        raise TusError(
            400,
            _("Unsupported checksum algorithm; use one of: %(algorithms)s.")
            % {"algorithms": ", ".join(CHECKSUMS)},
        )
    try:
        expected = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as exc:
        raise TusError(400, _("The Upload-Checksum header is not well formed.")) from exc
    return factory(), expected


def _content_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH", "")
    return int(raw) if str(raw).strip().isdigit() else None


def _too_long() -> TusError:
    return TusError(413, _("The chunk goes beyond the length given when the upload was created."))


def _receive(request: HttpRequest, session: UploadSession) -> tuple[Path, int]:
    """Stream the request's body into a staging file, checking its length and
    checksum as it arrives; the staging file is removed on any refusal."""
    remaining = session.length - session.offset
    sent = _content_length(request)
    if sent is not None and sent > remaining:
        raise _too_long()
    checksum = _checksum(request)
    staged = upload_dir() / f"{session.key}.{uuid.uuid4().hex}{STAGE_SUFFIX}"
    upload_dir().mkdir(parents=True, exist_ok=True)
    size = 0
    try:
        with staged.open("wb") as out:
            while chunk := request.read(READ_SIZE):
                size += len(chunk)
                if size > remaining:
                    raise _too_long()
                if checksum is not None:
                    checksum[0].update(chunk)
                out.write(chunk)
        if checksum is not None and checksum[0].digest() != checksum[1]:
            raise TusError(
                CHECKSUM_MISMATCH,
                _("The chunk's checksum does not match: it was discarded, send it again."),
                reason="Checksum Mismatch",
            )
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return staged, size


def _append(part: Path, staged: Path, offset: int) -> None:
    """Write the staged chunk at ``offset``: anything beyond it (the remains of an
    append cut short by a crash) is first cut off, so the file matches the row."""
    with part.open("r+b") as out, staged.open("rb") as source:
        out.truncate(offset)
        out.seek(offset)
        while block := source.read(READ_SIZE):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())


def _offset_conflict(session: UploadSession) -> TusError:
    return TusError(
        409,
        _("The upload is at byte %(offset)s: ask its offset (HEAD) and go on from there.")
        % {"offset": session.offset},
        headers={"Upload-Offset": str(session.offset)},
    )


def _patch(request: HttpRequest, *, method: str, key: str) -> HttpResponse:
    user = _user(request, method)
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if content_type != OCTET_STREAM:
        raise TusError(
            415,
            _("Send the chunk as %(type)s.") % {"type": OCTET_STREAM},
        )
    offset = _length(request, "Upload-Offset")
    session = _session(request, user, key, timezone.now())
    if session.completed_file_id or offset != session.offset:
        raise _offset_conflict(session)
    part = part_path(session.key)
    if not part.exists():
        _discard(session)
        raise TusError(410, _("This upload has expired: start it again."))
    staged, size = _receive(request, session)
    try:
        with transaction.atomic():
            locked = UploadSession.objects.select_for_update().get(pk=session.pk)
            if locked.offset != offset or locked.completed_file_id:
                raise _offset_conflict(locked)
            _append(part, staged, offset)
            locked.offset = offset + size
            # The upload lives a day after its last chunk, not after its start:
            # a slow link can take longer than a day for a large dataset.
            locked.expires_at = timezone.now() + expiry()
            locked.save(update_fields=["offset", "expires_at"])
    finally:
        staged.unlink(missing_ok=True)
    if locked.offset == locked.length:
        _assemble(locked, user)
    return _empty(
        204,
        {
            "Upload-Offset": str(locked.offset),
            "Upload-Expires": http_date(locked.expires_at.timestamp()),
        },
    )


def _assemble(session: UploadSession, user: Any) -> None:
    """All bytes are here: attach them to the deposit. A file the repository
    refuses (its type, its content) ends the upload, with the reason."""
    meta = session.metadata
    part = part_path(session.key)
    output = session.output
    if output is None:
        _discard(session)
        raise TusError(404, _("No such deposit, or you may not add files to it."))
    try:
        with transaction.atomic(), part.open("rb") as handle:
            attached = services.attach_file(
                output,
                File(handle, name=meta["filename"]),
                actor=user,
                name=meta["filename"],
                access=meta.get("access") or FileAccess.OPEN,
                text_version=meta.get("text_version", ""),
                as_curator=bool(meta.get("as_curator")),
            )
            UploadSession.objects.filter(pk=session.pk).update(completed_file=attached)
    except ValidationError as exc:
        _discard(session)
        errors = _messages(exc)
        raise TusError(422, next(iter(errors.values()))[0], errors=errors) from exc
    except Refused:
        _discard(session)
        raise
    session.completed_file = attached
    part.unlink(missing_ok=True)


upload = tus_view({"OPTIONS": _options, "HEAD": _head, "PATCH": _patch, "DELETE": _delete})


# --- expiration ----------------------------------------------------------------------------


def clean_expired_uploads(*, now: datetime | None = None) -> int:
    """Remove expired uploads (rows and bytes) and any staged or partial file no
    upload owns any more (left by a crash); returns how many uploads went."""
    now = now or timezone.now()
    expired = list(UploadSession.objects.filter(expires_at__lte=now).values_list("pk", "key"))
    for _pk, key in expired:
        part_path(key).unlink(missing_ok=True)
    UploadSession.objects.filter(pk__in=[pk for pk, _key in expired]).delete()
    folder = upload_dir()
    if folder.is_dir():
        live = {str(k) for k in UploadSession.objects.values_list("key", flat=True)}
        cutoff = (now - expiry()).timestamp()
        for path in folder.iterdir():
            owner = path.name.split(".", 1)[0]
            stale = path.suffix in {PART_SUFFIX, STAGE_SUFFIX} and owner not in live
            if stale and path.stat().st_mtime <= cutoff:
                path.unlink(missing_ok=True)
    return len(expired)
