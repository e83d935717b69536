"""Access requests: asked for by a signed-in person, answered by a curator of the
record's institution, the file then served to that person only, until the grant
expires; the public URL of a restricted file stays closed to everyone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrd.core.models import AuditEntry
from openrd.notifications.models import Notification
from openrd.repository import access_requests
from openrd.repository.models import AccessRequest, AccessRequestStatus
from openrd.repository.tests.conftest import PDF

pytestmark = pytest.mark.django_db
SECRET = PDF + b"\n%restricted-canary\n"


@pytest.fixture
def restricted(repo):
    output = repo.deposit(files=[("open.pdf", PDF, "open"), ("interviews.pdf", SECRET,
                                                              "restricted")])  # fmt: skip
    return output.files.get(name="interviews.pdf")


def test_a_request_reaches_the_curators_and_a_grant_opens_the_file_to_its_asker(
    repo, restricted, client
):
    client.force_login(repo.stranger)
    form = client.get(f"/ja/outputs/files/{restricted.key}/request/")
    assert form.status_code == 200
    sent = client.post(f"/ja/outputs/files/{restricted.key}/request/", {"purpose": "再分析"})
    assert sent.status_code == 302
    req = AccessRequest.objects.get()
    assert Notification.objects.filter(recipient=repo.curator,
                                       kind="repository.access_requested").exists()  # fmt: skip
    # Before the answer: nothing.
    assert client.get(f"/ja/outputs/access/{req.pk}/").status_code == 404
    client.force_login(repo.curator)
    listed = client.get("/ja/outputs/access-requests/")
    assert "再分析" in listed.content.decode()
    answered = client.post("/ja/outputs/access-requests/", {"request": req.pk,
                                                             "decision": "grant"})  # fmt: skip
    assert answered.status_code == 302
    req.refresh_from_db()
    assert req.status == AccessRequestStatus.GRANTED
    assert req.expires_at > timezone.now()
    # Only the asker, signed in, gets the file.
    assert client.get(f"/ja/outputs/access/{req.pk}/").status_code == 404
    client.force_login(repo.stranger)
    got = client.get(f"/ja/outputs/access/{req.pk}/")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == SECRET
    assert "private" in got["Cache-Control"]
    client.logout()
    assert client.get(f"/ja/outputs/access/{req.pk}/").status_code == 302  # to sign in
    # The public URL stays closed, even for the asker.
    client.force_login(repo.stranger)
    public = client.get(f"/ja/outputs/files/{restricted.key}/{restricted.name}")
    assert public.status_code == 404


def test_an_expired_grant_serves_nothing(repo, restricted, client):
    req = access_requests.request_access(restricted, requester=repo.stranger, purpose="x")
    access_requests.decide(req, actor=repo.curator, grant=True)
    AccessRequest.objects.filter(pk=req.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(repo.stranger)
    assert client.get(f"/ja/outputs/access/{req.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").exists()


def test_a_refusal_needs_a_reason_and_an_answer_is_final(repo, restricted):
    req = access_requests.request_access(restricted, requester=repo.stranger, purpose="x")
    with pytest.raises(ValidationError):
        access_requests.decide(req, actor=repo.curator, grant=False, note="")
    access_requests.decide(req, actor=repo.curator, grant=False, note="個人情報のため")
    from openrd.core.refusals import Refused

    with pytest.raises(Refused):
        access_requests.decide(req, actor=repo.curator, grant=True)
    assert Notification.objects.filter(recipient=repo.stranger,
                                       kind="repository.access_decided").count() == 1  # fmt: skip


def test_an_open_file_or_a_draft_cannot_be_asked_for(repo, client):
    output = repo.deposit(publish=False, files=[("r.pdf", PDF, "restricted")])
    client.force_login(repo.stranger)
    key = output.files.get().key
    assert client.get(f"/ja/outputs/files/{key}/request/").status_code == 404
    published = repo.deposit(files=[("o.pdf", PDF, "open")])
    open_key = published.files.get().key
    assert client.get(f"/ja/outputs/files/{open_key}/request/").status_code == 404


def test_another_institutions_curator_cannot_answer(repo, restricted, client):
    from openrd.accounts.models import Role
    from openrd.accounts.services import assign_role, upsert_organisation
    from openrd.accounts.tests.factories import UserFactory

    req = access_requests.request_access(restricted, requester=repo.stranger, purpose="x")
    other = UserFactory(username="othercurator")
    assign_role(other, Role.CURATOR, organisation=upsert_organisation(
        code="other-u", kind="university", name_ja="別大学"))  # fmt: skip
    client.force_login(other)
    answer = client.post("/ja/outputs/access-requests/", {"request": req.pk, "decision": "grant"})
    assert answer.status_code == 404
    req.refresh_from_db()
    assert req.status == AccessRequestStatus.PENDING
