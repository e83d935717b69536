"""django-rq's pages below the queues overview read in Japanese on /ja/admin/: the
lists of a queue's jobs (queued, started, deferred, finished, failed, scheduled), a
job and its result, the workers and a worker, the queue's own page and the
confirmations before emptying the queue, deleting or requeueing jobs.

Redis is not needed: the names django-rq's views read it through are replaced by
small fakes holding a job of each kind (the failed one with its traceback)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_rq import views
from rq.exceptions import NoSuchJobError
from rq.results import Result

from openrd.core.tests import test_admin_in_japanese as in_japanese
from openrd.core.tests.test_admin_in_japanese import english_words

pytestmark = pytest.mark.django_db
superuser_client = in_japanese.superuser_client  # the fixture: a staff superuser's client

QUEUE = "default"
FUNCTION = "openrd.jobs.tasks.send_outbox"
WORKER = "openrd-worker-1"
MISSING = "0b7e2c41-5f3a-4d8e-9a61-c2d4e6f80a13"  # selected, but gone from Redis
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "openrd/jobs/tasks.py", line 42, in send_outbox\n'
    "smtplib.SMTPServerDisconnected: Connection unexpectedly closed\n"
)
WHEN = datetime(2026, 12, 1, 9, 30)  # naive, in UTC, as RQ keeps its times
# A job of each kind: its id, its status.
IDS = {
    "queued": "5d1c3e7a-2b4f-4c6e-8a0b-1c3d5e7f9a2b",
    "started": "6e2d4f8b-3c5a-4d7f-9b1c-2d4e6f8a0b3c",
    "deferred": "7f3e5a9c-4d6b-4e8a-8c2d-3e5f7a9b1c4d",
    "finished": "8a4f6b0d-5e7c-4f9b-9d3e-4f6a8b0c2d5e",
    "failed": "9b5a7c1e-6f8d-4a0c-8e4f-5a7b9c1d3e6f",
    "scheduled": "0c6b8d2f-7a9e-4b1d-9f5a-6b8c0d2e4f7a",
}
HOOK = "https://ops.example.org/hook"  # a webhook the failed job calls
CRON = "0 3 * * *"
# What the pages show as it is: names, ids, addresses, rq-scheduler's "cron: '0 3 * * *'".
DATA = [QUEUE, FUNCTION, WORKER, MISSING, HOOK, "127.0.0.1", "cron", *IDS.values()]


class FakeJob:
    """What django-rq's views and templates read of an RQ job."""

    def __init__(self, status: str, **extra) -> None:
        self.id, self.status, self.origin = IDS[status], status, QUEUE
        self.func_name, self.args, self.kwargs, self.meta = FUNCTION, (42,), {}, {}
        self.timeout, self.result_ttl, self.webhooks = 180, 500, []
        self.created_at = self.enqueued_at = WHEN
        self.started_at = WHEN if status in {"started", "finished", "failed"} else None
        self.ended_at = WHEN if status in {"finished", "failed"} else None
        self.exc_info = self._exc_info = TRACEBACK if status == "failed" else None
        self._dependency_ids, self.dependent_ids, self._results = [], [], []
        self.key, self.connection, self.serializer = f"rq:job:{self.id}", CONNECTION, None
        self.__dict__.update(extra)

    def get_status(self, refresh: bool = True) -> str:
        return self.status

    is_queued = property(lambda self: self.status == "queued")
    is_started = property(lambda self: self.status == "started")
    is_failed = property(lambda self: self.status == "failed")

    def results(self) -> list:
        return self._results


class FakeConnection:
    connection_pool = SimpleNamespace(
        connection_kwargs={"host": "127.0.0.1", "port": 6379, "db": 0}
    )

    def lindex(self, key: str, index: int) -> bytes:
        return IDS["queued"].encode()

    def hget(self, key: str, field: str) -> None:
        return None  # no result kept the way of RQ < 1.12


CONNECTION = FakeConnection()
RESULT = SimpleNamespace(
    id="1764581400000-0", type=Result.Type.FAILED, created_at=WHEN, worker_name=WORKER,
    return_value=None, exc_string=TRACEBACK,
)  # fmt: skip


