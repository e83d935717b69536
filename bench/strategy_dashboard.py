#!/usr/bin/env python3
"""The strategy dashboard at scale: p50/p95 of every dashboard query, 100,000 to 1,000,000 awards.

On a fresh database (a temporary SQLite file, or with ``--database-url`` a
database of its own on that PostgreSQL server, dropped afterwards) with the
reference organisations, the program presets and the shipped strategies, the
script generates the records the computed indicators read, in steps that grow
the same database (default 100,000 → 300,000 → 1,000,000 awards):

- awards over the eight programs and the fiscal years 2018–2027, each from a
  call of its program and year, at 2,000 institutions (45 % startups or SMEs;
  most of SBIR's, the accelerator's and GSUC's awards go to them), with 1–5
  budget lines (one per fiscal year);
- per award its selected proposal and on average ``--rejected`` more (most
  rejected, some waitlisted, some never submitted), each decided proposal with
  its selection;
- ``--outputs-per-award`` repository outputs per award (3: 3,000,000 at the top):
  articles, datasets (some the back data of an article) and others, in every
  deposit state and every compliance state (open with its accepted manuscript,
  gold OA, an exception reported, embargoed, metadata only or restricted; a
  new version of some), with their files.

Rows are written with COPY on PostgreSQL and ``executemany`` on SQLite. After
each step the tables are analysed (VACUUM ANALYZE on PostgreSQL) and every
dashboard query is measured: one warm-up call, then ``--repeat`` calls (3 when
the warm-up took over 2 s, none more when it took over ``--slow``): each
computed metric of ``strategy.metrics.DEFINITIONS``, system-wide and for one
program; the refresh of the stored values (``strategy.metric_store``, once: the
bulk load sends no change signals); ``presenters.strategy_view`` (the
dashboard's data); ``presenters.indicator_view`` of each computed indicator; the
dashboard page, indicator pages, the SBIR and analyses pages and the API through
Django's test client; the dashboard again right after a write (every stored run
due); and the drill-downs (``metrics.awards_behind``' first page and whether there are more,
``metrics.outputs_behind``). Before all of them, the outputs the step added are
judged once (``repository.compliance_store``: the verdicts the OA share counts)
and the database analysed again.
Target: p95 ≤ 200 ms; a ``!`` marks a p95 above it.

    .venv/bin/python bench/strategy_dashboard.py --quick        # 2,000 and 5,000 awards
    .venv/bin/python bench/strategy_dashboard.py                # SQLite, 100k/300k/1M
    .venv/bin/python bench/strategy_dashboard.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/strategy_dashboard.py --scales 100k,300k --database-url ...

A benchmark reports; it does not fail.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from common import fresh_postgres, print_machine  # bench/common.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
RESULT = "RESULT "
TARGET_MS = 200.0
LABEL = 54  # the width of the tables' first column
FIRST_FY, LAST_FY = 2018, 2027
CHUNK = 10_000  # awards per transaction
# How the awards are spread over the programs (the presets' codes).
PROGRAM_WEIGHTS = {
    "sbir": 22, "moonshot": 15, "k_program": 10, "sip": 12, "startup_accelerator": 10,
    "university_fund": 8, "regional_university": 13, "gsuc": 10,
}  # fmt: skip
STARTUP_PROGRAMS = {"sbir", "startup_accelerator", "gsuc"}
# The program a metric is also measured for (the one its indicators in the 2023 strategy use).
PROGRAM_OF = {"startup_sme_awards": "sbir", "startup_sme_spending_yen": "sbir"}
DEFAULT_PROGRAM = "moonshot"
BEHIND_FY = 2024  # the fiscal year of the drill-downs: one with many awards running
OA_FY = 2025  # the first fiscal year of the immediate-OA mandate
# Pages and API documents measured over HTTP (indicators of each kind of metric).
PAGE_INDICATORS = ["moonshot-award-budget", "sbir-startup-spending", "startups-funded",
                   "oa-share-mandated"]  # fmt: skip


def scale(text: str) -> int:
    """100000, 100k, 1M, 1_000_000."""
    text = text.strip().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales", default="100k,300k,1M", help="awards after each step, growing (100k,300k,1M)"
    )
    parser.add_argument("--outputs-per-award", type=int, default=3)
    parser.add_argument(
        "--rejected", type=float, default=1.0, help="other proposals per award, on average"
    )
    parser.add_argument(
        "--repeat", type=int, default=20, help="measured calls per item (after one warm-up)"
    )
    parser.add_argument(
        "--slow", type=float, default=20.0,
        help="seconds: an item whose warm-up took longer is not repeated (the warm-up counts)",
    )  # fmt: skip
    parser.add_argument(
        "--call-timeout", type=float, default=600.0,
        help="seconds one call may take; an item expected to take longer at the next step "
        "is skipped",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=4 * 3600.0, help="seconds for the whole run"
    )
    parser.add_argument(
        "--memory-limit-gib", type=float, default=0.0,
        help="address space of the measuring process (default: 60 %% of the RAM)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="2,000 and 5,000 awards, 3 calls")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (else SQLite)")
    parser.add_argument("--only", default="", help="measure only the items whose label has this")
    parser.add_argument(
        "--explain", action="store_true",
        help="print the plan of the slowest statement of each item above the target",
    )  # fmt: skip
    parser.add_argument(
        "--keep-database", action="store_true",
        help="leave the PostgreSQL database in place (its URL is printed), to EXPLAIN",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.scales, args.repeat = "2000,5000", 3
    args.steps = sorted({scale(s) for s in args.scales.split(",") if s.strip()})
    if args.child:
        return child(args)

    print_machine()
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"  data       {', '.join(f'{n:,}' for n in args.steps)} awards ({backend}); "
          f"{args.outputs_per_award} outputs and {1 + args.rejected:g} proposals per award; "
          f"{args.repeat} calls per item", flush=True)  # fmt: skip
    results = run_child(args)
    print()
    print_table(results)
    return 0


def run_child(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The measuring process, on a database this process makes and drops; its results."""
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="openrd-bench-strategy-") as workdir:
        env = os.environ | {"OPENRD_VAR_DIR": workdir}
        env.pop("DATABASE_URL", None)
        drop = None
        if args.database_url:
            try:
                url, drop = fresh_postgres(args.database_url, "strategy")
            except Exception as exc:  # any reason the server is unusable is reported
                print(f"no PostgreSQL: {exc}")
                return results
            env["DATABASE_URL"] = url
        command = [sys.executable, __file__, "--child", *sys.argv[1:]]
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=60)
            if proc.poll() is None:
                proc.kill()

        timer = threading.Timer(args.timeout, stop)
        timer.daemon = True
        timer.start()
        previous = signal.signal(signal.SIGTERM, lambda *_: stop())
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith(RESULT):
                    results.append(json.loads(line[len(RESULT) :]))
                else:
                    print(line, end="", flush=True)
            proc.wait()
        finally:
            timer.cancel()
            signal.signal(signal.SIGTERM, previous)
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            if stopped.is_set():
                print(f"\nstopped after --timeout {args.timeout:.0f} s", flush=True)
            if drop is not None and args.keep_database:
                print(f"kept: {env['DATABASE_URL']}", flush=True)
            elif drop is not None:
                drop()
    return results


