"""The tus 1.0 server at /uploads/: a real client (tuspy) against the live server,
interrupted and resumed, and every refusal through Django's test client."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone
from tusclient.client import TusClient

from openrd.accounts.services import issue_api_token
from openrd.core.tests import pdfs
from openrd.repository import tus
from openrd.repository.models import Output, OutputFile, UploadSession
from openrd.repository.tasks import clean_uploads

TUS = {"Tus-Resumable": "1.0.0"}
OCTET = "application/offset+octet-stream"
PDF = pdfs.plain("resumable deposit")


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


@pytest.fixture
def draft(repo: Any) -> Output:
    return repo.deposit(publish=False, files=[])


@pytest.fixture
def pi_client(repo: Any) -> Client:
    client = Client()
    client.force_login(repo.pi)
    return client


def create(client: Client, output: Output, length: int, **meta: str) -> Any:
    values = {"filename": "paper.pdf", "output": str(output.pk), **meta}
    return client.post(
        "/uploads/",
        headers={**TUS, "Upload-Length": str(length), "Upload-Metadata": metadata(**values)},
    )


def location(response: Any) -> str:
    assert response.status_code == 201, response.content
    return urlparse(response["Location"]).path


def patch(client: Client, url: str, data: bytes, offset: int, **headers: str) -> Any:
    return client.patch(
        url,
        data=data,
        content_type=headers.pop("content_type", OCTET),
        headers={**TUS, "Upload-Offset": str(offset), **headers},
    )


def session_of(url: str) -> UploadSession:
    return UploadSession.objects.get(key=url.rsplit("/", 1)[1])


def uploads_left(settings: Any) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- the real client, interrupted and resumed ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_tuspy_upload_interrupted_and_resumed_stores_the_original_bytes(
    repo: Any, live_server: Any, settings: Any
) -> None:
    draft = repo.deposit(publish=False, files=[])
    _token, secret = issue_api_token(repo.pi, name="uploader")
    data = pdfs.padded(300 * 1024, "large accepted manuscript")
    client = TusClient(f"{live_server.url}/uploads/", headers={"Authorization": f"Bearer {secret}"})
    chunk = 64 * 1024
    first = client.uploader(
        file_stream=io.BytesIO(data),
        chunk_size=chunk,
        metadata={"filename": "large.pdf", "output": str(draft.pk), "text_version": "AM"},
        upload_checksum=True,
    )
    first.upload_chunk()
    first.upload_chunk()
    assert first.offset == 2 * chunk
    assert not OutputFile.objects.filter(output=draft).exists()

    # A new client process: only the upload's URL survived.
    resumed = client.uploader(
        file_stream=io.BytesIO(data), url=first.url, chunk_size=chunk, upload_checksum=True
    )
    assert resumed.offset == 2 * chunk
    resumed.upload()

    attached = OutputFile.objects.select_related("stored").get(output=draft)
    assert attached.name == "large.pdf"
    assert attached.text_version == "AM"
    assert attached.stored.sha256 == hashlib.sha256(data).hexdigest()
    assert attached.stored.size == len(data)
    session = session_of(first.url)
    assert session.completed_file_id == attached.pk
    assert session.offset == session.length == len(data)
    assert uploads_left(settings) == []


# --- the protocol through the test client ----------------------------------------------


def test_options_advertises_version_extensions_size_and_checksums(db: None, settings: Any) -> None:
    settings.OPENRD_REPOSITORY_MAX_FILE_BYTES = 12345
    response = Client().options("/uploads/")
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {
        "creation", "termination", "expiration", "checksum",
    }  # fmt: skip
    assert response["Tus-Max-Size"] == "12345"
    assert set(response["Tus-Checksum-Algorithm"].split(",")) == {"sha256", "sha1", "md5"}


def test_a_request_without_tus_resumable_is_412(pi_client: Client, draft: Output) -> None:
    response = pi_client.post("/uploads/", headers={"Upload-Length": "10"})
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert "Tus-Resumable" in response.json()["detail"]


def test_anonymous_creation_is_401(draft: Output) -> None:
    response = create(Client(), draft, len(PDF))
    assert response.status_code == 401
    assert response.json()["detail"]
    assert not UploadSession.objects.exists()


def test_upload_in_two_checksummed_chunks_attaches_the_file(
    pi_client: Client, draft: Output, settings: Any
) -> None:
    url = location(create(pi_client, draft, len(PDF), access="restricted"))
    head = pi_client.head(url, headers=TUS)
    assert head.status_code == 200
    assert (head["Upload-Offset"], head["Upload-Length"]) == ("0", str(len(PDF)))
    assert head["Cache-Control"] == "no-store"
    assert head["Tus-Resumable"] == "1.0.0"

    half = len(PDF) // 2
    first_sum = "sha256 " + b64(hashlib.sha256(PDF[:half]).digest())
    one = patch(pi_client, url, PDF[:half], 0, **{"Upload-Checksum": first_sum})
    assert one.status_code == 204
    assert one["Upload-Offset"] == str(half)
    assert pi_client.head(url, headers=TUS)["Upload-Offset"] == str(half)
    second_sum = "md5 " + b64(hashlib.md5(PDF[half:], usedforsecurity=False).digest())
    two = patch(pi_client, url, PDF[half:], half, **{"Upload-Checksum": second_sum})
    assert two.status_code == 204

    attached = OutputFile.objects.select_related("stored").get(output=draft)
    assert (attached.name, attached.access) == ("paper.pdf", "restricted")
    assert attached.stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert session_of(url).completed_file == attached
    assert uploads_left(settings) == []
    assert pi_client.head(url, headers=TUS)["Upload-Offset"] == str(len(PDF))


def test_a_wrong_offset_is_409_and_changes_nothing(pi_client: Client, draft: Output) -> None:
    url = location(create(pi_client, draft, len(PDF)))
    response = patch(pi_client, url, PDF[:10], 5)
    assert response.status_code == 409
    assert response["Upload-Offset"] == "0"
    assert response.json()["detail"]
    assert session_of(url).offset == 0


def test_a_checksum_mismatch_is_460_and_the_chunk_is_discarded(
    pi_client: Client, draft: Output, settings: Any
) -> None:
    url = location(create(pi_client, draft, len(PDF)))
    wrong = b64(hashlib.sha1(b"something else", usedforsecurity=False).digest())
    response = patch(pi_client, url, PDF[:100], 0, **{"Upload-Checksum": f"sha1 {wrong}"})
    assert response.status_code == 460
    assert response.json()["detail"]
    assert session_of(url).offset == 0
    key = url.rsplit("/", 1)[1]
    assert uploads_left(settings) == [f"{key}.part"]
    assert (Path(settings.MEDIA_ROOT) / "uploads" / f"{key}.part").stat().st_size == 0


def test_an_unknown_checksum_algorithm_is_400(pi_client: Client, draft: Output) -> None:
    url = location(create(pi_client, draft, len(PDF)))
    response = patch(pi_client, url, PDF[:10], 0, **{"Upload-Checksum": "crc32 AAAA"})
    assert response.status_code == 400
    assert session_of(url).offset == 0


def test_a_chunk_not_sent_as_offset_octet_stream_is_415(pi_client: Client, draft: Output) -> None:
    url = location(create(pi_client, draft, len(PDF)))
    response = patch(pi_client, url, PDF[:10], 0, content_type="application/octet-stream")
    assert response.status_code == 415
    assert "application/offset+octet-stream" in response.json()["detail"]


def test_a_chunk_beyond_the_length_is_413(pi_client: Client, draft: Output) -> None:
    url = location(create(pi_client, draft, 10))
    response = patch(pi_client, url, b"x" * 11, 0)
    assert response.status_code == 413
    assert session_of(url).offset == 0


def test_an_unknown_or_malformed_key_is_404(pi_client: Client, draft: Output) -> None:
    for url in ("/uploads/6f1c9a4e-0000-4000-8000-000000000000", "/uploads/not-a-key"):
        response = pi_client.head(url, headers=TUS)
        assert response.status_code == 404
        assert patch(pi_client, url, b"x", 0).json()["detail"]


def test_someone_elses_upload_is_404(repo: Any, pi_client: Client, draft: Output) -> None:
    url = location(create(pi_client, draft, len(PDF)))
    other = Client()
    other.force_login(repo.stranger)
    assert other.head(url, headers=TUS).status_code == 404
    assert patch(other, url, PDF, 0).status_code == 404
    assert other.delete(url, headers=TUS).status_code == 404
    assert session_of(url).offset == 0


def test_creating_an_upload_for_someone_elses_deposit_is_404(repo: Any, draft: Output) -> None:
    other = Client()
    other.force_login(repo.stranger)
    response = create(other, draft, len(PDF))
    assert response.status_code == 404
    assert not UploadSession.objects.exists()


def test_creating_an_upload_for_a_published_record_is_409(repo: Any, pi_client: Client) -> None:
    published = repo.deposit(publish=True)
    response = create(pi_client, published, len(PDF), filename="more.pdf")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert not UploadSession.objects.exists()


def test_a_curator_may_upload_to_a_deposit_being_curated(repo: Any) -> None:
    output = repo.deposit(publish=False)
    from openrd.repository import services

    services.submit(output, actor=repo.pi)
    curator = Client()
    curator.force_login(repo.curator)
    url = location(create(curator, output, len(PDF), filename="corrected.pdf"))
    assert patch(curator, url, PDF, 0).status_code == 204
    assert output.files.filter(name="corrected.pdf").exists()


def test_an_upload_above_the_size_limit_is_413_at_creation(
    pi_client: Client, draft: Output, settings: Any
) -> None:
    settings.OPENRD_REPOSITORY_MAX_FILE_BYTES = 1000
    response = create(pi_client, draft, 1001)
    assert response.status_code == 413
    assert response.json()["detail"]
    assert not UploadSession.objects.exists()


def test_bad_metadata_is_400_with_the_field(pi_client: Client, draft: Output) -> None:
    assert create(pi_client, draft, 10, access="public").json()["errors"]["access"]
    assert create(pi_client, draft, 10, filename=" ").json()["errors"]["name"]
    response = pi_client.post(
        "/uploads/", headers={**TUS, "Upload-Length": "10", "Upload-Metadata": "filename !!!"}
    )
    assert response.status_code == 400
    assert pi_client.post("/uploads/", headers={**TUS, "Upload-Length": "ten"}).status_code == 400
    assert not UploadSession.objects.exists()


def test_an_expired_upload_is_410_and_cleaned_by_the_task(
    pi_client: Client, draft: Output, settings: Any
) -> None:
    url = location(create(pi_client, draft, len(PDF)))
    assert patch(pi_client, url, PDF[:100], 0).status_code == 204
    UploadSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert pi_client.head(url, headers=TUS).status_code == 410
    response = patch(pi_client, url, PDF[100:], 100)
    assert response.status_code == 410
    assert response.json()["detail"]
    assert clean_uploads.call() == 1
    assert not UploadSession.objects.exists()
    assert uploads_left(settings) == []


def test_expiry_follows_the_setting(pi_client: Client, draft: Output, settings: Any) -> None:
    settings.OPENRD_UPLOAD_EXPIRY_HOURS = 2
    url = location(create(pi_client, draft, len(PDF)))
    left = session_of(url).expires_at - timezone.now()
    assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)


@pytest.mark.parametrize(
    ("name", "content"),
    [("setup.exe", b"MZ\x90\x00" + b"\x00" * 200), ("notes.txt", b"<html><script>x</script>")],
)
def test_a_refused_file_type_is_reported_after_the_last_chunk_and_nothing_attached(
    pi_client: Client, draft: Output, settings: Any, name: str, content: bytes
) -> None:
    url = location(create(pi_client, draft, len(content), filename=name))
    response = patch(pi_client, url, content, 0)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == body["errors"]["file"][0]
    assert not OutputFile.objects.filter(output=draft).exists()
    assert not UploadSession.objects.exists()
    assert uploads_left(settings) == []


def test_delete_terminates_the_upload(pi_client: Client, draft: Output, settings: Any) -> None:
    url = location(create(pi_client, draft, len(PDF)))
    assert patch(pi_client, url, PDF[:50], 0).status_code == 204
    assert pi_client.delete(url, headers=TUS).status_code == 204
    assert pi_client.head(url, headers=TUS).status_code == 404
    assert uploads_left(settings) == []


def test_a_session_needs_the_csrf_header_for_changes(repo: Any, draft: Output) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(repo.pi)
    refused = create(client, draft, len(PDF))
    assert refused.status_code == 403
    assert "X-CSRFToken" in refused.json()["detail"]
    client.get("/ja/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/uploads/",
        headers={
            **TUS,
            "X-CSRFToken": token,
            "Upload-Length": str(len(PDF)),
            "Upload-Metadata": metadata(filename="a.pdf", output=str(draft.pk)),
        },
    )
    assert response.status_code == 201


def test_tokens_are_judged_alone(repo: Any, draft: Output) -> None:
    _read, read_secret = issue_api_token(repo.pi, name="read", scope="read")
    _write, write_secret = issue_api_token(repo.pi, name="write")
    client = Client(enforce_csrf_checks=True)
    writer = {"Authorization": f"Bearer {write_secret}"}
    response = client.post(
        "/uploads/",
        headers={**TUS, **writer, "Upload-Length": str(len(PDF)),
                 "Upload-Metadata": metadata(filename="a.pdf", output=str(draft.pk))},
    )  # fmt: skip
    url = location(response)
    reader = {"Authorization": f"Bearer {read_secret}"}
    assert client.head(url, headers={**TUS, **reader}).status_code == 200
    assert patch(client, url, PDF, 0, **reader).status_code == 403
    assert patch(client, url, PDF, 0, Authorization="Bearer ord_nonsense").status_code == 401
    assert patch(client, url, PDF, 0, **writer).status_code == 204


def test_method_override_reaches_patch(pi_client: Client, draft: Output) -> None:
    url = location(create(pi_client, draft, len(PDF)))
    response = pi_client.post(
        url,
        data=PDF[:10],
        content_type=OCTET,
        headers={**TUS, "Upload-Offset": "0", "X-HTTP-Method-Override": "PATCH"},
    )
    assert response.status_code == 204
    assert response["Upload-Offset"] == "10"


def test_clean_removes_orphaned_part_files_only_when_stale(
    pi_client: Client, draft: Output, settings: Any
) -> None:
    url = location(create(pi_client, draft, len(PDF)))
    folder = Path(settings.MEDIA_ROOT) / "uploads"
    orphan = folder / "0b5d5a6e-1111-4111-8111-111111111111.part"
    orphan.write_bytes(b"left by a crash")
    assert tus.clean_expired_uploads() == 0
    assert orphan.exists()
    later = timezone.now() + tus.expiry() + timedelta(minutes=1)
    UploadSession.objects.update(expires_at=later + timedelta(hours=1))
    assert tus.clean_expired_uploads(now=later) == 0
    assert not orphan.exists()
    assert (folder / f"{url.rsplit('/', 1)[1]}.part").exists()
