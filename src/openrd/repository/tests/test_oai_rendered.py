"""Rendered metadata (``RenderedRecord``): ListRecords and GetRecord serve a
record's kept ``<metadata>`` only while its datestamp and the writers' version
still hold, per site; the nightly refresh writes what is missing, once."""

from __future__ import annotations

import zlib

import pytest
from django.core.management import call_command
from django.utils import translation
from lxml import etree

from openrd.repository import services
from openrd.repository.models import Output, RenderedRecord
from openrd.repository.oai import rendered
from openrd.repository.oai.testing import OAI_NS, oai_get
from openrd.repository.oai.views import oai_identifier
from openrd.repository.records import output_path

pytestmark = pytest.mark.django_db

TITLE = "Rendered once, served from the row"


def harvest(client, prefix: str = "oai_dc", **extra: str) -> bytes:
    doc = oai_get(client, verb="ListRecords", metadataPrefix=prefix, **extra)
    return b"".join(
        (title.text or "").encode() + b"\n" for title in doc.iterfind(".//dc:title", OAI_NS)
    )


def tamper(output: Output, prefix: str = "oai_dc") -> None:
    """Change the kept row's bytes (still valid metadata), to see which is served."""
    row = RenderedRecord.objects.get(output=output, prefix=prefix)
    kept = zlib.decompress(row.xml)
    row.xml = zlib.compress(kept.replace(TITLE.encode(), b"Served from the kept row"))
    row.save()


def test_a_record_is_rendered_once_and_served_from_its_row(client, repo):
    output = repo.deposit(title_en=TITLE)
    assert TITLE.encode() in harvest(client)
    row = RenderedRecord.objects.get(output=output, prefix="oai_dc")
    assert row.datestamp == Output.objects.get(pk=output.pk).datestamp
    assert row.version == rendered.WRITER_VERSION
    tamper(output)
    assert b"Served from the kept row" in harvest(client)
    # GetRecord reads the same row.
    doc = oai_get(
        client, verb="GetRecord", metadataPrefix="oai_dc", identifier=oai_identifier(output.pk)
    )
    assert "Served from the kept row" in [t.text for t in doc.iterfind(".//dc:title", OAI_NS)]


def test_a_new_datestamp_stales_the_row(client, repo):
    output = repo.deposit(title_en=TITLE)
    harvest(client)
    tamper(output)
    services.save_output(output, actor=repo.curator, as_curator=True, title_en=TITLE + " (2)")
    titles = harvest(client)
    assert b"Served from the kept row" not in titles
    assert f"{TITLE} (2)".encode() in titles
    row = RenderedRecord.objects.get(output=output, prefix="oai_dc")
    assert f"{TITLE} (2)".encode() in zlib.decompress(row.xml)


def test_a_change_to_the_writers_stales_every_row(client, repo, monkeypatch):
    output = repo.deposit(title_en=TITLE)
    harvest(client)
    tamper(output)
    monkeypatch.setattr(rendered, "WRITER_VERSION", rendered.WRITER_VERSION + 1)
    assert b"Served from the kept row" not in harvest(client)
    assert RenderedRecord.objects.get(output=output, prefix="oai_dc").version == (
        rendered.WRITER_VERSION
    )


def test_each_site_keeps_its_own_links(client, repo, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.jp"]
    output = repo.deposit(title_en=TITLE)
    here = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "jpcoar_2.0"}).content
    there = client.get(
        "/oai",
        {"verb": "ListRecords", "metadataPrefix": "jpcoar_2.0"},
        HTTP_HOST="mirror.example.jp",
    ).content
    assert b"http://testserver/" in here
    assert b"mirror.example.jp" not in here
    assert b"http://mirror.example.jp/" in there
    assert b"testserver/" not in there
    assert RenderedRecord.objects.filter(output=output, prefix="jpcoar_2.0").count() == 2


def test_withdrawing_a_version_restamps_and_rerenders_the_others(client, repo):
    first = repo.deposit(title_en=TITLE)
    second = services.new_version(first, actor=repo.pi)
    services.submit(second, actor=repo.pi)
    services.curate(second, actor=repo.curator)
    services.publish(second, actor=repo.curator)
    with translation.override("ja"):
        second_url = output_path(second.pk).encode()
    doc = oai_get(
        client, verb="GetRecord", metadataPrefix="jpcoar_2.0", identifier=oai_identifier(first.pk)
    )
    assert second_url in etree.tostring(doc)
    before = Output.objects.get(pk=first.pk).datestamp
    services.withdraw(second, actor=repo.curator, reason="重複登録")
    assert Output.objects.get(pk=first.pk).datestamp > before
    doc = oai_get(
        client, verb="GetRecord", metadataPrefix="jpcoar_2.0", identifier=oai_identifier(first.pk)
    )
    assert second_url not in etree.tostring(doc)


def test_refresh_writes_what_is_missing_or_stale_once(repo, settings):
    settings.OPENRD_SITE_URL = "https://openrd.example.jp/"
    outputs = [repo.deposit(title_en=f"{TITLE} {i}") for i in range(3)]
    gone = repo.deposit(title_en="Withdrawn")
    services.withdraw(gone, actor=repo.curator, reason="重複登録")
    assert rendered.refresh_site(batch=2) == 6  # three records, two formats; none for a deletion
    assert rendered.refresh_site() == 0
    assert set(RenderedRecord.objects.values_list("site", flat=True)) == {
        "https://openrd.example.jp ja"
    }
    assert b"https://openrd.example.jp/" in zlib.decompress(RenderedRecord.objects.first().xml)
    services.save_output(outputs[1], actor=repo.curator, as_curator=True, title_en="Renamed")
    assert rendered.refresh_site() == 2


def test_the_command_renders_and_reports(repo, settings, capsys):
    settings.OPENRD_SITE_URL = "https://openrd.example.jp"
    repo.deposit(title_en=TITLE)
    call_command("render_harvest_records")
    assert "rendered 2 records" in capsys.readouterr().out
    assert RenderedRecord.objects.count() == 2


def test_the_kept_bytes_are_compressed_and_inflate_to_the_served_metadata(client, repo):
    output = repo.deposit(title_en=TITLE)
    doc = oai_get(client, verb="GetRecord", metadataPrefix="jpcoar_2.0",
                  identifier=oai_identifier(output.pk))  # fmt: skip
    row = RenderedRecord.objects.get(output=output, prefix="jpcoar_2.0")
    kept = zlib.decompress(row.xml)
    assert len(row.xml) < len(kept) / 2
    served = [t.text for t in doc.iterfind(".//dc:title", OAI_NS)]
    assert served == [t.text for t in etree.fromstring(kept).iterfind(".//dc:title", OAI_NS)]
    assert TITLE in served
