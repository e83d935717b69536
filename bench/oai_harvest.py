#!/usr/bin/env python3
"""A whole-repository OAI-PMH harvest over HTTP: records/s at scale.

Builds ``--records`` published records (default 1,000,000) straight into a
database of its own with ``bulk_create`` — a SQLite file under
``var/bench-oai/`` (made anew), or with ``--database-url`` a database of its own
on that PostgreSQL server (dropped afterwards) — each with one or two creators
(e-Rad, ORCID, ROR affiliation) and an open PDF; 4 % are withdrawn (deleted
records) and 3 % embargoed datasets (no file shown). Then it starts the real
server (gunicorn, 127.0.0.1, a free port, ``OPENRD_DEBUG=0``) and harvests the
whole repository with oaipmh_scythe: ListRecords in ``oai_dc`` and in
``jpcoar_2.0``, every resumption page, and ListIdentifiers; then ListRecords
again with urllib and one lxml parse per page ("plain"), which tells the
server's rate from the client library's cost (oaipmh_scythe parses each page
to look for errors and again for its token; counting the records is a third).

Before harvesting it renders every record's metadata in both formats
(``oai.rendered.refresh_site``: what the nightly schedule keeps up to date and
ListRecords otherwise does page by page), and reports that rate too: it is what
a harvest costs the first time after a bulk import or a change to the formats.

It prints, per harvest: records/s, the time of the first and of the last page
(the keyset keeps the last as cheap as the first), and the server's RSS after
it. Target: at least 3,000 records/s for ListRecords.

    .venv/bin/python bench/oai_harvest.py --records 100000
    .venv/bin/python bench/oai_harvest.py                         # 1,000,000
    .venv/bin/python bench/oai_harvest.py --database-url postgres://postgres@127.0.0.1:5432/postgres

A benchmark reports; it does not fail.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from common import fresh_postgres, print_machine  # bench/common.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
BATCH = 5_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--page-size", type=int, default=100, help="OPENRD_OAI_PAGE_SIZE")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (else SQLite)")
    parser.add_argument(
        "--formats", default="oai_dc,jpcoar_2.0", help="the ListRecords harvests, comma-separated"
    )
    args = parser.parse_args()

    print_machine()
    workdir = ROOT / "var" / "bench-oai"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = {
        "OPENRD_VAR_DIR": str(workdir), "DJANGO_SETTINGS_MODULE": "openrd.settings",
        "PYTHONPATH": str(ROOT / "src"), "OPENRD_DEBUG": "0",
        "OPENRD_SECRET_KEY": secrets.token_urlsafe(50), "OPENRD_LOG_LEVEL": "ERROR",
        "OPENRD_ALLOWED_HOSTS": "127.0.0.1", "OPENRD_TASKS_BACKEND": "database",
        "OPENRD_OAI_PAGE_SIZE": str(args.page_size),
    }  # fmt: skip
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    drop = None
    if args.database_url:
        url, drop = fresh_postgres(args.database_url, "oai")
        os.environ["DATABASE_URL"] = url
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # drop the database when stopped
    sys.path.insert(0, str(ROOT / "src"))
    try:
        return run(args)
    finally:
        from django.db import connection

        connection.close()
        if drop:
            drop()
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # The server process reads the page size from the environment: settings.py
    # does not know it, so it is given to gunicorn as a Django setting below.
    call_command("migrate", "--noinput", verbosity=0)
    if connection.vendor == "sqlite":
        database = f"SQLite {__import__('sqlite3').sqlite_version}"
    else:
        number = connection.cursor().connection.info.server_version
        database = f"PostgreSQL {number // 10000}.{number % 10000}"
    print(f"  database   {database}")
    print(f"  data       {args.records:,} records; page size {args.page_size}; "
          f"{args.workers} gunicorn worker(s)", flush=True)  # fmt: skip
    started = time.perf_counter()
    load(args.records)
    print(f"loaded in {time.perf_counter() - started:.1f} s", flush=True)
    port = free_port()
    # What the nightly schedule does: each record's metadata rendered in both
    # formats for the server's site (ListRecords would otherwise render a
    # page's records as it reaches them).
    from openrd.repository.oai.rendered import refresh_site

    started = time.perf_counter()
    rendered = refresh_site(f"http://127.0.0.1:{port}", "ja")
    render_seconds = time.perf_counter() - started
    print(f"rendered {rendered:,} records × formats in {render_seconds:.1f} s "
          f"({rendered / render_seconds:,.0f}/s)", flush=True)  # fmt: skip
    connection.close()
    del settings

    server = start_server(port, args)
    try:
        base = f"http://127.0.0.1:{port}/oai"
        results = [harvest(base, "ListRecords", prefix, server.pid, args.records)
                   for prefix in args.formats.split(",")]  # fmt: skip
        results.append(harvest(base, "ListIdentifiers", "oai_dc", server.pid, args.records))
        # The same harvests with the least a client can do (one parse per page):
        # what the server gives, apart from what the client library costs.
        results += [harvest_plain(base, prefix, server.pid, args.records)
                    for prefix in args.formats.split(",")]  # fmt: skip
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print()
    print(f"{'harvest':<32} {'records':>10} {'pages':>6} {'seconds':>8} {'records/s':>10} "
          f"{'first page':>10} {'last page':>10} {'RSS MiB':>8}")  # fmt: skip
    for r in results:
        mark = "" if r["verb"] != "ListRecords" or r["rate"] >= 3000 else "  !"
        print(f"{r['verb'] + ' ' + r['prefix']:<32} {r['records']:>10,} {r['pages']:>6} "
              f"{r['seconds']:>8.1f} {r['rate']:>10,.0f} {r['first'] * 1000:>8.0f}ms "
              f"{r['last'] * 1000:>8.0f}ms {r['rss'] / 2**20:>8.0f}{mark}")  # fmt: skip
    print(f"{'render (records × formats)':<32} {rendered:>10,} {'':>6} {render_seconds:>8.1f} "
          f"{rendered / render_seconds:>10,.0f}")  # fmt: skip
    print("\n! = ListRecords below the 3,000 records/s target")
    return 0


def load(n: int) -> None:
    """``n`` harvestable records and what their metadata reads, by bulk_create."""
    import random
    import uuid

    from django.db import transaction
    from django.db.models import F

    from openrd.accounts.models import Organisation, OrganisationKind, Role, User
    from openrd.accounts.services import assign_role, load_organisations
    from openrd.awards.models import Award
    from openrd.awards.services import create_award
    from openrd.core.models import StoredFile
    from openrd.programs.models import Call, Program
    from openrd.programs.services import load_presets
    from openrd.repository.models import Output, OutputCreator, OutputFile

    rng = random.Random(11)
    load_organisations()
    load_presets()
    jst = Organisation.objects.get(code="jst")
    program = Program.objects.get(code="moonshot")
    staff = User.objects.create(username="bench-staff", password="!")  # noqa: S106
    assign_role(staff, Role.AGENCY_STAFF, organisation=jst)
    institutions = Organisation.objects.bulk_create(
        Organisation(code=f"bench-univ-{i:02}", kind=OrganisationKind.UNIVERSITY,
                     name_ja=f"ベンチ大学{i:02}", name_en=f"Bench University {i:02}",
                     ror_id=f"https://ror.org/0{i:02}bench")
        for i in range(20)
    )  # fmt: skip
    call = Call.objects.create(
        program=program, agency=jst, code="bench-oai-call", title_ja="ベンチ公募",
        title_en="Bench call", opens_at=datetime(2025, 4, 1, tzinfo=UTC),
        closes_at=datetime(2025, 6, 1, tzinfo=UTC), fiscal_year=2025, first_budget_year=2025,
        last_budget_year=2029, total_budget_yen=1_000_000_000, cap_per_proposal_yen=100_000_000,
        status="closed",
    )  # fmt: skip
    awards = []
    for i in range(10):
        award = create_award(
            actor=staff, program=program, grant_number=f"BENCH-{i:02}",
            japan_grant_number=f"JPMJMS25{i:02}", title_ja=f"ベンチ研究{i}",
            title_en=f"Bench research {i}", pi_name_ja=f"研究者{i}", pi_name_en=f"Researcher {i}",
            institution=institutions[i], starts_on=date(2025, 10, 1), ends_on=date(2030, 3, 31),
            budget=[(2025, 50_000_000)], gates=[],
        )  # fmt: skip
        awards.append(award)
    Award.objects.filter(pk__in=[a.pk for a in awards]).update(call=call)
    stored = StoredFile.objects.create(sha256="b" * 64, md5="c" * 32, size=2_345_678,
                                       content_type="application/pdf")  # fmt: skip
    start = datetime(2020, 1, 1, tzinfo=UTC)
    step = (datetime(2026, 1, 1, tzinfo=UTC) - start) / max(n, 1)
    words = ["量子", "海洋", "脱炭素", "半導体", "医療", "農業", "宇宙", "材料"]
    made = 0
    t0 = time.perf_counter()
    while made < n:
        size = min(BATCH, n - made)
        with transaction.atomic():
            outputs = []
            for j in range(made, made + size):
                award = awards[j % len(awards)]
                roll = rng.random()
                withdrawn, embargoed = roll < 0.04, 0.04 <= roll < 0.07
                stamp = start + step * j + timedelta(microseconds=rng.randrange(1_000_000))
                outputs.append(Output(
                    award=award, program=program, funder=jst,
                    institution=institutions[j % len(institutions)],
                    kind="dataset" if embargoed else "article",
                    resource_type="dataset" if embargoed else "journal_article",
                    title_ja=f"{words[j % len(words)]}の研究 第{j}報",
                    title_en=f"A study of things, part {j}",
                    abstract_en="An abstract of moderate length. " * 8,
                    language="eng", keywords=["bench", words[j % len(words)]],
                    doi="" if embargoed else f"10.5555/bench.{j}",
                    journal_title="" if embargoed else "Journal of Benchmarks",
                    issn="1234-5678", volume=str(j % 40 + 1), issue=str(j % 12 + 1),
                    page_start="1", page_end="12", publisher="Bench Press",
                    published_on=stamp.date(), licence="CC-BY-4.0",
                    access_rights="embargoed" if embargoed else "open",
                    embargo_until=date(2099, 1, 1) if embargoed else None,
                    status="withdrawn" if withdrawn else "published",
                    withdrawal_reason="Duplicate" if withdrawn else "",
                    published_at=stamp, opened_at=None if embargoed else stamp,
                    withdrawn_at=stamp if withdrawn else None, datestamp=stamp,
                ))  # fmt: skip
            outputs = Output.objects.bulk_create(outputs)
            creators, files = [], []
            for j, output in enumerate(outputs, start=made):
                for order in range(1 + j % 2):
                    creators.append(OutputCreator(
                        output=output, order=order + 1, family_name_ja="山田",
                        given_name_ja="花子", family_name_en="Yamada", given_name_en="Hanako",
                        erad_researcher_number=f"{(j * 2 + order) % 10**8:08d}",
                        orcid="0000-0002-1825-0097", affiliation=output.institution,
                        affiliation_name_ja="ベンチ大学", affiliation_name_en="Bench University",
                    ))  # fmt: skip
                files.append(OutputFile(output=output, stored=stored, name=f"aam-{j}.pdf",
                                        key=uuid.uuid4(), access="open"))  # fmt: skip
            OutputCreator.objects.bulk_create(creators)
            OutputFile.objects.bulk_create(files)
        made += size
        if made % 50_000 == 0 or made == n:
            rate = made / (time.perf_counter() - t0)
            print(f"  {made:>10,} records ({rate:,.0f}/s)", flush=True)
    Output.objects.filter(concept_id__isnull=True).update(concept_id=F("id"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:port, waited for until /oai answers."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # settings.py has no OPENRD_OAI_PAGE_SIZE: a tiny settings module on top sets it.
    overlay = ROOT / "var" / "bench-oai" / "bench_oai_settings.py"
    overlay.write_text(
        "from openrd.settings import *  # noqa: F403\n"
        f"OPENRD_OAI_PAGE_SIZE = {args.page_size}\n"
        # Plain HTTP on loopback: the production redirect to https is not measured.
        "SECURE_SSL_REDIRECT = False\n"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "bench_oai_settings",
                        "PYTHONPATH": f"{overlay.parent}:{ROOT / 'src'}"}  # fmt: skip
    command = [str(gunicorn), "openrd.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--timeout", "300",
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/oai?verb=Identify", timeout=5):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited with {server.returncode}") from None
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer within 60 s")


def rss(pid: int) -> int:
    """The resident memory of ``pid`` and its children (gunicorn's workers), bytes."""
    try:
        import psutil  # type: ignore[import-not-found]

        proc = psutil.Process(pid)
        return int(sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]))
    except ImportError:
        pass
    pids = {pid}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                pids.add(int(entry.name))
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def harvest(base: str, verb: str, prefix: str, pid: int, expected: int) -> dict[str, Any]:
    """One whole harvest, page by page, with the time of each page."""
    from oaipmh_scythe import Scythe
    from oaipmh_scythe.config import HTTPConfig
    from oaipmh_scythe.iterator import OAIResponseIterator

    ns = "{http://www.openarchives.org/OAI/2.0/}"
    records = pages = 0
    times: list[float] = []
    print(f"{verb} {prefix}: harvesting…", flush=True)
    with Scythe(base, iterator=OAIResponseIterator, http_config=HTTPConfig(timeout=300)) as scythe:
        method = scythe.list_records if verb == "ListRecords" else scythe.list_identifiers
        started = last = time.perf_counter()
        for response in method(metadata_prefix=prefix):
            now = time.perf_counter()
            times.append(now - last)
            pages += 1
            records += len(response.xml.findall(f".//{ns}header"))
            if pages % 1000 == 0:
                print(f"  {records:>10,} records, {records / (now - started):,.0f}/s", flush=True)
            last = time.perf_counter()
        seconds = time.perf_counter() - started
    if records != expected:
        print(f"  ! harvested {records:,} records of {expected:,}")
    return {"verb": verb, "prefix": prefix, "records": records, "pages": pages,
            "seconds": seconds, "rate": records / seconds, "first": times[0], "last": times[-1],
            "rss": rss(pid)}  # fmt: skip


