"""Screening an uploaded PDF before it is stored: readable, not encrypted, no active content.

JavaScript, embedded files, launch actions, rich media and XFA forms are how a
PDF attacks the reviewer who opens it; pypdf reads the object graph (streams are
not decoded) and every kind found is named in the refusal.
"""

from __future__ import annotations

import time
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Work bounds for screening one PDF: a hostile file must not hold a worker.
PDF_MAX_OBJECTS = 100_000
PDF_MAX_SECONDS = 5.0


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


class _TooComplex(Exception):
    pass


def _active_kinds() -> dict[str, str]:
    return {
        "javascript": _("JavaScript"),
        "embedded": _("embedded file"),
        "launch": _("launch action"),
        "rich_media": _("rich media"),
        "xfa": _("XFA form"),
    }


def screen_pdf(stream: IO[bytes], *, field: str = "file") -> None:
    """Refuse bytes that pypdf cannot read, encrypted PDFs and active content.

    Encrypted PDFs are refused even when they open without a password: the
    screening cannot see inside encrypted objects, and reviewers and the
    archive must be able to open, print and quote the document for as long as
    the proposal is kept.
    """
    try:
        reader = PdfReader(stream, strict=False)
        encrypted = reader.is_encrypted
        found = set() if encrypted else _find_active_content(reader)
    except _TooComplex:
        raise _field_error(
            field,
            _(
                "This PDF is too complex to be checked for active content. Save it again as a "
                "simpler PDF (for example with “Print to PDF”) and attach the new file."
            ),
            "file.too_complex",
        ) from None
    except Exception:
        # pypdf raises many kinds of error (and can recurse too deep) on
        # malformed input; whatever it is, the file is not a readable PDF.
        raise _field_error(
            field,
            _(
                "This file could not be read as a PDF; it may be damaged. Export it as a PDF "
                "again and attach the new file."
            ),
            "file.unreadable_pdf",
        ) from None
    if encrypted:
        raise _field_error(
            field,
            _(
                "Encrypted or password-protected PDFs cannot be attached, because reviewers "
                "must be able to open them. Save the file without a password or restrictions "
                "and attach it again."
            ),
            "file.encrypted_pdf",
        )
    if found:
        names = _active_kinds()
        listed = pgettext("list separator", ", ").join(
            names[kind] for kind in names if kind in found
        )
        raise _field_error(
            field,
            _(
                "The PDF contains active content that cannot be attached: %(found)s. Save it "
                "as a plain PDF without it and attach it again."
            )
            % {"found": listed},
            "file.active_content",
        )


def _find_active_content(reader: PdfReader) -> set[str]:
    """Walk every object reachable from the catalog and name the active content.

    Pages, annotations, form fields, outlines and name trees are all reached
    from the catalog, so one walk sees /OpenAction, /AA, annotation actions,
    /Names /JavaScript and /EmbeddedFiles, /RichMedia and /XFA wherever they
    sit. Streams are not decoded. The walk is iterative (no recursion limit to
    hit) and bounded by object count and time.
    """
    root = reader.trailer["/Root"]
    if not isinstance(root, DictionaryObject):
        raise ValueError("the PDF has no catalog")
    deadline = time.monotonic() + PDF_MAX_SECONDS
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS or time.monotonic() > deadline:
            raise _TooComplex
        if isinstance(node, DictionaryObject):
            found |= _kinds_in(node)
            stack.extend(
                value
                for value in dict.values(node)
                if isinstance(value, IndirectObject | DictionaryObject | ArrayObject)
            )
        elif isinstance(node, ArrayObject):
            stack.extend(
                value
                for value in node
                if isinstance(value, IndirectObject | DictionaryObject | ArrayObject)
            )
    return found


def _name(node: DictionaryObject, key: str) -> object:
    value = dict.get(node, key)
    return value.get_object() if isinstance(value, IndirectObject) else value


def _kinds_in(node: DictionaryObject) -> set[str]:
    kinds = set()
    action = _name(node, "/S")
    subtype = _name(node, "/Subtype")
    if "/JS" in node or "/JavaScript" in node or action == "/JavaScript":
        kinds.add("javascript")
    if action == "/Launch":
        kinds.add("launch")
    if (
        "/EmbeddedFiles" in node
        or "/EF" in node
        or _name(node, "/Type") == "/EmbeddedFile"
        or subtype == "/FileAttachment"
        or action == "/GoToE"
    ):
        kinds.add("embedded")
    if subtype == "/RichMedia" or "/RichMediaContent" in node or action == "/RichMediaExecute":
        kinds.add("rich_media")
    if "/XFA" in node:
        kinds.add("xfa")
    return kinds
