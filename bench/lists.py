#!/usr/bin/env python3
"""The lists at scale: p50/p95 and query counts of every list page and API list.

On a fresh database (a temporary SQLite file, or with ``--database-url`` a
database of its own on that PostgreSQL server, dropped afterwards), with
``bulk_create``:

- the reference organisations and program presets, 2,000 calls (most open, some
  upcoming or closed), 200 institutions, 2,000 researchers, 100,000 proposals
  (half drafts; the others with a submitted version, a fifth endorsed), 20,000
  audit entries;
- three readers: a researcher with 30 proposals, the officer of the largest
  institution, and the staff of the agency running half of the calls.

Then every list is asked for ``--repeat`` times in process (Django's test
client: middleware, query, template) — the first page, a deep page, a search and
a sort — and each API list (first page, a page deep in the results by cursor, a
search), and the dashboard. Each is measured twice on the same data: with the
list indexes (the migrations ``*_list_indexes``), then with them dropped, so the
table shows what they buy. Target: p95 ≤ 100 ms.

    .venv/bin/python bench/lists.py --quick                       # small, a smoke run
    .venv/bin/python bench/lists.py                               # 100,000 proposals
    .venv/bin/python bench/lists.py --database-url postgres://u:p@127.0.0.1/postgres

A benchmark reports; it does not fail.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from common import fresh_postgres, print_machine  # bench/common.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
RESULT = "RESULT "
# The indexes the list migrations add, by table: dropped for the "before" run.
LIST_INDEXES = {
    "programs_call": ["call_list_status_deadline", "call_list_program_deadline"],
    "proposals_proposal": [
        "proposal_list_applicant",
        "proposal_list_institution",
        "proposal_list_call_updated",
        "proposal_list_inst_submitted",
        "proposal_list_agency",
    ],
    "proposals_proposalversion": ["proposalversion_list_latest"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=2_000)
    parser.add_argument("--audit", type=int, default=20_000)
    parser.add_argument(
        "--repeat", type=int, default=20, help="requests per URL (after one warm-up)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="2,000 proposals, 200 calls, 3 requests"
    )
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (besides SQLite)")
    parser.add_argument(
        "--only", default="", help="measure only the lists whose label contains this text"
    )
    parser.add_argument(
        "--no-sqlite", action="store_true", help="with --database-url, PostgreSQL alone"
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="leave the PostgreSQL database in place (its name is printed), to EXPLAIN",
    )
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.proposals, args.calls, args.audit, args.repeat = 2_000, 200, 1_000, 3
    if args.child:
        return child(args)

    print_machine()
    print(f"  data       {args.proposals:,} proposals, {args.calls:,} calls, "
          f"{args.audit:,} audit entries; {args.repeat} requests per URL")  # fmt: skip
    results: list[dict[str, Any]] = []
    backends = ([] if args.no_sqlite and args.database_url else ["sqlite"]) + (
        ["postgresql"] if args.database_url else []
    )
    for backend in backends:
        print(f"\n== {backend} ==", flush=True)
        results.append(run_child(args, backend))
    print()
    print_table(results)
    return 0


def run_child(args: argparse.Namespace, backend: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="openrd-bench-lists-") as workdir:
        command = [sys.executable, __file__, "--child", backend, "--workdir", workdir,
                   "--proposals", str(args.proposals), "--calls", str(args.calls),
                   "--audit", str(args.audit), "--repeat", str(args.repeat),
                   "--only", args.only]  # fmt: skip
        if args.keep_database:
            command.append("--keep-database")
        if backend == "postgresql":
            command += ["--database-url", args.database_url]
        # Streamed, so a long load shows its progress.
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # noqa: S603
        result = None
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(RESULT):
                result = json.loads(line[len(RESULT) :])
            else:
                print(line, end="", flush=True)
        proc.wait()
        if result is not None:
            return result
        return {"backend": backend, "skipped": f"the run failed ({proc.returncode})"}


def print_table(results: list[dict[str, Any]]) -> None:
    done = [r for r in results if not r.get("skipped")]
    for r in results:
        if r.get("skipped"):
            print(f"{r['backend']}: skipped: {r['skipped']}")
    if not done:
        return
    labels = list(done[0]["rows"])
    heads = "".join(f" | {r['database'][:34]:^34}" for r in done)
    print(f"{'p95/p50 ms (queries); with indexes / without':<44}{heads}")
    print("-" * (44 + 37 * len(done)))
    for label in labels:
        cells = ""
        for r in done:
            row = r["rows"].get(label)
            if row is None or "note" in row:
                cells += f" | {(row or {}).get('note', '—'):^34}"
                continue
            after, before = row["after"], row["before"]
            mark = "" if after["p95"] <= 100 else " !"
            cells += (f" | {after['p95']:6.1f}/{after['p50']:5.1f} ({after['queries']:2})"
                      f" / {before['p95']:6.1f}/{before['p50']:5.1f}{mark}")  # fmt: skip
        print(f"{label:<44}{cells}")
    print("\n! = p95 above the 100 ms target (with the indexes)")
    for r in done:
        print(f"{r['database']}: data loaded in {r['load_seconds']:.1f} s")


def emit(result: dict[str, Any]) -> None:
    print(RESULT + json.dumps(result), flush=True)


# --------------------------------------------------------------------------- #
# The child: one database, the data, the measurements.


def child(args: argparse.Namespace) -> int:
    backend = args.child
    workdir = Path(args.workdir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # drop the database when stopped
    os.environ.update({
        "OPENRD_VAR_DIR": str(workdir), "DJANGO_SETTINGS_MODULE": "openrd.settings",
        "PYTHONPATH": str(ROOT / "src"), "OPENRD_DEBUG": "0",
        "OPENRD_SECRET_KEY": secrets.token_urlsafe(50), "OPENRD_LOG_LEVEL": "ERROR",
        "OPENRD_ALLOWED_HOSTS": "testserver", "OPENRD_TASKS_BACKEND": "database",
    })  # fmt: skip
    os.environ.pop("DATABASE_URL", None)
    drop_database = None
    if backend == "postgresql":
        try:
            url, drop_database = fresh_postgres(args.database_url, "lists")
        except Exception as exc:  # any reason the server is unusable is reported
            emit({"backend": backend, "skipped": f"no PostgreSQL: {exc}"})
            return 0
        os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT / "src"))

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # The test client speaks plain HTTP; the production redirects are not measured.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # No collectstatic here: static URLs without the manifest's hashes.
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    }
    try:
        call_command("migrate", "--noinput", verbosity=0)
        database = (
            f"SQLite {__import__('sqlite3').sqlite_version}"
            if connection.vendor == "sqlite"
            else f"PostgreSQL {_pg_version(connection)}"
        )
        print(f"{database}: loading…", flush=True)
        started = time.perf_counter()
        readers = load(args)
        load_seconds = time.perf_counter() - started
        print(f"loaded in {load_seconds:.1f} s; measuring with the indexes…", flush=True)
        urls = [t for t in targets(readers) if args.only in t[0]]
        after = measure(urls, args.repeat)
        drop_list_indexes(connection)
        print("…and without them", flush=True)
        before = measure(urls, args.repeat)
        rows: dict[str, Any] = {}
        for label in after:
            if "note" in after[label]:
                rows[label] = after[label]
            else:
                rows[label] = {"after": after[label], "before": before[label]}
        emit({"backend": backend, "database": database, "load_seconds": load_seconds,
              "rows": rows})  # fmt: skip
    finally:
        connection.close()
        if drop_database and args.keep_database:
            print(f"kept: {os.environ['DATABASE_URL']}", flush=True)
        elif drop_database:
            drop_database()
    return 0


def _pg_version(connection: Any) -> str:
    """150020 -> "15.20" (libpq's number: major * 10000 + minor)."""
    number = connection.cursor().connection.info.server_version
    return f"{number // 10000}.{number % 10000}"


def _without_auto_now(model: Any) -> Any:
    """Let bulk_create keep the times given (auto_now would stamp them all now)."""
    import contextlib

    @contextlib.contextmanager
    def manager() -> Any:
        fields = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)
                  or getattr(f, "auto_now_add", False)]  # fmt: skip
        saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
        for f in fields:
            f.auto_now = f.auto_now_add = False
        try:
            yield
        finally:
            for f, now, add in saved:
                f.auto_now, f.auto_now_add = now, add

    return manager()