def cell(row: dict[str, Any] | None) -> str:
    if row is None:
        return "—"
    if "note" in row:
        return row["note"]
    mark = " !" if row["p95"] > TARGET_MS and not row.get("job") else "  "
    runs = "" if row["runs"] > 3 else f" ×{row['runs']}"
    return f"{fmt_ms(row['p50'])} / {fmt_ms(row['p95'])}{mark} ({row['queries']}){runs}"


def fmt_ms(ms: float) -> str:
    return f"{ms:7.1f}" if ms < 10_000 else f"{ms / 1000:6.0f}s"


def print_table(results: list[dict[str, Any]]) -> None:
    if not results:
        print("no results")
        return
    database = results[0]["database"]
    width = 30
    labels: list[str] = []
    for r in results:
        labels += [label for label in r["rows"] if label not in labels]
    heads = "".join(f" | {f'{r["awards"]:,} awards':^{width}}" for r in results)
    print(f"{database + ': p50 / p95 ms (queries)':<{LABEL}}{heads}")
    print("-" * (LABEL + (width + 3) * len(results)))
    for label in labels:
        cells = "".join(f" | {cell(r['rows'].get(label)):>{width}}" for r in results)
        print(f"{label:<{LABEL}}{cells}")
    print(f"\n! = p95 above the {TARGET_MS:.0f} ms target; ×n = only n calls measured "
          "(the item is slow)")  # fmt: skip
    print(f"\n{database}: time in SQL, p50 ms (the rest is Python: ORM rows, rules, templates)")
    heads = "".join(f" | {f'{r["awards"]:,}':>12}" for r in results)
    print(f"{'':<{LABEL}}{heads}")
    for label in labels:
        cells = ""
        for r in results:
            row = r["rows"].get(label)
            sql = "—" if row is None or "note" in row else fmt_ms(row["sql_p50"])
            cells += f" | {sql:>12}"
        print(f"{label:<{LABEL}}{cells}")
    print()
    for r in results:
        counts = ", ".join(f"{n:,} {what}" for what, n in r["counts"].items())
        print(f"{r['awards']:,} awards: {counts}; loaded in {r['load_seconds']:.0f} s "
              f"(this step {r['step_seconds']:.0f} s), database {r['db_mib']:,.0f} MiB, "
              f"measured in {r['measure_seconds']:.0f} s")  # fmt: skip


def emit(result: dict[str, Any]) -> None:
    print(RESULT + json.dumps(result), flush=True)


# --------------------------------------------------------------------------- #
# The child: the data, step by step, and the measurements after each step.


