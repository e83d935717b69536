import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, JsonResponse
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import path
from django.utils import translation

from openrd.core.files import RefusedUpload, store_pdf
from openrd.core.tests import pdfs
from openrd.core.uploads import FORM_ALLOWANCE, upload_refusal

MB = 1024 * 1024


def attach(request: HttpRequest) -> JsonResponse:
    """How a view answers: the refusal first, since a refused file is absent."""
    refused = upload_refusal(request, field="file")
    if refused is not None:
        return JsonResponse(
            {"errors": refused.message_dict, "document_code": request.POST.get("document_code")},
            status=422,
        )
    return JsonResponse({"size": request.FILES["file"].size})


urlpatterns = [path("upload/", attach)]


@pytest.fixture(autouse=True)
def _limits(settings, tmp_path):
    settings.OPENRD_MAX_UPLOAD_BYTES = MB
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    # Small enough that every file here would be spooled to disk.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024


class CountingBody(io.RawIOBase):
    """A multipart body of ``size`` bytes made up as it is read, counting what is read."""

    def __init__(self, size: int, head: bytes) -> None:
        self.size, self.head, self.read_bytes = size, head, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.read_bytes)
        start = self.read_bytes
        chunk = self.head[start : start + n]
        chunk += b"0" * (n - len(chunk))
        buffer[:n] = chunk
        self.read_bytes += n
        return n


def wsgi_request(body, length: int) -> WSGIRequest:
    return WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/upload/",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "CONTENT_TYPE": MULTIPART_CONTENT,
            "CONTENT_LENGTH": str(length),
            "wsgi.input": body,
        }
    )


def multipart_head() -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="document_code"\r\n\r\nplan\r\n'
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    ).encode()


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "The file is larger than 1 MB."), ("ja", "ファイルが1 MBを超えています。")],
)
def test_an_oversized_upload_gets_the_field_message_in_the_users_language(
    client, tmp_path, language, message
):
    big = SimpleUploadedFile("plan.pdf", pdfs.padded(3 * MB), content_type="application/pdf")
    response = client.post(
        "/upload/", {"document_code": "plan", "file": big}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 422
    # Fields sent before the file (the CSRF token, the document code) are kept.
    assert response.json() == {"errors": {"file": [message]}, "document_code": "plan"}
    assert list(tmp_path.iterdir()) == []


def test_a_500_mb_body_is_refused_after_its_first_chunk_and_never_spooled(tmp_path):
    size = 500 * MB
    body = CountingBody(size, multipart_head())
    request = wsgi_request(body, size)
    refused = upload_refusal(request)
    assert refused is not None
    assert refused.error_dict["file"][0].code == "file.too_large"
    assert isinstance(request.FILES["file"], RefusedUpload)
    assert request.POST["document_code"] == "plan"
    # Django reads the body in 64 KiB chunks: only the first ones were read.
    assert body.read_bytes <= 256 * 1024
    assert list(tmp_path.iterdir()) == []


def test_a_file_over_the_limit_within_the_form_allowance_is_stopped_by_counting(tmp_path):
    # The Content-Length passes (limit + allowance), the file's own bytes do not.
    data = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("a.pdf", b"0" * (MB + 1))})
    assert len(data) <= MB + FORM_ALLOWANCE
    body = CountingBody(len(data), data)
    request = wsgi_request(body, len(data))
    refused = upload_refusal(request, field="attachment")
    assert refused is not None
    assert list(refused.error_dict) == ["attachment"]
    # A view that does not ask still gets the field error, from store_pdf.
    placeholder = request.FILES["file"]
    assert (placeholder.name, placeholder.size) == ("a.pdf", 0)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        store_pdf(placeholder, field="attachment")
    assert exc.value.message_dict == {"attachment": ["The file is larger than 1 MB."]}
    # The partial temporary file was closed, and so deleted.
    assert list(tmp_path.iterdir()) == []


def test_a_file_at_the_limit_passes_the_handler_intact():
    data = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("a.pdf", pdfs.padded(MB))})
    request = wsgi_request(io.BytesIO(data), len(data))
    assert upload_refusal(request) is None
    assert request.FILES["file"].size == MB
    assert request.FILES["file"].read() == pdfs.padded(MB)


def test_a_request_without_a_file_is_not_refused(rf):
    assert upload_refusal(rf.post("/upload/", {"document_code": "plan"})) is None
    assert upload_refusal(rf.get("/upload/")) is None
