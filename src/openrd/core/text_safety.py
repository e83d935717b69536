"""Text no database can store, and text that can lie about what it says.

NUL characters and lone UTF-16 surrogates cannot be stored:
PostgreSQL refuses NUL in text and no database can encode a lone surrogate as
UTF-8, so such input would fail deep inside a query as a 500. It is refused at
the edge instead: in JSON bodies with the field named (see api.py), in paths
and query strings by the middleware below.

Invisible format characters (bidi overrides such as U+202E, zero-width
characters) can be stored but make a name or title read differently from
what it is, e.g. "Tanaka" spelled backwards by an override. They are refused
deeper, by a field validator on names and titles (``core.validators``), so the
person sees which field to fix.
"""

from __future__ import annotations

import unicodedata
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


# Format (Cf: bidi embeddings, overrides and isolates, zero-width space and
# joiners, the BOM, tag characters), control (Cc) and line/paragraph separator
# characters have no place in a one-line name or title.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp"})
# Letters that render as nothing; they are category Lo, so they are named here.
_BLANK_LETTERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0"})


def first_invisible_character(text: str) -> str | None:
    """The first character of ``text`` that is invisible or a control character, else None.

    Variation selectors are allowed: Japanese names need them for kanji variants.
    """
    for char in text:
        if char in _BLANK_LETTERS or unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            return char
    return None


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
