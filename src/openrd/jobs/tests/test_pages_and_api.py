"""The job page and the API: the owner sees progress and may cancel; anyone
else gets a 404 and leaves an access.denied entry."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from openrd.accounts.services import issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.jobs.kinds import AUDIT_VERIFY
from openrd.jobs.models import Job, JobState
from openrd.jobs.testing import using_backend

pytestmark = pytest.mark.django_db


def _bearer(user):
    _, raw = issue_api_token(user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def running_job():
    return Job.objects.create(
        kind=AUDIT_VERIFY, owner=UserFactory(), state=JobState.RUNNING, done=3000, total=12000,
        # Ten minutes in: a slow test run moves the rate by well under 1 %.
        started_at=timezone.now() - dt.timedelta(seconds=600),
    )  # fmt: skip


def test_the_page_shows_progress_rate_and_eta_in_japanese(client, running_job):
    client.force_login(running_job.owner)
    response = client.get(f"/ja/jobs/{running_job.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress max="12000" value="3000"' in html
    assert f'hx-get="/ja/jobs/{running_job.pk}/progress/"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "3,000 / 12,000 件完了" in html
    assert "毎秒 5.0 件" in html
    assert "残り約 30 分" in html
    assert "ジョブを中止する" in html
    # CSP: nothing inline.
    assert "<script>" not in html
    assert "style=" not in html


def test_the_page_speaks_english_under_en(client, running_job):
    client.force_login(running_job.owner)
    html = client.get(f"/en/jobs/{running_job.pk}/").content.decode()
    assert "3,000 of 12,000 done" in html
    assert "5.0 items per second" in html
    assert "about 30 minutes left" in html


def test_a_finished_job_stops_refreshing_and_offers_no_cancel(client, running_job):
    running_job.state, running_job.done = JobState.DONE, 12000
    running_job.result = {"intact": True, "entries": 1200}
    running_job.save()
    client.force_login(running_job.owner)
    html = client.get(f"/en/jobs/{running_job.pk}/progress/").content.decode()
    assert "hx-trigger" not in html
    assert "The audit log is intact: 1200 entries checked." in html
    assert "Cancel the job" not in client.get(f"/en/jobs/{running_job.pk}/").content.decode()


def test_someone_elses_job_is_a_404_and_is_audited(client, running_job):
    client.force_login(UserFactory())
    for url in (f"/ja/jobs/{running_job.pk}/", f"/ja/jobs/{running_job.pk}/progress/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/ja/jobs/{running_job.pk}/cancel/", {"confirm": "on"}).status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(running_job.pk)).exists()
    running_job.refresh_from_db()
    assert running_job.state == JobState.RUNNING


def test_cancel_needs_the_confirmation_box(client, running_job):
    client.force_login(running_job.owner)
    response = client.post(f"/ja/jobs/{running_job.pk}/cancel/", {})
    assert response.status_code == 422
    assert "中止してよいことを確認" in response.content.decode()
    running_job.refresh_from_db()
    assert running_job.state == JobState.RUNNING
    response = client.post(f"/ja/jobs/{running_job.pk}/cancel/", {"confirm": "on"})
    assert response.status_code == 302
    running_job.refresh_from_db()
    assert running_job.state == JobState.CANCELLED
    assert AuditEntry.objects.filter(
        action="jobs.cancelled", actor_id=running_job.owner.pk
    ).exists()


def test_staff_start_the_audit_verification_and_others_may_not(
    client, django_capture_on_commit_callbacks
):
    with using_backend("immediate"):
        client.force_login(UserFactory())
        assert client.post("/ja/jobs/verify-audit/").status_code == 404
        assert not Job.objects.exists()
        staff = UserFactory(is_staff=True)
        client.force_login(staff)
        assert "監査ログ" in client.get("/ja/jobs/").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/ja/jobs/verify-audit/")
    job = Job.objects.get(owner=staff)
    assert response.status_code == 302
    assert response.url == f"/ja/jobs/{job.pk}/"
    assert job.state == JobState.DONE
    assert job.result["intact"] is True


def test_api_gives_the_owner_progress_and_others_404(client, running_job):
    response = client.get(f"/api/v1/jobs/{running_job.pk}", **_bearer(running_job.owner))
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["done"], body["total"], body["percent"]) == (
        "running",
        3000,
        12000,
        25,
    )
    assert body["eta_seconds"] == pytest.approx(1800, abs=20)
    assert body["rate"] == pytest.approx(5.0, rel=0.05)
    other = client.get(f"/api/v1/jobs/{running_job.pk}", **_bearer(UserFactory()))
    assert other.status_code == 404
    assert client.get(f"/api/v1/jobs/{running_job.pk}").status_code == 401
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(running_job.pk)).exists()


def test_api_cancel_by_the_owner_only(client, running_job):
    url = f"/api/v1/jobs/{running_job.pk}/cancel"
    assert client.post(url, **_bearer(UserFactory())).status_code == 404
    running_job.refresh_from_db()
    assert running_job.state == JobState.RUNNING
    auth = _bearer(running_job.owner)
    response = client.post(url, **auth)
    assert response.status_code == 200
    assert response.json()["cancelled"] is True
    assert response.json()["job"]["state"] == "cancelled"
    again = client.post(url, **auth)
    assert again.json()["cancelled"] is False
    assert AuditEntry.objects.filter(action="jobs.cancelled").count() == 1


def test_api_refuses_a_read_token_to_cancel(client, running_job):
    _, raw = issue_api_token(running_job.owner, name="read", scope="read")
    response = client.post(
        f"/api/v1/jobs/{running_job.pk}/cancel", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 403
    assert json.loads(response.content)["detail"]
