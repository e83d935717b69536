"""Deposited files: typed by their bytes, hashed, size-limited while reading,
stored once (openrd.repository.storage)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from openrd.core.files import RefusedUpload
from openrd.core.models import StoredFile
from openrd.core.tests import pdfs
from openrd.repository.storage import sniff, store_output_file, store_stream

PDF = pdfs.plain("a deposited article")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def code(exc: pytest.ExceptionInfo[ValidationError], field: str = "file") -> str | None:
    return exc.value.error_dict[field][0].code


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- sniffing (pure: no database) ------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "mime"),
    [
        (PDF, "article.pdf", "application/pdf"),
        (PNG, "figure.png", "image/png"),
        (b"site,count\nTsukuba,3\n", "table.csv", "text/csv"),
        (b'{"qubits": 64}', "result.json", "application/json"),
        ("温度,値\n".encode(), "japanese.csv", "text/csv"),
    ],
)
def test_sniff_types_a_file_by_its_bytes_and_name(content: bytes, name: str, mime: str) -> None:
    assert sniff(content[:8192], name) == mime


def test_sniff_tells_an_xlsx_from_a_zip_by_its_name() -> None:
    data = xlsx()
    assert sniff(data, "sheet.xlsx") == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert sniff(data, "bundle.zip") == "application/zip"


def test_a_pdf_name_on_other_bytes_is_refused(db: None, media: Any) -> None:
    with pytest.raises(ValidationError):
        store_output_file(b"just some words, no PDF", name="article.pdf")
    assert not StoredFile.objects.exists()


def test_sniff_refuses_a_pdf_name_on_other_bytes() -> None:
    with pytest.raises(ValidationError) as exc:
        sniff(b"just some words", "article.pdf")
    assert code(exc) == "file.type"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00\x03", "setup.exe"),
        (b"\x7fELF\x02\x01", "tool.dat"),
        (b"#!/bin/sh\n", "run.txt"),
    ],
)
def test_sniff_refuses_programs_and_scripts(content: bytes, name: str) -> None:
    with pytest.raises(ValidationError) as exc:
        sniff(content, name)
    assert code(exc) == "file.executable"


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html></html>",
        b"<svg onload=x>",
        b"\xef\xbb\xbf<html><body>x</body></html>",
    ],
)
def test_sniff_refuses_markup_named_as_text(content: bytes) -> None:
    with pytest.raises(ValidationError) as exc:
        sniff(content, "notes.txt")
    assert code(exc) == "file.markup"


def test_sniff_refuses_html_by_its_name() -> None:
    with pytest.raises(ValidationError) as exc:
        sniff(b"<html><body>hello</body></html>", "page.html")
    assert code(exc) == "file.markup"


def test_sniff_reports_under_the_given_field() -> None:
    with pytest.raises(ValidationError) as exc:
        sniff(b"MZ", "x.exe", field="attachment")
    assert code(exc, "attachment") == "file.executable"


# --- storing --------------------------------------------------------------------------


def test_store_records_sha256_md5_size_and_type(db: None, media: Any) -> None:
    stored = store_output_file(PDF, name="article.pdf")
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.md5 == hashlib.md5(PDF, usedforsecurity=False).hexdigest()
    assert (stored.size, stored.content_type) == (len(PDF), "application/pdf")
    with default_storage.open(stored.storage_name, "rb") as handle:
        assert handle.read() == PDF


def test_the_same_bytes_are_stored_once(db: None, media: Any) -> None:
    first = store_output_file(PDF, name="article.pdf")
    second = store_stream(io.BytesIO(PDF), name="copy.pdf")
    assert first.pk == second.pk
    assert StoredFile.objects.count() == 1


def test_an_xlsx_is_stored_with_its_office_type(db: None, media: Any) -> None:
    stored = store_output_file(xlsx(), name="sheet.xlsx")
    assert stored.content_type.endswith("spreadsheetml.sheet")


def test_an_empty_file_is_refused(db: None, media: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        store_output_file(b"", name="empty.csv")
    assert code(exc) == "file.empty"
    assert not StoredFile.objects.exists()


def test_a_refused_type_stores_nothing(db: None, media: Any) -> None:
    with pytest.raises(ValidationError):
        store_output_file(b"MZ" + b"\x00" * 100, name="setup.exe")
    assert not StoredFile.objects.exists()


def test_a_pdf_with_javascript_is_refused(db: None, media: Any) -> None:
    with pytest.raises(ValidationError):
        store_output_file(pdfs.with_javascript(), name="active.pdf")
    assert not StoredFile.objects.exists()


class Endless(io.RawIOBase):
    """A stream that never ends: reading all of it first would never return."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else size
        self.read_bytes += size
        return b"a" * size


def test_an_oversized_stream_is_refused_while_reading(db: None, media: Any, settings: Any) -> None:
    settings.OPENRD_REPOSITORY_MAX_FILE_BYTES = 2**20
    stream = Endless()
    with pytest.raises(ValidationError) as exc:
        store_stream(stream, name="data.txt")
    assert code(exc) == "file.too_large"
    assert stream.read_bytes <= 2**20 + 65536
    assert not StoredFile.objects.exists()


def test_an_oversized_upload_is_refused(db: None, media: Any, settings: Any) -> None:
    settings.OPENRD_REPOSITORY_MAX_FILE_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        store_output_file(b"a" * 101, name="data.txt")
    assert code(exc) == "file.too_large"
    with pytest.raises(ValidationError) as exc:
        store_output_file(RefusedUpload("big.pdf", "application/pdf"), name="big.pdf")
    assert code(exc) == "file.too_large"
    assert not StoredFile.objects.exists()
