import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from openrd.core.files import open_stored, store_pdf
from openrd.core.models import StoredFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


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
    big = PDF + b"0" * (1024 * 1024)
    with translation.override("ja"), pytest.raises(ValidationError) as exc:
        store_pdf(big)
    assert exc.value.error_dict["file"][0].code == "file.too_large"
    assert "1 MB" in exc.value.message_dict["file"][0]
    assert not StoredFile.objects.exists()


def test_a_file_exactly_at_the_limit_is_accepted(settings):
    settings.OPENRD_MAX_UPLOAD_BYTES = 4096
    exact = PDF + b"0" * (4096 - len(PDF))
    assert store_pdf(exact).size == 4096


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        store_pdf(b"")
    assert exc.value.error_dict["file"][0].code == "file.empty"
