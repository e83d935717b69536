"""The public landing pages, the list, JSON-LD, Signposting, the concept
redirect and the file downloads (ranges, ETags, digests)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date

import pytest

from openrd.core.models import AuditEntry
from openrd.core.tests import pdfs
from openrd.repository import services, usage
from openrd.repository.models import OutputFile
from openrd.repository.views_public import (
    Unsatisfiable,
    _access_request_url,
    byte_range,
    etag_matches,
)

CSV = b"a,b\n" + b"".join(f"{i},{i * i}\n".encode() for i in range(2000))


@pytest.fixture
def counted(monkeypatch):
    calls: list[tuple[int, str | None]] = []

    def record(request, output, file=None):
        calls.append((output.pk, file.name if file else None))

    monkeypatch.setattr(usage, "record_usage", record)
    return calls


def _links(header: str) -> list[tuple[str, dict[str, str]]]:
    """Parse an RFC 8288 Link header into (url, params)."""
    out = []
    for m in re.finditer(r'<([^>]*)>((?:\s*;\s*[a-z]+="[^"]*")*)', header):
        params = dict(re.findall(r'([a-z]+)="([^"]*)"', m.group(2)))
        out.append((m.group(1), params))
    return out


def _file(output, name):
    return OutputFile.objects.select_related("stored").get(output=output, name=name)


# ------------------------------------------------------------------ pure helpers


def test_byte_range_reads_the_forms_of_a_single_range():
    assert byte_range("bytes=0-9", 100) == (0, 9)
    assert byte_range("bytes=90-", 100) == (90, 99)
    assert byte_range("bytes=-10", 100) == (90, 99)
    assert byte_range("bytes=95-200", 100) == (95, 99)


def test_byte_range_ignores_what_it_will_not_serve():
    assert byte_range("bytes=0-1,5-6", 100) is None
    assert byte_range("items=0-1", 100) is None
    assert byte_range("bytes=9-3", 100) is None
    assert byte_range("bytes=x-3", 100) is None


def test_byte_range_past_the_end_is_unsatisfiable():
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=100-", 100)
    with pytest.raises(Unsatisfiable):
        byte_range("bytes=-0", 100)


def test_etag_matches_strong_weak_and_star():
    assert etag_matches('"abc"', '"abc"')
    assert etag_matches('W/"abc", "x"', '"abc"')
    assert etag_matches("*", '"abc"')
    assert not etag_matches('"abd"', '"abc"')


# ------------------------------------------------------------------ landing page


def test_landing_page_shows_the_record_in_japanese(client, repo, counted):
    output = repo.deposit(keywords=["量子", "誤り訂正"], volume="8", issue="2", page_start="10",
                          page_end="20", abstract_ja="表面符号の実証。")  # fmt: skip
    response = client.get(f"/ja/outputs/{output.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "量子誤り訂正の実証" in html
    assert "Demonstrating quantum error correction" in html  # the other language too
    assert "山田 花子" in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
    assert "12345678" in html
    assert 'href="https://ror.org/02956yf07"' in html
    assert "表面符号の実証。" in html
    assert "誤り訂正" in html
    assert 'href="https://doi.org/10.1103/PhysRevResearch.1.000001"' in html
    assert "令和8年4月10日" in html
    assert "2026-04-10" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert "JPMJMS2561" in html
    assert f'/awards/{repo.award.pk}/"' in html
    pdf = _file(output, "aam.pdf")
    assert pdf.stored.sha256 in html
    assert pdf.stored.md5 in html
    assert f"/files/{pdf.key}/aam.pdf" in html
    assert f"/ja/outputs/{output.pk}/cite.bib" in html
    assert f"/ja/outputs/{output.pk}/cite.ris" in html
    assert (
        f'rel="describedby" type="application/ld+json" href="/ja/outputs/{output.pk}/metadata.json"'
        in html
    )
    assert counted == [(output.pk, None)]


def test_landing_page_in_english(client, repo):
    output = repo.deposit()
    html = client.get(f"/en/outputs/{output.pk}/").content.decode()
    assert "<h1>Demonstrating quantum error correction</h1>" in html
    assert "Hanako Yamada" in html
    assert "10 April 2026 (Reiwa 8)" in html
    assert "Japan Grant Number" in html
    assert "Yamada, H. (2026). Demonstrating quantum error correction." in html


def test_landing_page_signposting_links(client, repo):
    output = repo.deposit()
    response = client.get(f"/ja/outputs/{output.pk}/")
    links = _links(response["Link"])
    by_rel: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for url, params in links:
        by_rel.setdefault(params["rel"], []).append((url, params))
    assert by_rel["cite-as"] == [
        ("https://doi.org/10.1103/PhysRevResearch.1.000001", {"rel": "cite-as"})
    ]
    described = {p["type"]: url for url, p in by_rel["describedby"]}
    assert described["application/ld+json"] == (
        f"http://testserver/ja/outputs/{output.pk}/metadata.json"
    )
    assert described["application/xml"] == (
        "http://testserver/oai?verb=GetRecord&metadataPrefix=jpcoar_2.0"
        f"&identifier=oai%3Aopenrd.localhost%3A{output.pk}"
    )
    pdf = _file(output, "aam.pdf")
    assert by_rel["item"] == [
        (f"http://testserver/ja/outputs/files/{pdf.key}/aam.pdf",
         {"rel": "item", "type": "application/pdf"})
    ]  # fmt: skip
    assert [u for u, _ in by_rel["author"]] == ["https://orcid.org/0000-0002-1825-0097"]
    assert [u for u, _ in by_rel["license"]] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert {u for u, _ in by_rel["type"]} == {
        "https://schema.org/ScholarlyArticle",
        "https://schema.org/AboutPage",
    }


def test_without_doi_cite_as_is_the_concept(client, repo):
    output = repo.deposit(kind="dataset", files=[("data.csv", CSV, "open")])
    links = _links(client.get(f"/en/outputs/{output.pk}/")["Link"])
    cite = [u for u, p in links if p["rel"] == "cite-as"]
    assert cite == [f"http://testserver/en/outputs/c/{output.concept_id}/"]
    assert ("https://schema.org/Dataset", {"rel": "type"}) in links


def test_draft_is_404_and_audited(client, repo):
    output = repo.deposit(publish=False)
    for path in ("", "metadata.json", "cite.bib", "cite.ris"):
        assert client.get(f"/ja/outputs/{output.pk}/{path}").status_code == 404
    assert AuditEntry.objects.filter(
        action="access.denied", object_id=str(output.pk), object_type="repository.output"
    ).exists()


def test_submitted_record_is_404_even_for_its_pi(client, repo):
    output = repo.deposit(publish=False)
    services.submit(output, actor=repo.pi)
    client.force_login(repo.pi)
    assert client.get(f"/en/outputs/{output.pk}/").status_code == 404


def test_withdrawn_record_is_a_tombstone(client, repo, counted):
    output = repo.deposit(abstract_en="A secret abstract")
    services.withdraw(output, actor=repo.curator, reason="Duplicate of another record")
    pdf = _file(output, "aam.pdf")
    response = client.get(f"/en/outputs/{output.pk}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "Demonstrating quantum error correction" in html
    assert "Hanako Yamada" in html
    assert "Duplicate of another record" in html
    assert f"http://testserver/en/outputs/{output.pk}/" in html
    assert "A secret abstract" not in html
    assert str(pdf.key) not in html
    assert "aam.pdf" not in html
    assert client.get(f"/en/outputs/{output.pk}/metadata.json").status_code == 410
    assert client.get(f"/en/outputs/files/{pdf.key}/aam.pdf").status_code == 404
    assert counted == []


def test_embargoed_record_shows_the_date_and_no_file_link(client, repo):
    output = repo.deposit(
        access_rights="embargoed", embargo_until=date(2027, 4, 10), embargo_reason="publisher"
    )
    pdf = _file(output, "aam.pdf")
    html = client.get(f"/en/outputs/{output.pk}/").content.decode()
    assert "open from 10 April 2027 (Reiwa 9)" in html
    assert "available from 10 April 2027 (Reiwa 9)" in html
    assert str(pdf.key) not in html
    assert "aam.pdf" not in html
    ja = client.get(f"/ja/outputs/{output.pk}/").content.decode()
    assert "令和9年4月10日" in ja
    assert client.get(f"/en/outputs/files/{pdf.key}/aam.pdf").status_code == 404


def test_restricted_file_shows_its_name_but_is_never_served(client, repo):
    output = repo.deposit(files=[("aam.pdf", pdfs.plain("open"), "open"),
                                 ("raw.csv", CSV, "restricted")])  # fmt: skip
    raw = _file(output, "raw.csv")
    html = client.get(f"/en/outputs/{output.pk}/").content.decode()
    assert "raw.csv" in html
    url = f"/en/outputs/files/{raw.key}/raw.csv"
    assert url not in html
    assert "http://testserver" + url not in html
    request_url = _access_request_url(output, raw)
    if request_url:  # the access-request page exists: the record links to it
        assert f'href="{request_url}"' in html
    assert client.get(url).status_code == 404
    for person in (repo.stranger, repo.pi):
        client.force_login(person)
        assert client.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(output.pk)).exists()


def test_versions_are_listed_and_the_concept_redirects_to_the_latest(client, repo):
    first = repo.deposit()
    second = services.new_version(first, actor=repo.pi)
    services.submit(second, actor=repo.pi)
    services.curate(second, actor=repo.curator)
    services.publish(second, actor=repo.curator)
    html = client.get(f"/en/outputs/{first.pk}/").content.decode()
    assert "This is version 1; the latest is" in html
    assert f'href="/en/outputs/{second.pk}/">version 2</a>' in html
    assert f"/en/outputs/c/{first.concept_id}/" in html
    latest = client.get(f"/en/outputs/{second.pk}/").content.decode()
    assert "This is version 2, the latest." in latest
    response = client.get(f"/en/outputs/c/{first.concept_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/en/outputs/{second.pk}/"


def test_concept_without_published_version_is_404(client, repo):
    draft = repo.deposit(publish=False)
    assert client.get(f"/en/outputs/c/{draft.concept_id}/").status_code == 404


# ------------------------------------------------------------------ JSON-LD


def test_json_ld_describes_an_article(client, repo):
    output = repo.deposit(volume="8", issue="2", issn="2643-1564")
    response = client.get(f"/en/outputs/{output.pk}/metadata.json")
    assert response["Content-Type"] == "application/ld+json"
    data = json.loads(response.content)
    assert data["@context"] == "https://schema.org/"
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == "Demonstrating quantum error correction"
    author = data["author"][0]
    assert author["@type"] == "Person"
    assert author["@id"] == "https://orcid.org/0000-0002-1825-0097"
    assert author["affiliation"] == {
        "@type": "Organization",
        "name": "Tsukuba Quantum University",
        "@id": "https://ror.org/02956yf07",
        "identifier": "https://ror.org/02956yf07",
    }
    assert data["identifier"]["value"] == "10.1103/PhysRevResearch.1.000001"
    assert data["datePublished"] == "2026-04-10"
    assert data["isPartOf"]["@type"] == "PublicationIssue"
    assert data["isPartOf"]["isPartOf"]["isPartOf"] == {
        "@type": "Periodical", "name": "Physical Review Research", "issn": "2643-1564"
    }  # fmt: skip
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["isAccessibleForFree"] is True
    grant = data["funding"][0]
    assert grant["@type"] == "MonetaryGrant"
    assert grant["identifier"] == "JPMJMS2561"
    assert data["funder"][0]["@type"] == "Organization"
    media = data["encoding"][0]
    pdf = _file(output, "aam.pdf")
    assert media == {
        "@type": "MediaObject",
        "name": "aam.pdf",
        "contentUrl": f"http://testserver/en/outputs/files/{pdf.key}/aam.pdf",
        "encodingFormat": "application/pdf",
        "contentSize": f"{pdf.stored.size} B",
        "sha256": pdf.stored.sha256,
    }
    assert data["version"] == "1"
    link = _links(response["Link"])
    assert link == [(f"http://testserver/en/outputs/{output.pk}/",
                     {"rel": "describes", "type": "text/html"})]  # fmt: skip


def test_json_ld_of_an_embargoed_dataset(client, repo):
    output = repo.deposit(
        kind="dataset",
        files=[("data.csv", CSV, "open")],
        access_rights="embargoed",
        embargo_until=date(2027, 1, 5),
        embargo_reason="patent",
    )
    data = json.loads(client.get(f"/en/outputs/{output.pk}/metadata.json").content)
    assert data["@type"] == "Dataset"
    assert data["isAccessibleForFree"] is False
    assert data["conditionsOfAccess"] == "Embargoed until 2027-01-05"
    assert "distribution" not in data
    assert "encoding" not in data


# ------------------------------------------------------------------ list


def test_list_filters_and_searches(client, repo):
    article = repo.deposit()
    dataset = repo.deposit(kind="dataset", title_en="Syndrome measurements",
                           title_ja="シンドローム測定", files=[("d.csv", CSV, "open")])  # fmt: skip
    draft = repo.deposit(publish=False, title_en="Unpublished thoughts", title_ja="未発表")
    html = client.get("/en/outputs/").content.decode()
    assert f"/en/outputs/{article.pk}/" in html
    assert f"/en/outputs/{dataset.pk}/" in html
    assert "Unpublished thoughts" not in html
    assert f"/en/outputs/{draft.pk}/" not in html
    # Newest first.
    assert html.index(f"/en/outputs/{dataset.pk}/") < html.index(f"/en/outputs/{article.pk}/")
    typed = client.get("/en/outputs/?type=dataset").content.decode()
    assert f"/en/outputs/{dataset.pk}/" in typed
    assert f"/en/outputs/{article.pk}/" not in typed
    searched = client.get("/ja/outputs/?q=シンドローム").content.decode()
    assert f"/ja/outputs/{dataset.pk}/" in searched
    assert f"/ja/outputs/{article.pk}/" not in searched
    by_program = client.get("/en/outputs/?program=moonshot&institution=tsukuba-demo")
    assert f"/en/outputs/{article.pk}/" in by_program.content.decode()
    other = client.get("/en/outputs/?institution=nowhere").content.decode()
    assert f"/en/outputs/{article.pk}/" not in other


# ------------------------------------------------------------------ downloads


def test_download_headers(client, repo, counted):
    output = repo.deposit(kind="dataset", files=[("data.csv", CSV, "open")])
    f = _file(output, "data.csv")
    response = client.get(f"/en/outputs/files/{f.key}/data.csv")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CSV
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="data.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["ETag"] == f'"{hashlib.sha256(CSV).hexdigest()}"'
    digest = base64.b64encode(hashlib.sha256(CSV).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(CSV))
    assert _links(response["Link"]) == [
        (f"http://testserver/en/outputs/{output.pk}/", {"rel": "collection", "type": "text/html"})
    ]
    assert counted == [(output.pk, "data.csv")]


def test_pdf_is_served_inline(client, repo):
    output = repo.deposit()
    f = _file(output, "aam.pdf")
    response = client.get(f"/ja/outputs/files/{f.key}/aam.pdf")
    assert response["Content-Disposition"] == 'inline; filename="aam.pdf"'
    assert response["Content-Type"] == "application/pdf"


def test_download_with_the_wrong_name_is_404(client, repo):
    output = repo.deposit()
    f = _file(output, "aam.pdf")
    assert client.get(f"/en/outputs/files/{f.key}/other.pdf").status_code == 404


def test_range_request_answers_206_with_the_bytes(client, repo, counted):
    output = repo.deposit(kind="dataset", files=[("data.csv", CSV, "open")])
    f = _file(output, "data.csv")
    url = f"/en/outputs/files/{f.key}/data.csv"
    response = client.get(url, headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == CSV[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(CSV)}"
    assert response["Content-Length"] == "100"
    tail = client.get(url, headers={"Range": "bytes=-5"})
    assert b"".join(tail.streaming_content) == CSV[-5:]
    # Only the range that starts the file counts as a download.
    assert counted == []
    first = client.get(url, headers={"Range": "bytes=0-9"})
    assert b"".join(first.streaming_content) == CSV[:10]
    assert counted == [(output.pk, "data.csv")]


def test_range_past_the_end_is_416(client, repo):
    output = repo.deposit(kind="dataset", files=[("data.csv", CSV, "open")])
    f = _file(output, "data.csv")
    response = client.get(f"/en/outputs/files/{f.key}/data.csv",
                          headers={"Range": f"bytes={len(CSV)}-"})  # fmt: skip
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(CSV)}"


def test_if_range_with_another_etag_serves_the_whole_file(client, repo):
    output = repo.deposit(kind="dataset", files=[("data.csv", CSV, "open")])
    f = _file(output, "data.csv")
    response = client.get(f"/en/outputs/files/{f.key}/data.csv",
                          headers={"Range": "bytes=0-9", "If-Range": '"stale"'})  # fmt: skip
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CSV


def test_if_none_match_answers_304(client, repo, counted):
    output = repo.deposit()
    f = _file(output, "aam.pdf")
    response = client.get(f"/en/outputs/files/{f.key}/aam.pdf",
                          headers={"If-None-Match": f'"{f.stored.sha256}"'})  # fmt: skip
    assert response.status_code == 304
    assert response["ETag"] == f'"{f.stored.sha256}"'
    assert response.content == b""
    assert counted == []


def test_restricted_file_never_answers_304_either(client, repo):
    output = repo.deposit(files=[("raw.csv", CSV, "restricted")])
    f = _file(output, "raw.csv")
    response = client.get(f"/en/outputs/files/{f.key}/raw.csv",
                          headers={"If-None-Match": "*"})  # fmt: skip
    assert response.status_code == 404


# ------------------------------------------------------------------ query counts


def _authors(n, repo):
    return [
        {
            "family_name_en": f"Author{i}",
            "given_name_en": "Test",
            "family_name_ja": f"著者{i}",
            "affiliation": repo.university,
        }
        for i in range(n)
    ]


def test_landing_page_queries_do_not_grow_with_authors_and_files(
    client, repo, django_assert_max_num_queries, django_assert_num_queries
):
    small = repo.deposit(creators=_authors(1, repo))
    big = repo.deposit(
        title_en="Another",
        creators=_authors(5, repo),
        files=[(f"f{i}.csv", CSV + str(i).encode(), "open" if i % 2 else "restricted")
               for i in range(5)],
    )  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/en/outputs/{small.pk}/").status_code == 200
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(f"/en/outputs/{big.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        client.get(f"/ja/outputs/{big.pk}/")


def test_citation_downloads(client, repo):
    output = repo.deposit()
    bib = client.get(f"/en/outputs/{output.pk}/cite.bib")
    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert bib["Content-Disposition"] == 'attachment; filename="yamada2026demonstrating.bib"'
    assert bib.content.decode().startswith("@article{yamada2026demonstrating,")
    ris = client.get(f"/ja/outputs/{output.pk}/cite.ris")
    assert ris["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert ris["Content-Disposition"] == 'attachment; filename="yamada2026demonstrating.ris"'
    assert ris.content.decode().endswith("ER  - \r\n")
