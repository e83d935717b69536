"""Form helpers shared by the apps' pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def add_service_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's field errors on the form's fields (others on the form), so
    the page shows each next to what was typed, which the form keeps."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