def harvest_plain(base: str, prefix: str, pid: int, expected: int) -> dict[str, Any]:
    """ListRecords with urllib and one lxml parse per page."""
    from urllib.parse import urlencode

    from lxml import etree

    ns = "{http://www.openarchives.org/OAI/2.0/}"
    records = pages = 0
    times: list[float] = []
    query = {"verb": "ListRecords", "metadataPrefix": prefix}
    print(f"ListRecords {prefix} (urllib + lxml): harvesting…", flush=True)
    started = time.perf_counter()
    while True:
        last = time.perf_counter()
        with urllib.request.urlopen(f"{base}?{urlencode(query)}", timeout=300) as answer:  # noqa: S310
            document = etree.fromstring(answer.read())
        times.append(time.perf_counter() - last)
        pages += 1
        records += len(document.findall(f".//{ns}header"))
        token = document.find(f".//{ns}resumptionToken")
        if token is None or not token.text:
            break
        query = {"verb": "ListRecords", "resumptionToken": token.text}
    seconds = time.perf_counter() - started
    if records != expected:
        print(f"  ! harvested {records:,} records of {expected:,}")
    return {"verb": "ListRecords", "prefix": f"{prefix} (plain)", "records": records,
            "pages": pages, "seconds": seconds, "rate": records / seconds, "first": times[0],
            "last": times[-1], "rss": rss(pid)}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
