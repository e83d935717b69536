"""The REST API, version 1, under /api/v1 (OpenAPI at /api/v1/openapi.json)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from openrd.accounts.api import router as accounts_router
from openrd.awards.api import router as awards_router
from openrd.core.api_errors import localized_errors
from openrd.core.api_parser import SafeJsonParser
from openrd.core.refusals import REFUSED_STATUS, Refused
from openrd.core.text_safety import UnsafeText
from openrd.ecosystem.api import router as ecosystem_router
from openrd.integrity.api import router as integrity_router
from openrd.integrity.checklists.api import router as checklists_router
from openrd.integrity.effort.api import router as effort_router
from openrd.integrity.sanctions.api import router as sanctions_router
from openrd.integrity.screening.api import router as screening_router
from openrd.jobs.api import router as jobs_router
from openrd.notifications.api import router as notifications_router
from openrd.portal.api import router as portal_router
from openrd.programs.api import router as programs_router
from openrd.proposals.api import router as proposals_router
from openrd.repository.api import router as repository_router
from openrd.review.api import router as review_router
from openrd.strategy.api import router as strategy_router

api = NinjaAPI(
    title="OpenRD API",
    version="1",
    description=(
        "Programs, calls and the data of Japan's science, technology and innovation system. "
        "Public reads need no authentication; writes use a browser session (with CSRF) or a "
        "bearer token. Set Accept-Language: ja or en for messages."
    ),
    urls_namespace="api-v1",
    parser=SafeJsonParser(),
    # Without deep links an operation's summary holds no link inside its button
    # (nested interactive controls are unreachable for assistive technology).
    docs=Swagger(settings={"deepLinking": False}),
)
api.add_router("/", programs_router)
api.add_router("/", ecosystem_router)
api.add_router("/", accounts_router)
api.add_router("/", integrity_router)
api.add_router("/", checklists_router)
api.add_router("/", effort_router)
api.add_router("/", sanctions_router)
api.add_router("/", screening_router)
api.add_router("/", notifications_router)
api.add_router("/", proposals_router)
api.add_router("/", review_router)
api.add_router("/", awards_router)
api.add_router("/", repository_router)
api.add_router("/", strategy_router)
api.add_router("/", jobs_router)
api.add_router("/", portal_router)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": _("The request has errors."), "errors": localized_errors(exc.errors)},
        status=422,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own 400 means a body that does not parse as JSON: answered like any
    other bad input (422, field-level, translated); other statuses pass through."""
    if exc.status_code == 400:
        cause = exc.__cause__
        if isinstance(cause, UnsafeText):
            error: dict[str, object] = {"loc": cause.loc, "type": "string_unicode"}
        else:
            error = {"loc": ["body"], "type": "json_invalid"}
        return api.create_response(
            request,
            {"detail": _("The request has errors."), "errors": localized_errors([error])},
            status=422,
        )
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(DjangoValidationError)
def on_model_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service refused the data (model validation): same shape as schema errors."""
    errors = (
        [
            {"loc": ["body", field], "field": field, "type": "value_error", "msg": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
        if hasattr(exc, "error_dict")
        else [
            {"loc": ["body"], "field": "", "type": "value_error", "msg": str(m)}
            for m in exc.messages
        ]
    )
    return api.create_response(
        request, {"detail": _("The request has errors."), "errors": errors}, status=422
    )


@api.exception_handler(Refused)
def on_refused(request: HttpRequest, exc: Refused) -> HttpResponse:
    """A rule refused the change: every reason with its source, always 409 (ADR 0016)."""
    return api.create_response(request, exc.as_dict(), status=REFUSED_STATUS)


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over the limit is refused before it is read, in JSON like every answer."""
    limit = max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20)
    return api.create_response(
        request,
        {"detail": _("The request body is larger than %(limit)s MB.") % {"limit": limit}},
        status=413,
    )


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    error = {"loc": ["body"], "field": "", "type": "multipart_invalid", "msg": _(
        "The request body is not valid multipart form data."
    )}  # fmt: skip
    return api.create_response(
        request, {"detail": _("The request has errors."), "errors": [error]}, status=422
    )


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """Too many fields or files, a malformed header: a JSON 400, never an HTML page."""
    return api.create_response(request, {"detail": _("The request is malformed.")}, status=400)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("Authentication required.")}, status=401)