def load(args: argparse.Namespace) -> dict[str, Any]:
    import random

    from django.db import transaction
    from django.utils import timezone

    from openrd.accounts.models import Organisation, OrganisationKind, Role, User
    from openrd.accounts.services import assign_role, issue_api_token, load_organisations
    from openrd.core.models import AuditEntry
    from openrd.integrity.services import save_disclosure
    from openrd.programs.models import Call, Program
    from openrd.programs.services import load_presets
    from openrd.proposals.models import Endorsement, Proposal, ProposalVersion
    from openrd.proposals.services.common import refresh_latest_versions

    rng = random.Random(7)
    load_organisations()
    load_presets()
    now = timezone.now()
    programs = list(Program.objects.all())
    agencies = list(Organisation.objects.filter(kind=OrganisationKind.FUNDING_AGENCY))
    big_agency = agencies[0]
    words = ["量子", "海洋", "脱炭素", "半導体", "医療", "農業", "宇宙", "材料"]
    with transaction.atomic():
        calls = []
        for i in range(args.calls):
            program = programs[i % len(programs)]
            kind = i % 10  # 0-5 open, 6-7 upcoming, 8-9 closed
            opens = (
                now - timedelta(days=30)
                if kind < 6
                else (now + timedelta(days=5 + i % 60) if kind < 8 else now - timedelta(days=400))
            )
            closes = {True: now + timedelta(days=1 + i % 365)}.get(kind < 6) or (
                opens + timedelta(days=30 + i % 300) if kind < 8
                else now - timedelta(days=1 + i % 300))  # fmt: skip
            word = words[i % len(words)]
            calls.append(Call(
                program=program, agency=big_agency if i % 2 == 0 else agencies[i % len(agencies)],
                code=f"bench-{i:05}", title_ja=f"{program.short_name_ja or program.name_ja} "
                f"{word}公募 第{i}回", title_en=f"{program.short_name_en} call {i}",
                opens_at=opens, closes_at=closes, fiscal_year=2026, first_budget_year=2026,
                last_budget_year=2028, total_budget_yen=rng.randrange(10, 5000) * 10_000_000,
                cap_per_proposal_yen=50_000_000, status="closed" if kind == 9 else "open",
            ))  # fmt: skip
        calls = Call.objects.bulk_create(calls, batch_size=1000)
        institutions = Organisation.objects.bulk_create(
            Organisation(code=f"bench-inst-{i:03}", kind=OrganisationKind.UNIVERSITY,
                         name_ja=f"ベンチ大学{i:03}", name_en=f"Bench University {i:03}",
                         name_kana=f"べんちだいがく{i:03}")
            for i in range(200)
        )  # fmt: skip
        people = User.objects.bulk_create(
            User(username=f"bench-{i:05}", name_ja=f"研究者{i:05}", name_en=f"Researcher {i}",
                 password="!")  # noqa: S106  (an unusable password)
            for i in range(2000)
        )  # fmt: skip
        owner, officer, staff = people[0], people[1], people[2]
        assign_role(owner, Role.RESEARCHER)
        assign_role(officer, Role.INSTITUTION_OFFICER, organisation=institutions[0])
        assign_role(staff, Role.AGENCY_STAFF, organisation=big_agency)
        auditor = User.objects.create(username="bench-auditor", is_staff=True, password="!")  # noqa: S106
        disclosure = save_disclosure(owner, actor=owner, fundings=[], positions=[])
        statuses = ["draft"] * 10 + ["submitted"] * 4 + ["endorsed"] * 4 + ["returned", "withdrawn"]
        proposals = []
        for i in range(args.proposals):
            # The owner has 30 proposals; the others are spread over everyone, and
            # over 199 institutions (not 200, a multiple of the 20 statuses: the
            # largest institution would hold drafts only, and its officer see none).
            applicant = owner if i < 30 else people[3 + i % (len(people) - 3)]
            created = now - timedelta(minutes=i * 7)
            call = calls[i % len(calls)]
            proposals.append(Proposal(
                call=call, agency_id=call.agency_id, applicant=applicant,
                institution=institutions[i % (len(institutions) - 1)], status=statuses[i % 20],
                title_ja=f"{words[i % 8]}の研究 {i}", title_en=f"Study {i}",
                created_at=created, updated_at=created + timedelta(minutes=rng.randrange(600)),
            ))  # fmt: skip
        with _without_auto_now(Proposal):
            proposals = Proposal.objects.bulk_create(proposals, batch_size=2000)
        extra = {f.name for f in ProposalVersion._meta.concrete_fields}
        versions = []
        for p in proposals:
            if p.status == "draft":
                continue
            fields = {
                "proposal": p, "number": 1, "submitted_at": p.updated_at,
                "submitted_by": p.applicant, "idempotency_key": f"k{p.pk}",
                "content": {"title_ja": f"{p.title_ja}（提出版）",
                            "title_en": f"{p.title_en} (v1)"},
                "disclosure": disclosure,
                "endorsement": Endorsement.ENDORSED if p.status == "endorsed" else (
                    Endorsement.RETURNED if p.status == "returned" else Endorsement.PENDING),
            }  # fmt: skip
            if "receipt_number" in extra:
                fields |= {"receipt_sequence": p.pk, "receipt_number": f"BENCH-{p.pk}"}
            versions.append(ProposalVersion(**fields))
        ProposalVersion.objects.bulk_create(versions, batch_size=2000)
        # What the submit and endorse services keep on each proposal.
        ids = [v.proposal_id for v in versions]
        for start in range(0, len(ids), 2000):
            refresh_latest_versions(*ids[start : start + 2000])
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        actions = ["proposal.saved", "proposal.submitted", "call.opened", "access.denied"]
        AuditEntry.objects.bulk_create(
            (AuditEntry(seq=last + 1 + i, at=now - timedelta(seconds=i), actor=people[i % 50],
                        actor_label=people[i % 50].username, action=actions[i % 4],
                        object_type="proposals.proposal", object_id=str(i),
                        object_repr=f"提案 {i}", prev_hash="0" * 64, hash="0" * 64)
             for i in range(args.audit)),
            batch_size=2000,
        )  # fmt: skip
    _, token = issue_api_token(staff, name="bench")
    _, owner_token = issue_api_token(owner, name="bench")
    analyze()
    return {"owner": owner, "officer": officer, "staff": staff, "auditor": auditor,
            "token": token, "owner_token": owner_token}  # fmt: skip


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def deep_cursor(rows: Any, listing: Any, sort: str, offset: int) -> str:
    """The cursor a client would hold after walking ``offset`` rows."""
    from openrd.core.listing import _value, encode_cursor, order_fields

    order = order_fields(listing, sort)
    row = rows.order_by(*order)[offset]
    return encode_cursor(sort, [_value(row, f.lstrip("-")) for f in order])