def child(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "openrd.settings", "PYTHONPATH": str(ROOT / "src"),
        "OPENRD_DEBUG": "0", "OPENRD_SECRET_KEY": secrets.token_urlsafe(50),
        "OPENRD_LOG_LEVEL": "ERROR", "OPENRD_ALLOWED_HOSTS": "testserver",
        "OPENRD_TASKS_BACKEND": "database",
    })  # fmt: skip
    limit_memory(args.memory_limit_gib)
    sys.path.insert(0, str(ROOT / "src"))
    # No collectstatic here: WhiteNoise's note that the static folder is missing is noise.
    warnings.filterwarnings("ignore", message="No directory at")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # The test client speaks plain HTTP; the production redirects are not measured.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    try:
        call_command("migrate", "--noinput", verbosity=0)
        if connection.vendor == "sqlite":
            database = f"SQLite {__import__('sqlite3').sqlite_version}"
        else:
            number = connection.cursor().connection.info.server_version
            database = f"PostgreSQL {number // 10000}.{number % 10000}"
        print(f"  database   {database}", flush=True)
        loader = Loader(args)
        loader.reference()
        previous: dict[str, Any] | None = None
        load_seconds = 0.0
        for awards in args.steps:
            started = time.perf_counter()
            loader.grow(awards)
            step_seconds = time.perf_counter() - started
            load_seconds += step_seconds
            print(f"{awards:,} awards loaded in {step_seconds:.0f} s; analysing…", flush=True)
            analyze()
            started = time.perf_counter()
            rows = measure(args, awards, previous)
            result = {
                "database": database, "awards": awards, "counts": loader.counts(),
                "load_seconds": load_seconds, "step_seconds": step_seconds,
                "db_mib": database_bytes() / 2**20, "rows": rows,
                "measure_seconds": time.perf_counter() - started,
            }  # fmt: skip
            emit(result)
            previous = result
    finally:
        connection.close()
    return 0


def limit_memory(gib: float) -> None:
    """A MemoryError in this process rather than the machine's out-of-memory killer."""
    if not gib:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        gib = 0.6 * pages / 2**30
    limit = int(gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    print(f"  memory     {gib:.1f} GiB address space for the measuring process", flush=True)


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def database_bytes() -> int:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    name = Path(connection.settings_dict["NAME"])
    return sum(p.stat().st_size for p in name.parent.glob(name.name + "*"))


class Table:
    """Rows of a model written as tuples of some columns, the others at their
    defaults: COPY on PostgreSQL, executemany on SQLite. Ids are given."""

    def __init__(self, model: Any, columns: list[str], now: datetime) -> None:
        from django.db import connection

        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        assert not unknown, f"{model.__name__} has no {unknown}"
        rest = [f for name, f in fields.items() if name not in columns]
        constants = []
        for f in rest:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            value = now if auto else f.get_default()
            value = f.get_db_prep_save(value, connection)
            if isinstance(value, str):
                value = str(value)  # a TextChoices member: its value
            constants.append(value)
        self.constants = tuple(constants)
        names = [fields[c].column for c in columns] + [f.column for f in rest]
        self.table = model._meta.db_table
        self.names = ", ".join(f'"{n}"' for n in names)
        self.pg = connection.vendor == "postgresql"
        self.placeholders = ", ".join(["%s"] * len(names))
        self.written = 0

    def write(self, rows: Iterable[tuple[Any, ...]]) -> None:
        from django.db import connection

        constants = self.constants
        with connection.cursor() as cursor:
            if self.pg:
                copy_sql = f'COPY "{self.table}" ({self.names}) FROM STDIN'
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row + constants)
                        self.written += 1
            else:
                batch = [row + constants for row in rows]
                sql = f'INSERT INTO "{self.table}" ({self.names}) VALUES ({self.placeholders})'  # noqa: S608
                cursor.executemany(sql, batch)
                self.written += len(batch)


def next_id(model: Any) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


