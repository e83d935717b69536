"""Small real PDFs for tests, built with pypdf.

Uploads are parsed and screened for active content, so test fixtures must be
PDFs a reader can open, not bytes that merely start with ``%PDF-``.
"""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)


def _page_writer(text: str, padding: int = 0) -> PdfWriter:
    """One A4 page showing ``text``; the content stream is left uncompressed
    so the text is present verbatim in the file's bytes."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    content = DecodedStreamObject()
    # A content-stream comment pads the file without changing what the page shows.
    content.set_data(
        f"BT /F1 12 Tf 72 770 Td ({escaped}) Tj ET\n".encode("latin-1")
        + (b"%" + b" " * (padding - 1) + b"\n" if padding > 0 else b"")
    )
    page[NameObject("/Contents")] = writer._add_object(content)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def plain(text: str = "OpenRD test document") -> bytes:
    """A harmless one-page PDF; ``text`` (ASCII) appears verbatim in the bytes."""
    return _bytes(_page_writer(text))


def padded(size: int, text: str = "OpenRD test document") -> bytes:
    """A harmless PDF of exactly ``size`` bytes (at least a few hundred)."""
    base = len(plain(text))
    if size < base + 2:
        raise ValueError(f"a padded PDF needs at least {base + 2} bytes")
    padding = size - base
    # Offsets in the trailer change width with the padding, so adjust until exact.
    for _attempt in range(5):
        data = _bytes(_page_writer(text, padding))
        if len(data) == size:
            return data
        padding += size - len(data)
    raise AssertionError("could not pad the PDF to the requested size")


def with_javascript(script: str = "app.alert('hello');") -> bytes:
    """Document-level JavaScript in the catalog's /Names /JavaScript tree."""
    writer = _page_writer("javascript")
    action = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(script),
        }
    )
    tree = DictionaryObject(
        {
            NameObject("/Names"): ArrayObject(
                [TextStringObject("greeting"), writer._add_object(action)]
            )
        }
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)}
    )
    return _bytes(writer)


def with_open_action_javascript() -> bytes:
    """JavaScript run when the document opens (/OpenAction)."""
    writer = _page_writer("open action")
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    return _bytes(writer)


def with_embedded_file() -> bytes:
    writer = _page_writer("embedded")
    writer.add_attachment("payload.txt", b"hidden payload")
    return _bytes(writer)


def with_launch_action() -> bytes:
    """A page whose opening (/AA /O) launches an external program."""
    writer = _page_writer("launch")
    page = writer.pages[0]
    launch = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("calc.exe"),
        }
    )
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(launch)})
    return _bytes(writer)


def with_javascript_link() -> bytes:
    """A link annotation whose action is JavaScript."""
    writer = _page_writer("link")
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (72, 700, 200, 720)]),
            NameObject("/A"): DictionaryObject(
                {
                    NameObject("/S"): NameObject("/JavaScript"),
                    NameObject("/JS"): TextStringObject("this.exportDataObject()"),
                }
            ),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    return _bytes(writer)


def with_xfa() -> bytes:
    writer = _page_writer("xfa")
    xfa = DecodedStreamObject()
    xfa.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): ArrayObject(),
            NameObject("/XFA"): writer._add_object(xfa),
        }
    )
    return _bytes(writer)


def with_rich_media() -> bytes:
    writer = _page_writer("rich media")
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/RichMedia"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (72, 500, 300, 700)]),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def encrypted(user_password: str = "secret") -> bytes:  # noqa: S107 - a test fixture
    writer = _page_writer("encrypted")
    writer.encrypt(user_password, algorithm="RC4-128")
    return _bytes(writer)