def targets(readers: dict[str, Any]) -> list[tuple[str, Any, str, dict[str, str]]]:
    """(label, reader or None, URL, headers) of everything measured."""
    from django.urls import NoReverseMatch, reverse

    from openrd.programs.queries import CALL_LISTING, CallFilters, listed_calls
    from openrd.proposals.api import PROPOSAL_API_LISTING
    from openrd.proposals.queries import listed_visible_proposals

    owner, officer, staff, auditor = (readers[k] for k in ("owner", "officer", "staff", "auditor"))
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {readers['token']}"}
    open_calls = listed_calls(CallFilters(status="open")).count()
    deep_calls = max(1, open_calls // 25 - 1)
    agency_rows = listed_visible_proposals(staff).count()
    calls_cursor = deep_cursor(
        listed_calls(), CALL_LISTING, "deadline", listed_calls().count() // 2
    )
    proposals_cursor = deep_cursor(
        listed_visible_proposals(staff), PROPOSAL_API_LISTING, "-id", agency_rows * 9 // 10
    )
    out: list[tuple[str, Any, str, dict[str, str]]] = [
        ("calls: first page (open, by deadline)", None, "/ja/calls/", {}),
        (f"calls: deep page ({deep_calls})", None, f"/ja/calls/?page={deep_calls}", {}),
        ("calls: search 量子", None, "/ja/calls/?q=量子", {}),
        ("calls: any status, by budget", None, "/ja/calls/?status=&sort=-budget", {}),
        ("programs: first page", None, "/ja/programs/", {}),
        ("proposals (applicant, 30): first page", owner, "/ja/proposals/", {}),
        ("proposals (applicant): by title", owner, "/ja/proposals/?sort=title", {}),
        ("proposals (officer): first page", officer, "/ja/proposals/", {}),
        (f"proposals (agency, {agency_rows:,}): first page", staff, "/ja/proposals/", {}),
        ("proposals (agency): deep page (150)", staff, "/ja/proposals/?page_agency=150", {}),
        ("proposals (agency): search 量子", staff, "/ja/proposals/?q=量子", {}),
        ("proposals (agency): by title", staff, "/ja/proposals/?sort=title", {}),
        ("proposals (agency): status endorsed, deadline", staff,
         "/ja/proposals/?status=endorsed&sort=deadline", {}),
        ("organisations: first page", None, "/ja/organisations/", {}),
        ("organisations: search だいがく", None, "/ja/organisations/?q=だいがく", {}),
        ("audit log: first page", auditor, "/ja/audit/", {}),
        ("audit log: deep page (300)", auditor, "/ja/audit/?page=300", {}),
        ("audit log: action proposal.", auditor, "/ja/audit/?action=proposal.", {}),
        ("API calls: first page", None, "/api/v1/calls", {}),
        ("API calls: deep cursor (middle)", None, f"/api/v1/calls?cursor={calls_cursor}", {}),
        ("API calls: search 量子", None, "/api/v1/calls?q=量子", {}),
        ("API programs", None, "/api/v1/programs", {}),
        ("API proposals (agency): first page", None, "/api/v1/proposals", bearer),
        ("API proposals (agency): deep cursor (90 %)", None,
         f"/api/v1/proposals?cursor={proposals_cursor}", bearer),
        ("API proposals (agency): search 量子", None, "/api/v1/proposals?q=量子", bearer),
    ]  # fmt: skip
    try:
        dashboard = reverse("portal:dashboard")
    except NoReverseMatch:
        out.append(("dashboard", "note", "portal:dashboard does not exist: skipped", {}))
    else:
        out += [("dashboard (applicant)", owner, dashboard, {}),
                ("dashboard (agency staff)", staff, dashboard, {})]  # fmt: skip
    return out


def measure(urls: list[tuple[str, Any, str, dict[str, str]]], repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from openrd.accounts.tests.sessions import mark_mfa_passed

    clients: dict[int | None, Client] = {}
    results: dict[str, Any] = {}
    for label, reader, url, headers in urls:
        if reader == "note":
            results[label] = {"note": url}
            continue
        key = reader.pk if reader is not None else None
        if key not in clients:
            client = Client()
            if reader is not None:
                client.force_login(reader)
                mark_mfa_passed(client, user=reader)
            clients[key] = client
        client = clients[key]
        response = client.get(url, **headers)  # warm-up (and a check)
        if response.status_code != 200:
            results[label] = {"p50": 0.0, "p95": 0.0, "queries": -response.status_code}
            print(f"  {label}: HTTP {response.status_code}", flush=True)
            continue
        times = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                client.get(url, **headers)
                times.append((time.perf_counter() - started) * 1000)
            queries = len(captured)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        results[label] = {"p50": statistics.median(times), "p95": p95, "queries": queries}
        print(f"  {label:<46} p50 {results[label]['p50']:7.1f} ms  p95 {p95:7.1f} ms  "
              f"{queries} queries", flush=True)  # fmt: skip
    return results


def drop_list_indexes(connection: Any) -> None:
    with connection.cursor() as cursor:
        for names in LIST_INDEXES.values():
            for name in names:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    analyze()


if __name__ == "__main__":
    raise SystemExit(main())
