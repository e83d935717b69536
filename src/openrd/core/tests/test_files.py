import hashlib
import io
import logging
import os
import select
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from openrd.core import files, pdf_screening
from openrd.core.files import open_stored, store_pdf, write_atomically
from openrd.core.models import StoredFile
from openrd.core.tests import pdfs

pytestmark = pytest.mark.django_db

PDF = pdfs.plain()
SRC = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def path_of(data: bytes) -> Path:
    name = StoredFile(sha256=hashlib.sha256(data).hexdigest()).storage_name
    return Path(default_storage.path(name))


def refusal(data: bytes, language: str = "en") -> ValidationError:
    with translation.override(language), pytest.raises(ValidationError) as exc:
        store_pdf(data, field="file")
    assert not StoredFile.objects.exists()
    return exc.value


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_files", *args, stdout=out)
    return out.getvalue()


def test_pdf_is_stored_under_its_digest_once():
    first = store_pdf(SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"))
    second = store_pdf(PDF)
    assert first == second
    assert first.sha256 == hashlib.sha256(PDF).hexdigest()
    assert StoredFile.objects.count() == 1
    with open_stored(first) as f:
        assert f.read() == PDF


def test_a_file_that_is_not_a_pdf_is_refused_whatever_it_claims_to_be():
    fake = SimpleUploadedFile("plan.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        store_pdf(fake, field="file")
    assert exc.value.message_dict == {"file": ["Only PDF files can be attached."]}
    assert not StoredFile.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit_in_japanese(settings):
    settings.OPENRD_MAX_UPLOAD_BYTES = 1024 * 1024
    error = refusal(pdfs.padded(1024 * 1024 + 1), "ja")
    assert error.error_dict["file"][0].code == "file.too_large"
    assert error.message_dict["file"] == ["ファイルが1 MBを超えています。"]


def test_a_file_exactly_at_the_limit_is_accepted(settings):
    settings.OPENRD_MAX_UPLOAD_BYTES = 4096
    assert store_pdf(pdfs.padded(4096)).size == 4096


def test_an_empty_file_is_refused():
    assert refusal(b"").error_dict["file"][0].code == "file.empty"


# --- bytes that are not a readable PDF, encrypted PDFs, active content -------------


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n% only a header\n%%EOF\n",
        b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        PDF[: len(PDF) // 2],
        # Nested deeper than Python recursion allows.
        b"%PDF-1.7\n1 0 obj\n" + b"[" * 50_000 + b"]" * 50_000 + b"\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n",
    ],
    ids=["header-only", "empty-trailer", "truncated", "deeply-nested"],
)
def test_bytes_pypdf_cannot_read_are_refused_as_unreadable(data):
    error = refusal(data)
    assert error.error_dict["file"][0].code == "file.unreadable_pdf"
    assert error.message_dict["file"] == [
        "This file could not be read as a PDF; it may be damaged. "
        "Export it as a PDF again and attach the new file."
    ]


def test_an_encrypted_pdf_is_refused_in_japanese():
    error = refusal(pdfs.encrypted(), "ja")
    assert error.error_dict["file"][0].code == "file.encrypted_pdf"
    assert "暗号化またはパスワードで保護されたPDF" in error.message_dict["file"][0]


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (pdfs.with_javascript, "JavaScript"),
        (pdfs.with_open_action_javascript, "JavaScript"),
        (pdfs.with_javascript_link, "JavaScript"),
        (pdfs.with_embedded_file, "embedded file"),
        (pdfs.with_launch_action, "launch action"),
        (pdfs.with_rich_media, "rich media"),
        (pdfs.with_xfa, "XFA form"),
    ],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_active_content_is_refused_naming_what_was_found(build, named):
    error = refusal(build())
    assert error.error_dict["file"][0].code == "file.active_content"
    assert error.message_dict["file"] == [
        f"The PDF contains active content that cannot be attached: {named}. "
        "Save it as a plain PDF without it and attach it again."
    ]


def test_everything_found_is_named_in_japanese():
    data = pdfs.with_embedded_file()
    with translation.override("ja"), pytest.raises(ValidationError) as exc:
        pdf_screening.screen_pdf(_with_open_action_javascript(data))
    assert exc.value.message_dict["file"] == [
        "PDFに添付できないアクティブコンテンツが含まれています：JavaScript、埋め込みファイル。"
        "これらを含まないPDFとして保存し直してから添付してください。"
    ]


def _with_open_action_javascript(data: bytes):
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )
    out = io.BytesIO()
    writer.write(out)
    out.seek(0)
    return out


@pytest.mark.parametrize(("bound", "value"), [("PDF_MAX_OBJECTS", 3), ("PDF_MAX_SECONDS", -1.0)])
def test_screening_is_bounded_and_a_pdf_beyond_the_bounds_is_refused(monkeypatch, bound, value):
    monkeypatch.setattr(pdf_screening, bound, value)
    assert refusal(PDF).error_dict["file"][0].code == "file.too_complex"


def test_a_plain_pdf_with_a_reference_cycle_passes_screening():
    # Every page points at its parent and back: the walk must not loop.
    pdf_screening.screen_pdf(io.BytesIO(pdfs.plain()))


