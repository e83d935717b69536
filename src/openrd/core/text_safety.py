"""Text no database can store: NUL characters and lone UTF-16 surrogates.

PostgreSQL refuses NUL in text and no database can encode a lone surrogate as
UTF-8, so such input would fail deep inside a query as a 500. It is refused at
the edge instead: in JSON bodies with the field named (see api.py), in paths
and query strings by the middleware below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class UnsafeText(ValueError):
    def __init__(self, loc: list[str]) -> None:
        super().__init__("unsafe text at " + ".".join(loc))
        self.loc = loc


def is_safe_text(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_value(value: Any, loc: list[str]) -> None:
    """Raise UnsafeText naming the first unsafe string inside a parsed JSON value."""
    if isinstance(value, str):
        if not is_safe_text(value):
            raise UnsafeText(loc)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(str(key), [*loc, str(key)])
            check_value(item, [*loc, str(key)])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_value(item, [*loc, str(index)])


class RejectUnsafeTextMiddleware:
    """A NUL in the path means no such page (404); in the query string, bad input."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_safe_text(request.path):
            return HttpResponse(status=404)
        for key, values in request.GET.lists():
            if not all(is_safe_text(v) for v in [key, *values]):
                message = _("The address contains characters that are not allowed.")
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": message, "errors": [
                            {"loc": ["query", key], "field": key, "type": "string_unicode",
                             "msg": message}]},
                        status=422,
                    )  # fmt: skip
                return HttpResponseBadRequest(message)
        return self.get_response(request)
