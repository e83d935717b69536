#!/usr/bin/env python3
"""The outbox under fire: notify() at volume while workers are killed with SIGKILL.

For each task backend (database: django-tasks-db; rq: Redis database 6, the only
one flushed), on a fresh database (a temporary SQLite file, or a database of its
own created with ``--database-url`` on a PostgreSQL server and dropped after):

- N recipients with an e-mail address; a real SMTP server (aiosmtpd, 127.0.0.1,
  free port) records the Message-ID of every message it accepts;
- notify() in batches inside transactions, so the outbox rows and the enqueued
  ``deliver_outbox`` tasks are the real ones; 2 workers (``manage.py run_worker``)
  run meanwhile, and every 3 s one of them is killed with SIGKILL (its whole
  process group, RQ's work horse included) and a new one started; ``deliver_due``
  is enqueued every few seconds, as the scheduler does, so the rows of a task
  that died with its worker go out too;
- when no outbox row is pending (or at the timeout): messages/s from the first
  notify() to the last message received, lost rows (never received: must be 0),
  duplicated Message-IDs (the at-least-once window of ADR 0019), kills.

A benchmark reports; it exits 1 only if a message was lost.

    .venv/bin/python bench/outbox_kill.py --quick
    .venv/bin/python bench/outbox_kill.py                       # 10,000 messages
    .venv/bin/python bench/outbox_kill.py --database-url postgres://u:p@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from common import fresh_postgres, print_machine  # bench/common.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://127.0.0.1:6379/6"  # the benchmark's own Redis database, flushed
RESULT = "RESULT "
PGIDS = "worker-pgids"
CONTEXT = {
    "title": {"ja": "量子センサの実証", "en": "Quantum sensor demonstration"},
    "call_title": {"ja": "SBIR公募", "en": "SBIR call"},
    "version": 1,
}


# --------------------------------------------------------------------------- #
# The parent: one child process per backend, then the table.


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="500 messages, a smoke run")
    parser.add_argument("--backends", default="database,rq", help="comma-separated")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per backend")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-every", type=float, default=3.0, help="seconds")
    parser.add_argument("--due-every", type=float, default=5.0, help="seconds between deliver_due")
    parser.add_argument("--batch", type=int, default=50, help="notify() calls per transaction")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.messages = 500
    if args.child:
        return child(args)

    print_machine()
    print(f"  messages   {args.messages} per backend, {args.workers} workers, one killed "
          f"(SIGKILL) every {args.kill_every:g} s, deliver_due every {args.due_every:g} s, "
          f"{args.batch} notify() per transaction")  # fmt: skip
    results: list[dict[str, Any]] = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        print(f"\n== {backend} ==", flush=True)
        results.append(run_child(args, backend))
    print()
    print_table(results)
    return 1 if any(r.get("lost", 1) for r in results if not r.get("skipped")) else 0


def run_child(args: argparse.Namespace, backend: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"openrd-bench-{backend}-") as workdir:
        command = [sys.executable, __file__, "--child", backend, "--workdir", workdir,
                   "--messages", str(args.messages), "--timeout", str(args.timeout),
                   "--workers", str(args.workers), "--kill-every", str(args.kill_every),
                   "--due-every", str(args.due_every), "--batch", str(args.batch),
                   "--seed", str(args.seed), "--database-url", args.database_url]  # fmt: skip
        proc = subprocess.Popen(  # noqa: S603  (this script, our own interpreter)
            command, cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        killer = threading.Timer(args.timeout + 180, lambda: proc.send_signal(signal.SIGTERM))
        killer.start()
        result: dict[str, Any] = {"backend": backend, "skipped": "the run did not report"}
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith(RESULT):
                    result = json.loads(line[len(RESULT) :])
                else:
                    print(f"  {line}", end="", flush=True)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        finally:
            killer.cancel()
            # Workers the child could not stop (it was killed itself): by their group id.
            pgids = Path(workdir, PGIDS)
            if proc.returncode != 0 and pgids.exists():
                for pgid in {int(x) for x in pgids.read_text().split()}:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(pgid, signal.SIGKILL)
        return result


def print_table(results: list[dict[str, Any]]) -> None:
    rows = [
        ("database", lambda r: r["database"]),
        ("messages (outbox rows)", lambda r: r["rows"]),
        ("received (distinct)", lambda r: r["received_distinct"]),
        ("messages/s", lambda r: f"{r['rate']:.1f}"),
        ("first notify → last received", lambda r: f"{r['elapsed']:.1f} s"),
        ("notify() phase", lambda r: f"{r['notify_seconds']:.1f} s"),
        ("lost", lambda r: r["lost"]),
        ("duplicated Message-IDs", lambda r: r["duplicated"]),
        ("extra copies received", lambda r: r["extra_copies"]),
        ("left pending / failed", lambda r: f"{r['pending']} / {r['failed']}"),
        ("kills (SIGKILL)", lambda r: r["kills"]),
        ("workers that died on their own", lambda r: r["crashes"]),
        ("notify batches retried", lambda r: r["retries"]),
        ("deliver_due enqueued", lambda r: r["due_runs"]),
        ("finished", lambda r: "yes" if r["finished"] else "TIMEOUT"),
    ]
    head = ["", *[r["backend"] for r in results]]
    table = [head]
    for label, get in rows:
        cells = [label]
        for r in results:
            if r.get("skipped"):
                cells.append("skipped" if label == "database" else "")
                continue
            cells.append(str(get(r)))
        table.append(cells)
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for n, row in enumerate(table):
        cells = zip(row, widths, strict=True)
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(cells)))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for r in results:
        if r.get("skipped"):
            print(f"{r['backend']}: skipped ({r['skipped']})")


# --------------------------------------------------------------------------- #
# The child: one backend, one fresh database, Django set up in this process.


class Recorder:
    """aiosmtpd handler: the Message-ID and arrival time of every accepted message."""

    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        headers = BytesHeaderParser().parsebytes(envelope.original_content)
        with self.lock:
            self.received.append((time.monotonic(), str(headers.get("Message-ID", "")).strip()))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pool:
    """The worker processes, each in its own process group (killed as a whole)."""

    def __init__(self, workdir: Path, size: int) -> None:
        self.workdir = workdir
        self.size = size
        self.procs: list[subprocess.Popen[bytes]] = []
        self.started = 0
        self.kills = 0
        self.crashes = 0
        self.logs: dict[int, Path] = {}
        self.lock = threading.Lock()

    def spawn(self) -> subprocess.Popen[bytes]:
        self.started += 1
        path = self.workdir / f"worker-{self.started}.log"
        log = path.open("wb")
        proc = subprocess.Popen(  # noqa: S603  (our own interpreter and manage.py)
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2",
             "--stale-after", "3", "--worker-id", f"bench-{self.started}"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        self.logs[proc.pid] = path
        with (self.workdir / PGIDS).open("a") as f:
            f.write(f"{proc.pid}\n")
        return proc

    def start(self) -> None:
        with self.lock:
            self.procs = [self.spawn() for _ in range(self.size)]

    def kill_one(self, rng: random.Random) -> None:
        with self.lock:
            from openrd.jobs.testing import kill_tree  # after django.setup() in child()

            i = rng.randrange(len(self.procs))
            # With all it started: RQ's work horse has a process group of its
            # own (setpgrp), so killing the worker's group would spare it.
            kill_tree(self.procs[i].pid)
            self.procs[i].wait()
            self.kills += 1
            self.procs[i] = self.spawn()

    def replace_dead(self) -> None:
        with self.lock:
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None:
                    self.crashes += 1
                    lines = self.logs[proc.pid].read_text(errors="replace").strip().splitlines()
                    last = lines[-1] if lines else "(no output)"
                    print(f"a worker exited on its own ({proc.returncode}): {last}", flush=True)
                    self.procs[i] = self.spawn()

    def stop(self) -> None:
        with self.lock:
            for proc in self.procs:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in self.procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            self.procs = []


def child(args: argparse.Namespace) -> int:
    backend = args.child
    workdir = Path(args.workdir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on the parent's stop
    drop_database = None
    redis_conn = None
    if backend == "rq":
        import redis

        redis_conn = redis.Redis.from_url(REDIS_URL)
        try:
            redis_conn.flushdb()
        except redis.exceptions.ConnectionError as exc:
            emit({"backend": backend, "skipped": f"no Redis at {REDIS_URL}: {exc}"})
            return 0
    port = free_port()
    os.environ.update({
        "OPENRD_VAR_DIR": str(workdir), "OPENRD_TASKS_BACKEND": backend,
        "OPENRD_REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "openrd.settings",
        "PYTHONPATH": str(ROOT / "src"), "OPENRD_DEBUG": "0",
        "OPENRD_SECRET_KEY": secrets.token_urlsafe(50),
        "OPENRD_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPENRD_SMTP_HOST": "127.0.0.1", "OPENRD_SMTP_PORT": str(port),
        "OPENRD_SMTP_TIMEOUT": "10", "OPENRD_MAIL_RETRY_BASE_SECONDS": "1",
        "OPENRD_LOG_LEVEL": "WARNING",
    })  # fmt: skip
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        url, drop_database = fresh_postgres(args.database_url, backend)
        os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT / "src"))

    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.db import OperationalError, connection, transaction

    from openrd.accounts.models import User
    from openrd.notifications.models import OutboxMessage, OutboxStatus
    from openrd.notifications.services import notify
    from openrd.notifications.tasks import deliver_due

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    pool = Pool(workdir, args.workers)
    rng = random.Random(args.seed)
    stop_killing = threading.Event()
    try:
        call_command("migrate", "--noinput", verbosity=0)
        connection.ensure_connection()
        vendor = connection.vendor
        if vendor == "sqlite":
            import sqlite3

            database = f"SQLite {sqlite3.sqlite_version}"
        else:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                database = f"PostgreSQL {cursor.fetchone()[0]}"
        info = f"backend {backend}, {database}"
        if redis_conn is not None:
            info += f", Redis {redis_conn.info('server')['redis_version']} ({REDIS_URL})"
        print(info, flush=True)

        users = []
        for n in range(args.messages):
            user = User(username=f"bench-{n:06d}", email=f"bench-{n:06d}@example.jp")
            user.set_unusable_password()
            users.append(user)
        User.objects.bulk_create(users, batch_size=1000)
        recipients = list(User.objects.filter(username__startswith="bench-").order_by("pk"))
        controller.start()
        pool.start()
        wait_for_workers(backend, args.workers, redis_conn)
        print(f"{len(recipients)} recipients, SMTP on 127.0.0.1:{port}, "
              f"{args.workers} workers", flush=True)  # fmt: skip

        def killer() -> None:
            while not stop_killing.wait(args.kill_every):
                pool.replace_dead()
                pool.kill_one(rng)

        killing = threading.Thread(target=killer, name="killer", daemon=True)
        retries = 0
        due_runs = 0
        deadline = time.monotonic() + args.timeout
        first_notify = time.monotonic()
        next_due = first_notify + args.due_every
        killing.start()

        def enqueue_due_if_time() -> None:
            nonlocal next_due, due_runs
            if time.monotonic() >= next_due:
                deliver_due.enqueue()
                due_runs += 1
                next_due = time.monotonic() + args.due_every

        for start in range(0, len(recipients), args.batch):
            chunk = recipients[start : start + args.batch]
            while True:
                try:
                    with transaction.atomic():
                        for user in chunk:
                            notify([user], "proposal.submitted", CONTEXT)
                    break
                except OperationalError:  # "database is locked": nothing was written
                    retries += 1
                    time.sleep(0.05)
            enqueue_due_if_time()
            if time.monotonic() > deadline:
                break
        notify_seconds = time.monotonic() - first_notify
        print(f"notify() done in {notify_seconds:.1f} s; delivering", flush=True)

        finished = False
        last_print = time.monotonic()
        while time.monotonic() < deadline:
            pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
            if pending == 0:
                finished = True
                break
            if time.monotonic() - last_print >= 10:
                print(f"{pending} pending, {pool.kills} kills", flush=True)
                last_print = time.monotonic()
            enqueue_due_if_time()
            time.sleep(0.2)
        stop_killing.set()
        killing.join(timeout=30)
        time.sleep(0.5)  # a reply still on its way
        with recorder.lock:
            received = list(recorder.received)

        rows = list(OutboxMessage.objects.only("pk", "status"))
        expected = {row.message_id for row in rows}
        counts = Counter(mid for _, mid in received)
        first_seen: dict[str, float] = {}
        for moment, mid in received:
            first_seen.setdefault(mid, moment)
        got = [mid for mid in expected if mid in counts]
        last = max((first_seen[m] for m in got), default=first_notify)
        elapsed = max(last - first_notify, 1e-9)
        statuses = Counter(row.status for row in rows)
        emit({
            "backend": backend, "database": database, "rows": len(rows),
            "received_distinct": len(got), "rate": len(got) / elapsed, "elapsed": elapsed,
            "notify_seconds": notify_seconds,
            # Rows never received, and messages whose notify() never ran (a timeout).
            "lost": args.messages - len(got),
            "duplicated": sum(1 for m in got if counts[m] > 1),
            "extra_copies": sum(counts[m] - 1 for m in got),
            "unknown_ids": sum(1 for m in counts if m not in expected),
            "pending": statuses.get(OutboxStatus.PENDING, 0),
            "failed": statuses.get(OutboxStatus.FAILED, 0),
            "kills": pool.kills, "crashes": pool.crashes, "retries": retries,
            "due_runs": due_runs, "finished": finished,
        })  # fmt: skip
        return 0
    finally:
        stop_killing.set()
        pool.stop()
        with contextlib.suppress(Exception):
            controller.stop()
        connection.close()
        if drop_database is not None:
            drop_database()
        if redis_conn is not None:
            redis_conn.flushdb()


def wait_for_workers(backend: str, size: int, redis_conn: Any, seconds: float = 60.0) -> None:
    """Until the first workers are up (a Django start takes a second or two)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if backend == "rq":
            from rq import Worker

            ready = Worker.count(connection=redis_conn)
        else:
            from openrd.jobs.models import WorkerBeat

            ready = WorkerBeat.objects.count()
        if ready >= size:
            return
        time.sleep(0.1)


def emit(result: dict[str, Any]) -> None:
    print(RESULT + json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