class Loader:
    """The reference data once, then awards and what hangs on them, step by step."""

    def __init__(self, args: argparse.Namespace) -> None:
        import random

        from django.db import connection

        self.args = args
        self.rng = random.Random(args.seed)
        self.awards = 0
        self.pg = connection.vendor == "postgresql"
        self.today = date.today()
        self.now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC: both backends read it so

    def reference(self) -> None:
        from django.core.management import call_command

        from openrd.accounts.models import Organisation, OrganisationKind, User
        from openrd.core.models import StoredFile
        from openrd.programs.models import Call, Program
        from openrd.review.models import ReviewRound

        started = time.perf_counter()
        for command in ("load_organisations", "load_presets", "load_strategy"):
            call_command(command, stdout=open(os.devnull, "w"))  # noqa: SIM115
        kinds = [OrganisationKind.UNIVERSITY] * 6 + [OrganisationKind.NATIONAL_LAB] * 2 + [
            OrganisationKind.COMPANY] * 6 + [OrganisationKind.STARTUP] * 6  # fmt: skip
        orgs = []
        for i in range(2000):
            kind = kinds[i % 20]
            sme = (i % 2 == 0) if kind == OrganisationKind.COMPANY else None
            orgs.append(Organisation(
                code=f"bench-org-{i:04}", kind=kind, is_sme=sme, name_ja=f"ベンチ機関{i:04}",
                name_en=f"Bench org {i:04}",
            ))  # fmt: skip
        orgs = Organisation.objects.bulk_create(orgs)
        small = {OrganisationKind.STARTUP}
        self.startup_orgs = [o.pk for o in orgs if o.kind in small or o.is_sme]
        self.other_orgs = [o.pk for o in orgs if not (o.kind in small or o.is_sme)]
        people = User.objects.bulk_create(
            User(username=f"bench-{i:05}", name_ja=f"研究者{i:05}", password="!")  # noqa: S106
            for i in range(5000)
        )
        self.people = [u.pk for u in people]
        staff = User.objects.create(username="bench-staff", password="!")  # noqa: S106
        jst = Organisation.objects.get(code="jst")
        self.programs: dict[str, dict[str, Any]] = {}
        calls = []
        for program in Program.objects.filter(code__in=PROGRAM_WEIGHTS).prefetch_related(
            "agencies"
        ):
            agency = next(iter(program.agencies.all()), None) or jst
            self.programs[program.code] = {"id": program.pk, "agency": agency.pk, "calls": {}}
            for fy in range(FIRST_FY, LAST_FY + 1):
                for k in range(2):
                    opens = datetime(fy, 4, 1, 1, tzinfo=UTC) + timedelta(days=90 * k)
                    calls.append(Call(
                        program=program, agency=agency, code=f"bench-{program.code}-{fy}-{k}",
                        title_ja=f"{program.name_ja} {fy}年度 第{k + 1}回公募",
                        title_en=f"{program.name_en} FY{fy} call {k + 1}", opens_at=opens,
                        closes_at=opens + timedelta(days=60), fiscal_year=fy,
                        first_budget_year=fy, last_budget_year=fy + 4,
                        total_budget_yen=10_000_000_000, cap_per_proposal_yen=500_000_000,
                        status="closed" if opens + timedelta(days=60) < datetime.now(UTC)
                        else "open",
                    ))  # fmt: skip
        calls = Call.objects.bulk_create(calls)
        rounds = ReviewRound.objects.bulk_create(
            ReviewRound(call=c, name_ja="書面審査", name_en="Document review",
                        due_at=c.closes_at + timedelta(days=30), status="closed", created_by=staff)
            for c in calls
        )  # fmt: skip
        by_code = {p["id"]: code for code, p in self.programs.items()}
        for c, r in zip(calls, rounds, strict=True):
            entry = self.programs[by_code[c.program_id]]
            closes = c.closes_at.astimezone(UTC).replace(tzinfo=None)
            entry["calls"].setdefault(c.fiscal_year, []).append((c.pk, r.pk, closes))
        self.codes = list(PROGRAM_WEIGHTS)
        self.weights = [PROGRAM_WEIGHTS[c] for c in self.codes]
        self.subsidies()
        self.stored = StoredFile.objects.create(
            sha256="b" * 64, md5="c" * 32, size=2_345_678, content_type="application/pdf"
        ).pk
        self.tables()
        print(f"reference data in {time.perf_counter() - started:.1f} s", flush=True)

    def subsidies(self) -> None:
        """Where the strategy app counts specified subsidies (SBIR's spending target):
        the startup programs, for their owner, every fiscal year."""
        from django.apps import apps

        from openrd.programs.models import Program

        try:
            model = apps.get_model("strategy", "SpecifiedSubsidy")
        except LookupError:
            return
        model.objects.bulk_create(
            model(**{"fiscal_year": fy, "ministry_id": program.owner_id, "program": program,
                     "planned_yen": 5_000_000_000, "designated": program.code == "sbir"})
            for program in Program.objects.filter(code__in=STARTUP_PROGRAMS)
            for fy in range(FIRST_FY, LAST_FY + 1)
        )  # fmt: skip

    def tables(self) -> None:
        from openrd.awards.models import Award, AwardBudget
        from openrd.proposals.models import Proposal
        from openrd.repository.models import Output, OutputFile
        from openrd.review.models import Selection

        now = self.now.replace(tzinfo=UTC)  # the other columns' created_at and updated_at
        self.proposal = Table(Proposal, [
            "id", "call_id", "applicant_id", "institution_id", "agency_id", "status", "title_ja",
            "title_en", "first_submitted_at", "latest_submitted_at", "endorsed_submitted_at",
            "latest_title_ja", "endorsed_title_ja", "created_at", "updated_at",
        ], now)  # fmt: skip
        self.selection = Table(
            Selection, ["id", "round_id", "proposal_id", "status", "decided_at"], now
        )
        self.award = Table(Award, [
            "id", "grant_number", "program_id", "call_id", "proposal_id", "title_ja", "title_en",
            "pi_id", "pi_name_ja", "institution_id", "starts_on", "ends_on",
        ], now)  # fmt: skip
        self.budget = Table(AwardBudget, ["id", "award_id", "fiscal_year", "amount_yen"], now)
        self.output = Table(Output, [
            "id", "concept_id", "version_number", "is_latest", "award_id", "program_id",
            "funder_id", "institution_id", "kind", "resource_type", "title_ja", "doi",
            "journal_title", "accepted_on", "published_on", "peer_reviewed", "access_rights",
            "embargo_until", "oa_exception", "oa_exception_reported_on", "gold_oa", "supports_id",
            "status", "submitted_at", "published_at", "opened_at", "withdrawn_at",
            "withdrawal_reason", "datestamp", "created_at", "updated_at",
        ], now)  # fmt: skip
        self.file = Table(OutputFile, [
            "id", "output_id", "stored_id", "name", "access", "text_version", "key",
            "uploaded_at",
        ], now)  # fmt: skip

    def counts(self) -> dict[str, int]:
        from openrd.awards.models import Award, AwardBudget
        from openrd.proposals.models import Proposal
        from openrd.repository.models import Output, OutputFile
        from openrd.review.models import Selection

        return {"awards": Award.objects.count(), "budget lines": AwardBudget.objects.count(),
                "proposals": Proposal.objects.count(), "selections": Selection.objects.count(),
                "outputs": Output.objects.count(), "files": OutputFile.objects.count()}  # fmt: skip

    def grow(self, awards: int) -> None:
        from django.core.management.color import no_style
        from django.db import connection, transaction

        from openrd.awards.models import Award, AwardBudget
        from openrd.proposals.models import Proposal
        from openrd.repository.models import Output, OutputFile
        from openrd.review.models import Selection

        ids = {m: next_id(m) for m in (Award, AwardBudget, Proposal, Selection, Output, OutputFile)}
        started = time.perf_counter()
        first = self.awards
        while self.awards < awards:
            size = min(CHUNK, awards - self.awards)
            with transaction.atomic():
                self.chunk(size, ids)
            self.awards += size
            done = self.awards - first
            if done % 100_000 == 0 or self.awards == awards:
                rate = done / (time.perf_counter() - started)
                print(f"  {self.awards:>10,} awards ({rate:,.0f} awards/s with their rows)",
                      flush=True)  # fmt: skip
        if self.pg:
            models = [Award, AwardBudget, Proposal, Selection, Output, OutputFile]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)

    def chunk(self, size: int, ids: dict[Any, int]) -> None:
        """``size`` awards with their proposals, selections, budget lines, outputs, files."""
        import uuid

        from openrd.awards.models import Award, AwardBudget
        from openrd.proposals.models import Proposal
        from openrd.repository.models import Output, OutputFile
        from openrd.review.models import Selection

        rng, today, now = self.rng, self.today, self.now
        proposals: list[tuple[Any, ...]] = []
        selections: list[tuple[Any, ...]] = []
        awards: list[tuple[Any, ...]] = []
        budgets: list[tuple[Any, ...]] = []
        outputs: list[tuple[Any, ...]] = []
        files: list[tuple[Any, ...]] = []
        pid, sid, aid = ids[Proposal], ids[Selection], ids[Award]
        bid, oid, fid = ids[AwardBudget], ids[Output], ids[OutputFile]
        stored = self.stored
        codes = rng.choices(self.codes, self.weights, k=size)
        for n in range(size):
            code = codes[n]
            program = self.programs[code]
            fy = rng.randint(FIRST_FY, LAST_FY)
            call, round_, closes = rng.choice(program["calls"][fy])
            small = rng.random() < (0.85 if code in STARTUP_PROGRAMS else 0.15)
            pool = self.startup_orgs if small else self.other_orgs
            # The proposals of the call: the selected one, then the others.
            extra = int(self.args.rejected) + (rng.random() < self.args.rejected % 1)
            selected_pid = pid
            for k in range(1 + extra):
                applicant = rng.choice(self.people)
                institution = rng.choice(pool) if k == 0 else rng.choice(
                    self.startup_orgs if rng.random() < 0.4 else self.other_orgs)  # fmt: skip
                roll = rng.random()
                submitted = closes - timedelta(days=rng.randint(1, 30), minutes=rng.randrange(1440))
                title = f"ベンチ提案{pid}"
                if k > 0 and roll < 0.1:  # a draft never submitted
                    proposals.append((pid, call, applicant, institution, program["agency"],
                                      "draft", title, f"Proposal {pid}", None, None, None, "", "",
                                      submitted, submitted))  # fmt: skip
                else:
                    proposals.append((pid, call, applicant, institution, program["agency"],
                                      "endorsed", title, f"Proposal {pid}", submitted, submitted,
                                      submitted, title, title, submitted, submitted))  # fmt: skip
                    outcome = "selected" if k == 0 else ("waitlisted" if roll < 0.15
                                                         else "rejected")  # fmt: skip
                    selections.append((sid, round_, pid, outcome, closes + timedelta(days=45)))
                    sid += 1
                if k == 0:
                    award_institution, pi = institution, applicant
                pid += 1
            # The award, from the FY's second quarter, with one budget line per year.
            starts = date(fy, 7, 1) + timedelta(days=rng.randrange(240))
            years = rng.randint(1, 5)
            awards.append((aid, f"BENCH-{aid:08}", program["id"], call, selected_pid,
                           f"ベンチ課題{aid}", f"Bench project {aid}", pi, f"研究者{aid}",
                           award_institution, starts, date(fy + years, 3, 31)))  # fmt: skip
            for y in range(years):
                budgets.append((bid, aid, fy + y, rng.randrange(5, 500) * 1_000_000))
                bid += 1
            # Its outputs: the first an article (the one a dataset may be the back data of).
            first_output = oid
            renewed = aid % 16 == 0  # the second output has a new version: the third
            for pos in range(self.args.outputs_per_award):
                roll = rng.random()
                kind = "article" if pos == 0 or roll < 0.7 else ("dataset" if roll < 0.9
                                                                 else "other")  # fmt: skip
                concept, version, latest = oid, 1, True
                if renewed and pos == 1:
                    latest = False
                elif renewed and pos == 2:
                    concept, version = oid - 1, 2
                supports = first_output if kind == "dataset" and pos > 0 and roll < 0.8 else None
                published_on: date | None = starts + timedelta(days=rng.randint(90, 1500))
                assert published_on is not None
                accepted_on: date | None = published_on - timedelta(days=rng.randint(30, 200))
                if published_on > today:
                    published_on, accepted_on = None, today - timedelta(days=rng.randint(1, 90))
                base = datetime.combine(published_on or accepted_on or today, datetime.min.time())
                here = min(base + timedelta(days=rng.randint(0, 20), hours=rng.randrange(24)), now)
                deposit = rng.random()
                status = ("published" if deposit < 0.88 else "withdrawn" if deposit < 0.91
                          else "draft" if deposit < 0.95 else "submitted" if deposit < 0.98
                          else "curated")  # fmt: skip
                access, embargo, exception, reported, gold = "open", None, "", None, False
                file_access: str | None = "open"
                opened = None
                oa = rng.random()
                if status == "published":
                    if oa < 0.60:  # open, with its accepted manuscript
                        opened = here
                    elif oa < 0.68:  # open at the publisher
                        gold, file_access = True, None
                    elif oa < 0.74:  # immediate OA impossible, the reason reported
                        access, file_access = "embargoed", "embargoed"
                        exception = "publisher_embargo"
                        reported = (published_on or today) + timedelta(days=10)
                    elif oa < 0.86:
                        access, file_access = "embargoed", "embargoed"
                    elif oa < 0.95:
                        access, file_access = "metadata_only", None
                    else:
                        access, file_access = "restricted", "restricted"
                    if access == "embargoed":
                        embargo = (published_on or today) + timedelta(days=180 + rng.randrange(365))
                elif status != "withdrawn" and oa < 0.5:
                    file_access = None
                peer = kind == "article" and rng.random() < 0.85
                published_at = here if status in {"published", "withdrawn"} else None
                outputs.append((
                    oid, concept, version, latest, aid, program["id"], program["agency"],
                    award_institution, kind,
                    {"article": "journal_article", "dataset": "dataset"}.get(kind, "other"),
                    f"ベンチ成果{oid}", "" if kind != "article" else f"10.5555/bench.{oid}",
                    "Journal of Benchmarks" if kind == "article" else "", accepted_on,
                    published_on, peer, access, embargo, exception, reported, gold, supports,
                    status, here - timedelta(days=1) if status != "draft" else None,
                    published_at, opened, here if status == "withdrawn" else None,
                    "Duplicate" if status == "withdrawn" else "", published_at,
                    here - timedelta(days=2), here,
                ))  # fmt: skip
                if file_access is not None:
                    files.append((fid, oid, stored, f"aam-{oid}.pdf", file_access,
                                  "VoR" if oa < 0.12 else "AM", uuid.uuid4().hex,
                                  here - timedelta(days=2)))  # fmt: skip
                    fid += 1
                oid += 1
            aid += 1
        self.proposal.write(proposals)
        self.selection.write(selections)
        self.award.write(awards)
        self.budget.write(budgets)
        self.output.write(outputs)
        self.file.write(files)
        ids.update({Proposal: pid, Selection: sid, Award: aid, AwardBudget: bid, Output: oid,
                    OutputFile: fid})  # fmt: skip