def all_jobs() -> dict[str, FakeJob]:
    jobs = {status: FakeJob(status) for status in IDS}
    failed = jobs["failed"]
    failed._results = [RESULT]
    # It waited for the finished job and for one since deleted; the deferred waits for it.
    failed._dependency_ids = [IDS["finished"], MISSING]
    failed.dependent_ids = [IDS["deferred"]]
    failed.webhooks = [SimpleNamespace(url=HOOK, job_status="failed", method="POST", timeout=10)]
    jobs["scheduled"].scheduled_at = WHEN
    jobs["scheduled"].meta = {"cron_string": CRON}  # rq-scheduler's, every night
    return {job.id: job for job in jobs.values()}


@pytest.fixture
def rq_jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, FakeJob]:
    """django-rq's views over a queue holding a job of each kind, without Redis."""
    jobs = all_jobs()
    by_status = {job.status: job for job in jobs.values()}

    def fetch(job_id, connection=None, serializer=None):
        try:
            return jobs[job_id]
        except KeyError:
            raise NoSuchJobError(job_id) from None

    queue = SimpleNamespace(
        name=QUEUE, key=f"rq:queue:{QUEUE}", connection=CONNECTION, serializer=None, count=1,
        get_jobs=lambda offset, length: [by_status["queued"]], fetch_job=jobs.get,
    )  # fmt: skip

    def registry(status: str) -> type:
        class Registry:
            def __init__(self, name=None, connection=None, queue=None) -> None:
                pass

            def __len__(self) -> int:
                return 1

            def get_job_ids(self, start=0, end=-1, desc=False) -> list[str]:
                return [IDS[status]]

            def get_job_and_execution_ids(self, start=0, end=-1) -> list[tuple[str, str]]:
                return [(IDS[status], "a1b2c3")]

            def get_scheduled_time(self, job) -> datetime:
                return WHEN

        return Registry

    execution = SimpleNamespace(
        id="a1b2c3", job_id=IDS["started"], job=by_status["started"], created_at=WHEN,
        last_heartbeat=WHEN,
    )  # fmt: skip
    worker = SimpleNamespace(
        name=WORKER, key=f"rq:worker:{WORKER}", pid=4242, birth_date=WHEN,
        successful_job_count=12, failed_job_count=1, total_working_time=8.5,
        get_state=lambda: "busy", queue_names=lambda: [QUEUE],
        get_current_job=lambda: by_status["started"],
    )  # fmt: skip
    worker_class = SimpleNamespace(
        all=lambda connection=None: [worker],
        count=lambda queue=None, connection=None: 1,
        find_by_key=lambda key, connection=None: worker,
    )
    scheduler = SimpleNamespace(
        name=f"scheduler:{QUEUE}", count=lambda: 1,
        get_jobs=lambda **kwargs: [(by_status["scheduled"], WHEN)],
    )  # fmt: skip
    replaced = {
        "get_queue_by_index": lambda index: queue,
        "get_scheduler_by_index": lambda index: scheduler,
        "Job": SimpleNamespace(fetch=fetch),
        "Worker": worker_class,
        "get_jobs": lambda queue, job_ids, registry=None: [jobs[i] for i in job_ids],
        "get_executions": lambda queue, composite_keys: [execution],
        "clean_worker_registry": lambda queue: None,
        "get_scheduler_pid": lambda queue: None,  # RQ's own scheduler, not running
        "StartedJobRegistry": registry("started"),
        "DeferredJobRegistry": registry("deferred"),
        "FinishedJobRegistry": registry("finished"),
        "FailedJobRegistry": registry("failed"),
        "ScheduledJobRegistry": registry("scheduled"),
    }
    for name, value in replaced.items():
        monkeypatch.setattr(views, name, value)
    return jobs


def rq_url(name: str, *args: object) -> str:
    return reverse(f"admin:django_rq_{name}", args=args)


