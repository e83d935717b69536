"""The application PDF of one submitted version: the form, then the attached PDFs,
every page stamped with its number, the receipt number and the submission time.

The form and the stamps are HTML laid out by WeasyPrint (Japanese in Noto Sans
CJK JP); pypdf joins the attachments after the form and lays each stamp over its
page. An attachment that cannot be read (missing from storage, damaged,
encrypted) is listed in the form with a note instead of breaking the document.
"""

from __future__ import annotations

import importlib.util
import io
import logging
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf._page import PageObject

from openrd.core.files import open_stored
from openrd.core.models import StoredFile
from openrd.proposals.documents.content import version_document
from openrd.proposals.models import ProposalVersion

logger = logging.getLogger(__name__)
# WeasyPrint reports each layout step at INFO: one line per page in the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# An attachment with more pages than this is listed, not merged: the PDF must
# stay a size a browser opens and a server makes in seconds.
MAX_ATTACHMENT_PAGES = 500


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the Pango library it needs) is not installed on this machine."""


def weasyprint_available() -> bool:
    """Whether WeasyPrint and its Pango library load (the first call takes a few seconds)."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def weasyprint_installed() -> bool:
    """A quick look for the package, without loading it or Pango: enough to offer the link."""
    return importlib.util.find_spec("weasyprint") is not None


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The templates load nothing: user text must never make the server fetch a URL.
    raise ValueError(f"no external resources in application PDFs: {url[:40]}")


def html_to_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc)) from exc
    body: bytes = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return body


@dataclass
class Attachment:
    entry: dict[str, Any]  # as version_document lists it
    reader: PdfReader | None
    problem: str = ""  # why it is not merged, in Japanese and English

    @property
    def pages(self) -> int:
        return len(self.reader.pages) if self.reader is not None else 0


def _normalised(data: bytes) -> PdfReader:
    """The PDF rewritten by pypdf and read back: a file that survives this merges."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted")
    if len(reader.pages) > MAX_ATTACHMENT_PAGES:
        raise ValueError("too many pages")
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return PdfReader(io.BytesIO(out.getvalue()))


def load_attachment(entry: dict[str, Any]) -> Attachment:
    stored = StoredFile.objects.filter(sha256=entry["sha256"]).first() if entry["sha256"] else None
    if stored is None:
        return Attachment(entry, None, "ファイルが見つかりません / file not found")
    try:
        with open_stored(stored) as handle:
            data = handle.read()
        return Attachment(entry, _normalised(data))
    except Exception:  # any damage to a stored file must not break the document
        logger.warning("attachment %s not merged into the application PDF", stored.sha256[:12])
        return Attachment(
            entry, None, "PDFとして読み込めないため結合していません / not a readable PDF"
        )


def render_form(document: dict[str, Any], attachments: list[Attachment]) -> bytes:
    with translation.override("ja"):
        html = render_to_string(
            "proposals/pdf/application.html", {"doc": document, "attachments": attachments}
        )
    return html_to_pdf(html)


def _visible_box(page: PageObject) -> tuple[float, float, float, float]:
    box = page.cropbox
    return float(box.left), float(box.bottom), float(box.width), float(box.height)


def render_stamps(pages: list[PageObject], document: dict[str, Any]) -> PdfReader:
    """One stamp page per page, each the size of the page it goes on."""
    sizes = [(round(w, 2), round(h, 2)) for _x, _y, w, h in map(_visible_box, pages)]
    names = {size: f"s{i}" for i, size in enumerate(sorted(set(sizes)))}
    with translation.override("ja"):
        html = render_to_string(
            "proposals/pdf/stamps.html",
            {
                "doc": document,
                "sizes": [(name, w, h) for (w, h), name in names.items()],
                "stamps": [{"n": n, "size": names[size]} for n, size in enumerate(sizes, 1)],
                "total": len(sizes),
            },
        )
    return PdfReader(io.BytesIO(html_to_pdf(html)))


def stamp(writer: PdfWriter, document: dict[str, Any]) -> None:
    for page in writer.pages:
        # A rotated page is turned upright first, so its stamp reads the right way.
        page.transfer_rotation_to_content()
    stamps = render_stamps(list(writer.pages), document)
    for page, overlay in zip(writer.pages, stamps.pages, strict=True):
        left, bottom, _w, _h = _visible_box(page)
        page.merge_transformed_page(overlay, Transformation().translate(left, bottom))


def application_pdf(version: ProposalVersion) -> bytes:
    """The whole document; PdfUnavailable when WeasyPrint cannot be loaded."""
    document = version_document(version)
    attachments = [load_attachment(entry) for entry in document["attachments"]]
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(render_form(document, attachments))).pages:
        writer.add_page(page)
    for attachment in attachments:
        for page in attachment.reader.pages if attachment.reader else []:
            writer.add_page(page)
    stamp(writer, document)
    writer.add_metadata(
        {
            "/Title": document["title_ja"] or document["title_en"],
            "/Subject": document["receipt_number"],
            "/Creator": "OpenRD",
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