# --- crash safety ---------------------------------------------------------------

KILLED_WRITER = """
import sys, time
from pathlib import Path
import django
django.setup()
from openrd.core.files import write_atomically
data = Path(sys.argv[2]).read_bytes()
def chunks():
    yield data[: len(data) // 2]
    print("half written", flush=True)
    time.sleep(30)
    yield data[len(data) // 2 :]
write_atomically(Path(sys.argv[1]), chunks())
"""


def test_a_writer_killed_mid_write_leaves_nothing_under_the_final_name(tmp_path):
    data = pdfs.padded(8 * 1024 * 1024)
    final = path_of(data)
    source = tmp_path / "upload.pdf"
    source.write_bytes(data)
    env = {**os.environ, "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "openrd.settings"}
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", KILLED_WRITER, str(final), str(source)],
        stdout=subprocess.PIPE,
        env=env,
    )
    try:
        # Generous: the child starts Django, which takes seconds on a busy machine.
        ready, _w, _x = select.select([proc.stdout], [], [], 60)
        assert ready, "the writer did not start within 60 s"
        assert proc.stdout.readline() == b"half written\n"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=5) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
        proc.stdout.close()

    assert not final.exists()
    leftovers = [p for p in final.parent.iterdir() if files.is_temporary(p.name)]
    assert len(leftovers) == 1
    assert 0 < leftovers[0].stat().st_size < len(data)
    # The leftover is not a stored file: storing the same bytes writes them whole.
    stored = store_pdf(data)
    assert final.read_bytes() == data
    assert stored.size == len(data)
    report = verify()
    assert "1 stored files checked; all match" in report
    assert f"temporary file (not a stored file) {leftovers[0]}" in report


def test_a_failed_write_removes_its_temporary_file(tmp_path):
    def failing():
        yield b"partial"
        raise OSError("disk full")

    target = tmp_path / "ab" / "cd" / ("a" * 64)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, failing())
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_a_truncated_copy_under_the_digest_is_replaced_and_logged(caplog):
    # What a write killed before this change left behind: a short file under the final name.
    final = path_of(PDF)
    final.parent.mkdir(parents=True)
    final.write_bytes(PDF[:100])
    with caplog.at_level(logging.WARNING, logger="openrd.core.files"):
        store_pdf(PDF)
    assert final.read_bytes() == PDF
    assert f"size 100 bytes, expected {len(PDF)}" in caplog.text


def test_a_stored_file_damaged_on_disk_is_repaired_by_the_next_upload(caplog):
    stored = store_pdf(PDF)
    final = path_of(PDF)
    final.write_bytes(PDF.replace(b"OpenRD", b"Broken"))  # same size, other bytes
    with caplog.at_level(logging.WARNING, logger="openrd.core.files"):
        assert store_pdf(PDF) == stored
    assert final.read_bytes() == PDF
    assert "content does not match its SHA-256" in caplog.text
    assert not [p for p in final.parent.iterdir() if files.is_temporary(p.name)]


def test_a_missing_stored_file_is_written_again():
    store_pdf(PDF)
    path_of(PDF).unlink()
    store_pdf(PDF)
    assert path_of(PDF).read_bytes() == PDF


def test_verify_files_reports_every_broken_file_and_fails():
    damaged = store_pdf(PDF)
    missing = store_pdf(pdfs.plain("another document"))
    intact = store_pdf(pdfs.plain("a third document"))
    path_of(PDF).write_bytes(PDF[:-1] + b"X")
    path_of(pdfs.plain("another document")).unlink()
    out = StringIO()
    with pytest.raises(CommandError, match="2 of 3 stored files are broken") as exc:
        call_command("verify_files", stdout=out)
    assert exc.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert f"BROKEN {damaged.storage_name}: content does not match its SHA-256" in lines
    assert f"BROKEN {missing.storage_name}: missing" in lines
    assert not [line for line in lines if intact.storage_name in line]


def test_verify_files_removes_only_stale_temporary_files_when_asked():
    store_pdf(PDF)
    folder = path_of(PDF).parent
    stale, fresh = folder / ".incoming-old.part", folder / ".incoming-new.part"
    stale.write_bytes(b"partial")
    fresh.write_bytes(b"partial")
    hour_ago = time.time() - 3700
    os.utime(stale, (hour_ago, hour_ago))
    report = verify("--remove-temporary")
    assert f"removed temporary file {stale}" in report
    assert not stale.exists()
    assert fresh.exists()
    assert path_of(PDF).read_bytes() == PDF


def test_without_a_local_filesystem_the_storage_save_is_used_and_repairs_too(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    stored = store_pdf(PDF)
    default_storage.delete(stored.storage_name)
    default_storage.save(stored.storage_name, ContentFile(PDF[:10]))
    assert files.stored_problem(stored.storage_name, sha256=stored.sha256, size=stored.size)
    assert store_pdf(PDF) == stored
    with open_stored(stored) as f:
        assert f.read() == PDF
    assert "1 stored files checked; all match" in verify()
