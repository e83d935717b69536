"""A worker killed with SIGKILL in the middle of a task loses nothing: another
worker runs the task again and its outcome is written exactly once, on the
database backend and on RQ (Redis database 5, the tests' own; the RQ test runs
in the pass with OPENRD_TASKS_BACKEND=rq).

Real processes on a real database: a fresh SQLite file (the test database is
in memory, invisible to another process) or, on PostgreSQL, a database of its
own created next to the test database and dropped afterwards.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from openrd.jobs.testing import TEST_REDIS_URL, kill_tree

ROOT = Path(__file__).resolve().parents[4]
# A bound on waiting, not a timing: a worker process starts Django, and the other
# test worker may be busy with a browser at the same moment.
DEADLINE = 30.0
TASKS_TABLE = DBTaskResult._meta.db_table


def _env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ, "OPENRD_VAR_DIR": str(tmp_path), "OPENRD_TASKS_BACKEND": "database",
        "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "openrd.settings",
        "OPENRD_LOG_LEVEL": "WARNING", "OPENRD_REDIS_URL": TEST_REDIS_URL,
    }  # fmt: skip
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


@pytest.fixture
def worker_database(tmp_path):
    """(environment for the processes, a function running one SQL query)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path / "openrd.sqlite3"

        def query(sql, params=()):
            with closing(sqlite3.connect(path, timeout=5)) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()

        yield _env(tmp_path, None), query
        return
    import psycopg

    name = f"{db['NAME']}_crash_{os.getpid()}"
    admin = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"],
             "password": db["PASSWORD"], "dbname": "postgres", "autocommit": True}  # fmt: skip
    with psycopg.connect(**admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(os.environ["DATABASE_URL"])
    url = urlunsplit(parts._replace(path=f"/{name}"))

    def query(sql, params=()):
        with psycopg.connect(**{**admin, "dbname": name}) as conn:
            return conn.execute(sql, params).fetchall()

    try:
        yield _env(tmp_path, url), query
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env, *args):
    return subprocess.run(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    ).stdout  # fmt: skip


def _worker(env, worker_id):
    return subprocess.Popen(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, "manage.py", "run_worker", "--worker-id", worker_id,
         "--interval", "0.1", "--stale-after", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def _wait(condition, what):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def _start_job(env):
    # One process migrates and starts the job (each Django start costs a second).
    out = _run(env, "manage.py", "shell", "-v", "0", "-c",
               "from openrd.jobs.tests.crash_tasks import setup; print(setup())")  # fmt: skip
    return int(out.split()[-1])


def _kill_mid_way(env, query, job_id):
    """Start a worker, let it do part of the job, then SIGKILL its process group."""

    def job():
        return query("SELECT state, done FROM jobs_job WHERE id = %s", (job_id,))[0]

    first = _worker(env, "worker-one")
    try:
        _wait(lambda: job()[0] == "running" and job()[1] >= 2, "the first worker to be mid-way")
    finally:
        # With all it started (RQ's work horse), as on a lost machine.
        kill_tree(first.pid)
        first.wait(timeout=5)
    state, done = job()
    assert state == "running"
    assert 2 <= done < 8  # killed in the middle
    return job


def _finish_with_second_worker(env, query, job_id, job):
    second = _worker(env, "worker-two")
    try:
        _wait(lambda: job()[0] == "done", "the second worker to finish the job")
    finally:
        second.terminate()
        second.wait(timeout=10)
    assert second.returncode == 0  # stopped cleanly on SIGTERM
    finished = query(
        "SELECT COUNT(*) FROM core_auditentry WHERE action = 'jobs.finished' AND object_id = %s",
        (str(job_id),),
    )
    assert finished == [(1,)]
    assert job() == ("done", 8)


def test_a_task_killed_mid_way_runs_again_and_its_outcome_is_written_once(worker_database):
    env, query = worker_database
    job_id = _start_job(env)
    job = _kill_mid_way(env, query, job_id)
    _finish_with_second_worker(env, query, job_id, job)

    def task_status():
        return query(f"SELECT status FROM {TASKS_TABLE}")[0][0]  # noqa: S608  (a model's table)

    _wait(lambda: task_status() == "SUCCESSFUL", "the task to be marked successful")
    # Claimed by both workers: it did run twice, its effect happened once.
    ids = str(query(f"SELECT worker_ids FROM {TASKS_TABLE}")[0][0])  # noqa: S608
    assert "worker-one" in ids
    assert "worker-two" in ids


@pytest.fixture
def rq_database():
    """Redis database 5 (the tests' own), emptied before and after."""
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@pytest.mark.rq
def test_on_rq_a_job_abandoned_by_a_killed_worker_is_queued_again_and_done_once(
    worker_database, rq_database
):
    from django_tasks_rq.backend import Job
    from rq.queue import Queue

    from openrd.jobs.rq_recovery import REQUEUES_META, requeue_abandoned

    env, query = worker_database
    env = {**env, "OPENRD_TASKS_BACKEND": "rq"}
    job_id = _start_job(env)
    job = _kill_mid_way(env, query, job_id)

    queue = Queue("default", connection=rq_database, job_class=Job)
    # Its work horse is gone, but RQ counts it as running until its heartbeat
    # runs out (a minute at least): the recovery looks from a moment past that.
    assert requeue_abandoned([queue], max_requeues=3) == 0
    assert queue.started_job_registry.count == 1
    assert requeue_abandoned([queue], max_requeues=3, now=time.time() + 600) == 1
    assert queue.count == 1
    (rq_job,) = queue.get_jobs()
    assert rq_job.meta[REQUEUES_META] == 1

    _finish_with_second_worker(env, query, job_id, job)
    assert len(queue.finished_job_registry) == 1
    assert len(queue.failed_job_registry) == 0