# --------------------------------------------------------------------------- #
# What is measured.


class CallTimeout(Exception):
    pass


@dataclass
class Item:
    """One thing measured: ``call`` what the dashboard does; ``setup`` runs before
    each call, off the clock; ``once``: measured once and never skipped (the
    refresh of the stored values, which the reads after it need)."""

    label: str
    call: Callable[[], Any]
    setup: Callable[[], Any] | None = None
    once: bool = False


def items() -> list[Item]:
    """Everything measured, in the table's order."""
    from django.test import Client
    from django.urls import Resolver404, resolve

    from openrd.programs.models import Program
    from openrd.strategy import metrics, presenters
    from openrd.strategy.models import Indicator, Strategy

    try:
        from openrd.strategy import metric_store
    except ImportError:  # indicators computed on every read
        metric_store = None  # type: ignore[assignment]
    programs = {p.code: p for p in Program.objects.all()}
    client = Client()
    out: list[Item] = []
    try:
        from openrd.repository import compliance_store
    except ImportError:  # each output judged on every read
        compliance_store = None  # type: ignore[assignment]
    if compliance_store is not None:
        # The bulk load sent no signals: the step's new outputs wait for a verdict.
        def judge() -> None:
            started = time.perf_counter()
            done = compliance_store.judge_unjudged()
            seconds = time.perf_counter() - started
            print(f"    judged {done:,} outputs in {seconds:.1f} s "
                  f"({done / seconds if seconds else 0:,.0f}/s)", flush=True)  # fmt: skip

        out.append(Item("judge the new outputs (compliance store)", judge, once=True))
        # Judging rewrote every new output's row: analysed again (VACUUM ANALYZE on
        # PostgreSQL) as after the load, so the counts read the verdicts' indexes alone.
        out.append(Item("analyse after judging", analyze, once=True))
    # What computing each metric costs (on every read without a store; in the
    # store's refresh with one).
    for code, metric in metrics.DEFINITIONS.items():
        program = programs[PROGRAM_OF.get(code, DEFAULT_PROGRAM)]
        out.append(Item(f"metric {code}", partial(metric.compute, None)))
        out.append(Item(f"metric {code} ({program.code})", partial(metric.compute, program)))
    computed = presenters.with_indicators(Indicator.objects.exclude(computed="")).order_by("code")
    pairs = sorted({(i.computed, i.program_id) for i in computed}, key=lambda p: (p[0], p[1] or 0))
    by_id = {p.pk: p for p in programs.values()}
    every_metric = set(metrics.DEFINITIONS)
    if metric_store is not None:

        def refresh() -> None:
            """What ``refresh_metrics`` and the nightly job do: every computed
            indicator's run recomputed (the bulk load sent no change signals)."""
            for code, program_id in pairs:
                started = time.perf_counter()
                program = by_id[program_id] if program_id is not None else None
                metric_store.refresh(code, program)
                scope = program.code if program else "*"
                print(f"    store refresh {code}[{scope}]: {time.perf_counter() - started:.2f} s",
                      flush=True)  # fmt: skip

        out.append(Item(f"store refresh: all {len(pairs)} computed indicators", refresh,
                        once=True))  # fmt: skip
    strategy = Strategy.objects.get(year=2023)
    out.append(Item("strategy_view (2023, the dashboard's data)",
                    partial(presenters.strategy_view, strategy)))  # fmt: skip
    for indicator in computed:
        out.append(Item(f"indicator_view {indicator.code}",
                        partial(presenters.indicator_view, indicator)))  # fmt: skip

    def get(url: str) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}")
            return response

        return call

    pages = [("page /ja/strategy/2023/", "/ja/strategy/2023/")]
    pages += [(f"page indicator {c}", f"/ja/strategy/indicators/{c}/") for c in PAGE_INDICATORS]
    pages += [("API GET /api/v1/strategy/2023", "/api/v1/strategy/2023")]
    pages += [(f"API GET /api/v1/indicators/{c}", f"/api/v1/indicators/{c}")
              for c in PAGE_INDICATORS]  # fmt: skip
    # The other command-tower pages, where the strategy app has them.
    pages += [(f"page /ja/strategy/sbir/{BEHIND_FY}/", f"/ja/strategy/sbir/{BEHIND_FY}/"),
              (f"API GET /api/v1/strategy/sbir/{BEHIND_FY}", f"/api/v1/strategy/sbir/{BEHIND_FY}"),
              (f"page /ja/strategy/analysis/?fy={BEHIND_FY}",
               f"/ja/strategy/analysis/?fy={BEHIND_FY}")]  # fmt: skip
    for label, url in pages:
        with contextlib.suppress(Resolver404):
            resolve(url.split("?")[0])
            out.append(Item(label, get(url)))
    if metric_store is not None:
        # Right after a write to the records (the runs marked due, as the change
        # signals do): quick runs are recomputed by the reader, the others served stale.
        def dirty() -> None:
            metric_store.mark_dirty(every_metric)

        due: list[tuple[str, Callable[[], Any]]] = [
            ("strategy_view", partial(presenters.strategy_view, strategy)),
            ("page /ja/strategy/2023/", get("/ja/strategy/2023/")),
            ("API GET /api/v1/strategy/2023", get("/api/v1/strategy/2023")),
        ]
        for label, call in due:
            out.append(Item(f"{label}, runs due", call, setup=dirty))
    for code in ("award_count", "award_budget_yen", "startup_sme_awards",
                 "startup_sme_spending_yen", "sbir_spending_yen"):  # fmt: skip
        if code not in metrics.DEFINITIONS:
            continue
        for scope in (None, programs[PROGRAM_OF.get(code, DEFAULT_PROGRAM)]):

            def behind(c: str = code, p: Any = scope) -> Any:
                rows = metrics.awards_behind(c, p, BEHIND_FY)
                assert rows is not None
                return list(rows[:201])  # what the indicator page reads: 200 and one more

            where = f" ({scope.code})" if scope else ""
            out.append(Item(f"awards_behind {code}{where} FY{BEHIND_FY}", behind))
    outputs_behind = getattr(metrics, "outputs_behind", None)
    if outputs_behind is not None:  # the OA share's drill-down
        out.append(Item(f"outputs_behind FY{OA_FY}", partial(outputs_behind, None, OA_FY)))
    return out


