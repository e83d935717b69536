"""API error bodies in the user's language, one entry per field.

Pydantic's own messages are English only; a Japanese ministry user sending a
bad ORCID or a negative amount must read what is wrong in Japanese, with the
field named, so the common error types are translated here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("Unknown field: it is not part of this request."),
        "int_parsing": _("Enter a whole number."),
        "int_from_float": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "date_parsing": _("Enter a real date as YYYY-MM-DD."),
        "date_from_datetime_parsing": _("Enter a real date as YYYY-MM-DD."),
        "date_from_datetime_inexact": _("Enter a date without a time."),
        "date_type": _("Enter a real date as YYYY-MM-DD."),
        "datetime_parsing": _("Enter a date and time with its time zone."),
        "datetime_from_date_parsing": _("Enter a date and time with its time zone."),
        "timezone_aware": _("Enter a date and time with its time zone."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "string_type": _("Enter text."),
        "string_too_long": _("Enter at most %(max)s characters.") % {"max": ctx.get("max_length")},
        "string_too_short": _("This field cannot be empty."),
        "greater_than_equal": _("Enter a value of at least %(min)s.") % {"min": ctx.get("ge")},
        "less_than_equal": _("Enter a value of at most %(max)s.") % {"max": ctx.get("le")},
        "enum": _("Choose one of the allowed values."),
        "literal_error": _("Choose one of the allowed values."),
        "json_invalid": _("The request body is not valid JSON."),
        "string_unicode": _("Remove control characters (such as NUL) from this text."),
        "model_attributes_type": _("The request body must be a JSON object."),
        "dict_type": _("The request body must be a JSON object."),
    }
    return messages.get(kind, _("This value is not valid."))


def localized_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's validation errors as ``{loc, field, type, msg}`` in the active language."""
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        # Drop Ninja's own wrapper parts ("body", "payload") from the field name.
        field = ".".join(p for p in loc if p not in {"body", "payload", "query", "path"})
        out.append(
            {"loc": loc, "field": field, "type": error.get("type", ""), "msg": _message(error)}
        )
    return out