# Each page an operator reaches from the overview: its view, its arguments, the
# template it renders, and a form it is posted (the confirmation of a list's action).
PAGES = {
    "jobs.html": ("jobs", [0], None),
    "started_job_registry.html": ("started_jobs", [0], None),
    "deferred_jobs.html": ("deferred_jobs", [0], None),
    "finished_jobs.html": ("finished_jobs", [0], None),
    "failed_jobs.html": ("failed_jobs", [0], None),
    "scheduled_jobs.html": ("scheduled_jobs", [0], None),
    "queue_detail.html": ("queue_details", [0], None),
    "job_detail.html": ("job_detail", [0, IDS["failed"]], None),
    "result_detail.html": ("result_detail", [0, IDS["failed"], RESULT.id], None),
    "workers.html": ("workers", [0], None),
    "worker_details.html": ("worker_details", [0, f"rq:worker:{WORKER}"], None),
    "clear_queue.html": ("clear", [0], None),
    "clear_failed_queue.html": ("delete_failed_jobs", [0], None),
    "requeue_all.html": ("requeue_all", [0], None),
    "delete_job.html": ("delete_job", [0, IDS["queued"]], None),
    "scheduler.html": ("scheduler_jobs", [0], None),  # rq-scheduler's, as the overview links it
    "confirm_action.html": (
        "confirm_action",
        [0],
        {"action": "delete", "_selected_action": [IDS["queued"], MISSING]},
    ),
}


def rendered(client, template: str, name: str, *args: object, form=None):
    """The page of the view ``name``, rendered by our override of ``template``."""
    url = rq_url(name, *args)
    assert url.startswith("/ja/admin/")
    response = client.get(url) if form is None else client.post(url, form)
    assert response.status_code == 200
    assert response.templates[0].origin.name.endswith(f"openrd/templates/django_rq/{template}")
    return response


@pytest.mark.parametrize("template", PAGES)
def test_the_page_reads_in_japanese(superuser_client, rq_jobs, template):
    name, args, form = PAGES[template]
    response = rendered(superuser_client, template, name, *args, form=form)
    assert english_words(response.content, DATA) == []


def test_the_lists_show_their_jobs_and_keep_their_forms(superuser_client, rq_jobs):
    page = rendered(superuser_client, "failed_jobs.html", "failed_jobs", 0).content.decode()
    # The failed job, linked to its page, in a form that confirms the chosen action.
    assert rq_url("job_detail", 0, IDS["failed"]) in page
    assert f'action="{rq_url("confirm_action", 0)}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<option value="requeue">' in page
    assert rq_url("requeue_all", 0) in page
    assert rq_url("delete_failed_jobs", 0) in page
    assert FUNCTION in page

    page = rendered(superuser_client, "jobs.html", "jobs", 0).content.decode()
    assert rq_url("job_detail", 0, IDS["queued"]) in page
    assert rq_url("clear", 0) in page


def test_the_job_page_shows_the_failure_and_its_actions(superuser_client, rq_jobs):
    response = rendered(superuser_client, "job_detail.html", "job_detail", 0, IDS["failed"])
    page = response.content.decode()
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    assert f'action="{rq_url("requeue_job", 0, IDS["failed"])}"' in page
    assert 'name="requeue"' in page
    assert rq_url("delete_job", 0, IDS["failed"]) in page
    assert rq_url("result_detail", 0, IDS["failed"], RESULT.id) in page
    # Its dependencies: the finished job, linked, and the deleted one.
    assert rq_url("job_detail", 0, IDS["finished"]) in page
    assert rq_url("job_detail", 0, MISSING) in page


def test_the_confirmation_posts_the_selected_jobs(superuser_client, rq_jobs):
    form = {"action": "requeue", "_selected_action": [IDS["failed"], MISSING]}
    response = rendered(superuser_client, "confirm_action.html", "confirm_action", 0, form=form)
    page = response.content.decode()
    assert f'action="{rq_url("actions", 0)}"' in page
    assert f'<input type="hidden" name="job_ids" value="{IDS["failed"]}">' in page
    assert f'name="job_ids" value="{MISSING}"' not in page  # gone: listed, not acted on
    assert '<input type="hidden" name="action" value="requeue" />' in page