def timed(item: Item, limit: float) -> tuple[float, float, int, list[dict[str, str]]]:
    """(ms, ms in SQL, queries, the queries) of one call, interrupted after ``limit`` s."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def alarm(*_: Any) -> None:
        raise CallTimeout

    if item.setup is not None:
        item.setup()
    # The log keeps 9,000 queries and is emptied only as a request starts (never
    # while captured): emptied here, so that every call's queries are counted.
    connection.queries_log.clear()
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, 0 if item.once else limit)
    try:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            item.call()
            ms = (time.perf_counter() - started) * 1000
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    queries = list(captured.captured_queries)
    sql = sum(float(q["time"]) for q in queries) * 1000
    return ms, sql, len(queries), queries


def expected_seconds(label: str, awards: int, previous: dict[str, Any] | None) -> float:
    """What the item should take at ``awards``, from the step before (0: unknown)."""
    if previous is None:
        return 0.0
    before = previous["rows"].get(label)
    if before is None:
        return 0.0
    if "p50" not in before and "expected_ms" not in before:
        return float("inf")  # it failed or was stopped at the smaller step
    growth = awards / previous["awards"]
    return float(before.get("p50") or before.get("expected_ms", 0)) * growth / 1000


def measure(
    args: argparse.Namespace, awards: int, previous: dict[str, Any] | None
) -> dict[str, Any]:
    import gc

    from django.db import connection

    rows: dict[str, Any] = {}
    plans: dict[str, str] = {}
    for item in items():
        label = item.label
        if args.only not in label:
            continue
        expected = expected_seconds(label, awards, previous)
        if expected > args.call_timeout and not item.once:
            rows[label] = {"note": f"skipped (~{expected:,.0f} s)", "expected_ms": expected * 1000}
            print(f"  {label:<52} skipped: ~{expected:,.0f} s expected", flush=True)
            continue
        try:
            first, sql, queries, captured = timed(item, args.call_timeout)
            if item.once:
                repeat = 0
            else:
                repeat = args.repeat if first <= 2000 else (3 if first <= args.slow * 1000 else 0)
            times, sqls = ([first], [sql]) if repeat == 0 else ([], [])
            spent = first / 1000
            for _ in range(repeat):
                ms, sql, queries, captured = timed(item, args.call_timeout)
                times.append(ms)
                sqls.append(sql)
                spent += ms / 1000
                if spent > max(args.slow * 3, 60) and len(times) >= 3:
                    break
        except CallTimeout:
            rows[label] = {"note": f"> {args.call_timeout:.0f} s"}
            print(f"  {label:<52} stopped after {args.call_timeout:.0f} s", flush=True)
            connection.close()
            continue
        except MemoryError:
            gc.collect()
            rows[label] = {"note": "out of memory"}
            print(f"  {label:<52} MemoryError", flush=True)
            connection.close()
            continue
        except Exception as exc:  # reported, and the next item measured
            text = str(exc)
            note = f"error: {type(exc).__name__}"
            if "out of memory" in text:  # libpq's, for a result too large
                note = "out of memory"
            elif text.startswith("HTTP "):
                note = text
            rows[label] = {"note": note}
            print(f"  {label:<52} {type(exc).__name__}: {exc}", flush=True)
            connection.close()
            continue
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        row = {"p50": statistics.median(times), "p95": p95, "queries": queries,
               "sql_p50": statistics.median(sqls), "runs": len(times), "first": first,
               "job": item.once}  # fmt: skip
        rows[label] = row
        mark = " !" if p95 > TARGET_MS and not item.once else ""
        print(f"  {label:<52} p50 {row['p50']:9.1f} ms  p95 {p95:9.1f} ms{mark}  "
              f"sql {row['sql_p50']:8.1f} ms  {queries} queries  ×{len(times)}",
              flush=True)  # fmt: skip
        if args.explain and p95 > TARGET_MS and captured and not item.once:
            slowest = max(captured, key=lambda q: float(q["time"]))
            if float(slowest["time"]) * 1000 > TARGET_MS / 4 and slowest["sql"] not in plans:
                plans[slowest["sql"]] = label
                explain(label, slowest["sql"])
    return rows


def explain(label: str, sql: str) -> None:
    from django.db import connection

    print(f"\n  plan of the slowest statement of {label!r} "
          f"({len(sql):,} characters of SQL):\n    {shorten(sql)}", flush=True)  # fmt: skip
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else (
        "EXPLAIN QUERY PLAN ")  # fmt: skip
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            for line in cursor.fetchall():
                print("    " + " ".join(str(x) for x in line), flush=True)
    except Exception as exc:  # a plan is a bonus; the numbers stand without it
        print(f"    (no plan: {exc})", flush=True)
        connection.close()
    print(flush=True)


def shorten(sql: str, limit: int = 600) -> str:
    sql = re.sub(r"\s+", " ", sql)
    return sql if len(sql) <= limit else sql[: limit // 2] + " … " + sql[-limit // 2 :]


if __name__ == "__main__":
    raise SystemExit(main())
