"""OAI-PMH 2.0 at /oai: the six verbs, every error code, dates at the second,
resumption tokens (keyset, signed, expiring) and a fixed number of queries per
page. Every answer is validated against OAI-PMH.xsd (oai.testing.oai_get)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from lxml import etree

from openrd.core.tests import pdfs
from openrd.repository import services
from openrd.repository.models import Output
from openrd.repository.oai import tokens
from openrd.repository.oai.arguments import ArgumentError, check_arguments, date_range
from openrd.repository.oai.testing import OAI_NS, error_codes, oai_get
from openrd.repository.oai.views import oai_identifier, output_pk
from openrd.repository.vocabularies import RESOURCE_TYPES

NS = OAI_NS


def texts(document: etree._Element, path: str) -> list[str]:
    return [e.text or "" for e in document.iterfind(path, NS)]


def stamp(output: Output, moment: datetime) -> None:
    Output.objects.filter(pk=output.pk).update(datestamp=moment)


def request_attributes(document: etree._Element) -> dict[str, str]:
    return dict(document.find("o:request", NS).attrib)


# --- pure rules: arguments and dates (no database) ---------------------------


def test_arguments_repeated_unknown_missing_and_exclusive_token():
    with pytest.raises(ArgumentError, match="repeated"):
        check_arguments("ListRecords", {"metadataPrefix": ["oai_dc", "oai_dc"]})
    with pytest.raises(ArgumentError, match="does not take"):
        check_arguments("Identify", {"identifier": ["x"]})
    with pytest.raises(ArgumentError, match="needs"):
        check_arguments("GetRecord", {"identifier": ["x"]})
    with pytest.raises(ArgumentError) as token_and_more:
        check_arguments("ListRecords", {"resumptionToken": ["t"], "metadataPrefix": ["oai_dc"]})
    assert token_and_more.value.code == "badArgument"
    assert check_arguments("ListSets", {"resumptionToken": ["t"]}) == {"resumptionToken": "t"}


def test_date_range_second_and_day_granularity():
    second = date_range("2026-05-01T03:00:00Z", "2026-05-01T03:00:00Z")
    assert second.start == datetime(2026, 5, 1, 3, 0, 0, tzinfo=UTC)
    # until names a whole second: a datestamp of 03:00:00.5 is inside it.
    assert second.end == datetime(2026, 5, 1, 3, 0, 1, tzinfo=UTC)
    day = date_range(None, "2026-05-01")
    assert day.start is None
    assert day.end == datetime(2026, 5, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("from_", "until"),
    [
        ("2026-05-02", "2026-05-01"),
        ("2026-05-01T00:00:01Z", "2026-05-01T00:00:00Z"),
        ("2026-05-01", "2026-05-01T00:00:00Z"),
        ("2026-05-01T00:00:00", None),
        ("2026-13-01", None),
        ("", None),
        (None, "yesterday"),
    ],
)
def test_date_range_refuses_bad_dates(from_, until):
    with pytest.raises(ArgumentError):
        date_range(from_, until)


def test_identifiers_of_this_repository_only():
    assert oai_identifier(42) == "oai:openrd.localhost:42"
    assert output_pk("oai:openrd.localhost:42") == 42
    assert output_pk("oai:other.example:42") is None
    assert output_pk("oai:openrd.localhost:4x") is None


def test_token_round_trip_expiry_and_forgery(settings):
    now = timezone.now()
    position = tokens.Position(verb="ListRecords", prefix="oai_dc", last_id=7, complete=9)
    value, expires = tokens.issue(position, now)
    assert expires == now + timedelta(hours=48)
    assert tokens.read(value, "ListRecords", now).last_id == 7
    with pytest.raises(tokens.BadToken):
        tokens.read(value, "ListIdentifiers", now)
    with pytest.raises(tokens.BadToken):
        tokens.read(value, "ListRecords", now + timedelta(hours=48))
    with pytest.raises(tokens.BadToken):
        tokens.read(value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1], "ListRecords", now)
    settings.OPENRD_OAI_TOKEN_HOURS = 1  # never less than a day
    assert tokens.token_lifetime() == timedelta(hours=24)


# --- the verbs ------------------------------------------------------------------


@pytest.mark.django_db
def test_identify(client, repo, settings):
    settings.OPENRD_OAI_ADMIN_EMAIL = ""
    first = repo.deposit(now=datetime(2026, 5, 1, 12, 0, 0, 250000, tzinfo=UTC))
    repo.deposit(title_en="Later")
    doc = oai_get(client, verb="Identify")
    body = doc.find("o:Identify", NS)
    assert body.findtext("o:repositoryName", namespaces=NS) == "OpenRD 研究成果リポジトリ"
    assert body.findtext("o:baseURL", namespaces=NS) == "http://testserver/oai"
    assert body.findtext("o:protocolVersion", namespaces=NS) == "2.0"
    assert body.findtext("o:adminEmail", namespaces=NS) == "no-reply@openrd.localhost"
    assert body.findtext("o:earliestDatestamp", namespaces=NS) == "2026-05-01T12:00:00Z"
    assert body.findtext("o:deletedRecord", namespaces=NS) == "persistent"
    assert body.findtext("o:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert texts(doc, ".//id:repositoryIdentifier") == ["openrd.localhost"]
    assert request_attributes(doc) == {"verb": "Identify"}
    assert first.pk


@pytest.mark.django_db
def test_identify_takes_its_names_from_settings(client, settings):
    settings.OPENRD_OAI_REPOSITORY_NAME = "Test repository"
    settings.OPENRD_OAI_ADMIN_EMAIL = "oai@example.org"
    settings.OPENRD_OAI_REPOSITORY_IDENTIFIER = "repo.example.org"
    doc = oai_get(client, verb="Identify")
    assert texts(doc, ".//o:repositoryName") == ["Test repository"]
    assert texts(doc, ".//o:adminEmail") == ["oai@example.org"]
    assert texts(doc, ".//id:sampleIdentifier") == ["oai:repo.example.org:1"]


@pytest.mark.django_db
def test_post_is_answered_like_get(client, repo):
    repo.deposit()
    got = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    posted = oai_get(client, method="post", verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert texts(posted, ".//o:identifier") == texts(got, ".//o:identifier") != []


@pytest.mark.django_db
def test_list_metadata_formats_with_and_without_identifier(client, repo):
    output = repo.deposit()
    every = oai_get(client, verb="ListMetadataFormats")
    assert texts(every, ".//o:metadataPrefix") == ["oai_dc", "jpcoar_2.0"]
    assert "https://github.com/JPCOAR/schema/blob/master/2.0/" in texts(
        every, ".//o:metadataNamespace"
    )
    one = oai_get(client, verb="ListMetadataFormats", identifier=oai_identifier(output.pk))
    assert texts(one, ".//o:metadataPrefix") == ["oai_dc", "jpcoar_2.0"]
    missing = oai_get(client, verb="ListMetadataFormats", identifier="oai:openrd.localhost:999999")
    assert error_codes(missing) == ["idDoesNotExist"]
    services.withdraw(output, actor=repo.curator, reason="Duplicate")
    deleted = oai_get(client, verb="ListMetadataFormats", identifier=oai_identifier(output.pk))
    assert error_codes(deleted) == ["noMetadataFormats"]


@pytest.mark.django_db
def test_list_sets_names_in_japanese_and_pages(client, repo, settings):
    repo.deposit()
    doc = oai_get(client, verb="ListSets")
    sets = dict(zip(texts(doc, ".//o:setSpec"), texts(doc, ".//o:setName"), strict=True))
    assert sets["institution:tsukuba-demo"] == "つくば量子大学"
    with translation.override("ja"):
        assert sets["type:journal_article"] == str(RESOURCE_TYPES["journal_article"].label)
    assert any(spec.startswith("program:moonshot") for spec in sets)
    assert list(sets) == sorted(sets)
    settings.OPENRD_OAI_PAGE_SIZE = 1
    seen, token = [], None
    while True:
        page = oai_get(client, verb="ListSets", **({"resumptionToken": token} if token else {}))
        seen += texts(page, ".//o:setSpec")
        element = page.find(".//o:resumptionToken", NS)
        assert element is not None
        assert element.get("completeListSize") == str(len(sets))
        token = element.text
        if not token:
            break
    assert seen == list(sets)


@pytest.mark.django_db
def test_get_record_and_its_errors(client, repo):
    output = repo.deposit()
    doc = oai_get(
        client, verb="GetRecord", identifier=oai_identifier(output.pk), metadataPrefix="oai_dc"
    )
    assert texts(doc, ".//o:header/o:identifier") == [oai_identifier(output.pk)]
    assert "Demonstrating quantum error correction" in texts(doc, ".//dc:title")
    assert request_attributes(doc) == {
        "verb": "GetRecord", "identifier": oai_identifier(output.pk), "metadataPrefix": "oai_dc",
    }  # fmt: skip
    unknown = oai_get(
        client, verb="GetRecord", identifier="oai:openrd.localhost:0", metadataPrefix="oai_dc"
    )
    assert error_codes(unknown) == ["idDoesNotExist"]
    assert request_attributes(unknown)["identifier"] == "oai:openrd.localhost:0"
    bad_format = oai_get(
        client, verb="GetRecord", identifier=oai_identifier(output.pk), metadataPrefix="marc21"
    )
    assert error_codes(bad_format) == ["cannotDisseminateFormat"]
    both = oai_get(client, verb="GetRecord", identifier="nonsense", metadataPrefix="marc21")
    assert sorted(error_codes(both)) == ["cannotDisseminateFormat", "idDoesNotExist"]


@pytest.mark.django_db
def test_deleted_record_is_a_header_with_status_deleted(client, repo):
    output = repo.deposit()
    services.withdraw(output, actor=repo.curator, reason="Duplicate deposit")
    for prefix in ("oai_dc", "jpcoar_2.0"):
        doc = oai_get(
            client, verb="GetRecord", identifier=oai_identifier(output.pk), metadataPrefix=prefix
        )
        header = doc.find(".//o:header", NS)
        assert header.get("status") == "deleted"
        assert doc.find(".//o:metadata", NS) is None
    listed = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert [h.get("status") for h in listed.iterfind(".//o:header", NS)] == ["deleted"]
    ids = oai_get(client, verb="ListIdentifiers", metadataPrefix="jpcoar_2.0")
    assert [h.get("status") for h in ids.iterfind(".//o:header", NS)] == ["deleted"]


@pytest.mark.django_db
def test_a_draft_or_a_record_awaiting_curation_never_appears(client, repo):
    draft = repo.deposit(publish=False, title_en="Draft canary zebra")
    submitted = repo.deposit(publish=False, title_en="Submitted canary zebra")
    services.submit(submitted, actor=repo.pi)
    published = repo.deposit(title_en="Published")
    for params in (
        {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        {"verb": "ListRecords", "metadataPrefix": "jpcoar_2.0"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
        {"verb": "ListSets"},
        {"verb": "Identify"},
    ):
        body = client.get("/oai", params).content.decode()
        assert "canary zebra" not in body
        doc = oai_get(client, **params)
        assert texts(doc, ".//o:header/o:identifier") in ([], [oai_identifier(published.pk)])
    for output in (draft, submitted):
        doc = oai_get(client, verb="GetRecord", identifier=oai_identifier(output.pk),
                      metadataPrefix="jpcoar_2.0")  # fmt: skip
        assert error_codes(doc) == ["idDoesNotExist"]


# --- errors -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{}, {"verb": "Harvest"}, {"verb": ["Identify", "Identify"]}, {"verb": ""}],
    ids=["missing", "unknown", "repeated", "empty"],
)
def test_bad_verb_echoes_no_arguments(client, params):
    doc = oai_get(client, **params)
    assert error_codes(doc) == ["badVerb"]
    assert request_attributes(doc) == {}
    assert doc.find("o:request", NS).text == "http://testserver/oai"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"verb": "ListRecords"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "colour": "red"},
        {"verb": "ListRecords", "metadataPrefix": ["oai_dc", "jpcoar_2.0"]},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from_": "2026-02-30"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from_": "2026-05-01T10:00Z"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from_": "2026-05-02",
         "until": "2026-05-01"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "from_": "2026-05-01",
         "until": "2026-05-02T00:00:00Z"},
        {"verb": "GetRecord", "identifier": "oai:openrd.localhost:1"},
        {"verb": "Identify", "metadataPrefix": "oai_dc"},
        {"verb": "ListSets", "set": "type:dataset"},
        {"verb": "ListMetadataFormats", "identifier": ["a", "b"]},
    ],
    ids=["missing prefix", "extra", "repeated", "bad date", "minutes", "from after until",
         "granularities", "no prefix", "identify extra", "sets take no set", "repeated id"],
)  # fmt: skip
def test_bad_argument_echoes_no_arguments(client, params):
    doc = oai_get(client, **params)
    assert error_codes(doc) == ["badArgument"]
    assert request_attributes(doc) == {}


@pytest.mark.django_db
def test_cannot_disseminate_and_no_records_match(client, repo):
    repo.deposit()
    doc = oai_get(client, verb="ListRecords", metadataPrefix="mods")
    assert error_codes(doc) == ["cannotDisseminateFormat"]
    assert request_attributes(doc) == {"verb": "ListRecords", "metadataPrefix": "mods"}
    for params in (
        {"set": "institution:nowhere"},
        {"set": "type:dataset"},
        {"set": "nonsense"},
        {"from_": "2999-01-01"},
        {"until": "2000-01-01T00:00:00Z"},
    ):
        for verb in ("ListRecords", "ListIdentifiers"):
            doc = oai_get(client, verb=verb, metadataPrefix="oai_dc", **params)
            assert error_codes(doc) == ["noRecordsMatch"], params


@pytest.mark.django_db
def test_empty_repository_matches_no_records_but_lists_sets(client):
    doc = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert error_codes(doc) == ["noRecordsMatch"]
    assert texts(oai_get(client, verb="ListSets"), ".//o:setSpec")  # never an empty list


@pytest.mark.django_db
def test_bad_resumption_tokens(client, repo, settings):
    settings.OPENRD_OAI_PAGE_SIZE = 1
    repo.deposit()
    repo.deposit(title_en="Second")
    first = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(".//o:resumptionToken", NS).text
    tampered = token[:10] + ("x" if token[10] != "x" else "y") + token[11:]
    expired, _ = tokens.issue(
        tokens.Position(verb="ListIdentifiers", prefix="oai_dc", complete=2, snapshot=""),
        timezone.now() - timedelta(hours=48, seconds=1),
    )
    for bad in (tampered, expired, "not-a-token", ""):
        doc = oai_get(client, verb="ListIdentifiers", resumptionToken=bad)
        assert error_codes(doc) == ["badResumptionToken"]
        assert request_attributes(doc) == {"verb": "ListIdentifiers", "resumptionToken": bad}
    # A token of ListIdentifiers does not continue ListRecords.
    doc = oai_get(client, verb="ListRecords", resumptionToken=token)
    assert error_codes(doc) == ["badResumptionToken"]
    # Beside other arguments a token makes the request illegal (it is exclusive).
    doc = oai_get(client, verb="ListIdentifiers", resumptionToken=token, metadataPrefix="oai_dc")
    assert error_codes(doc) == ["badArgument"]
    # The genuine token still works.
    assert texts(oai_get(client, verb="ListIdentifiers", resumptionToken=token), ".//o:identifier")


# --- from / until at the second -----------------------------------------------


@pytest.mark.django_db
def test_from_and_until_at_the_second(client, repo):
    output = repo.deposit()
    stamp(output, datetime(2026, 5, 1, 3, 0, 0, 500000, tzinfo=UTC))

    def found(**params: str) -> bool:
        doc = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        return not error_codes(doc)

    assert found(until="2026-05-01T03:00:00Z")  # 00.5 is within the second named
    assert not found(until="2026-05-01T02:59:59Z")
    assert found(from_="2026-05-01T03:00:00Z")
    assert not found(from_="2026-05-01T03:00:01Z")  # 01 is out
    assert found(from_="2026-05-01T03:00:00Z", until="2026-05-01T03:00:00Z")
    assert found(until="2026-05-01")
    assert found(from_="2026-05-01")
    assert not found(from_="2026-05-02")
    assert not found(until="2026-04-30")
    doc = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert texts(doc, ".//o:datestamp") == ["2026-05-01T03:00:00Z"]


@pytest.mark.django_db
def test_set_selects_its_records(client, repo):
    article = repo.deposit()
    dataset = repo.deposit(kind="dataset", title_en="Measurements")
    doc = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="type:dataset")
    assert texts(doc, ".//o:header/o:identifier") == [oai_identifier(dataset.pk)]
    doc = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc",
                  set="institution:tsukuba-demo")  # fmt: skip
    assert set(texts(doc, ".//o:header/o:identifier")) == {
        oai_identifier(article.pk), oai_identifier(dataset.pk)
    }  # fmt: skip
    specs = texts(doc, ".//o:header/o:setSpec")
    assert "type:journal_article" in specs
    assert "institution:tsukuba-demo" in specs


# --- resumption ---------------------------------------------------------------


def harvest_all(client, verb: str, **params: str) -> tuple[list[str], list[etree._Element]]:
    """Every identifier of a list harvest, and the resumptionToken elements."""
    ids, elements = [], []
    doc = oai_get(client, verb=verb, **params)
    while True:
        ids += texts(doc, ".//o:header/o:identifier")
        element = doc.find(".//o:resumptionToken", NS)
        if element is None:
            return ids, elements
        elements.append(element)
        if not element.text:
            return ids, elements
        doc = oai_get(client, verb=verb, resumptionToken=element.text)


@pytest.mark.django_db
def test_resumption_pages_to_the_end_with_an_empty_token(client, repo, settings):
    settings.OPENRD_OAI_PAGE_SIZE = 2
    base = datetime(2026, 5, 1, tzinfo=UTC)
    outputs = [repo.deposit(title_en=f"Record {i}") for i in range(5)]
    # Two records share a datestamp: the id orders them, none is lost between pages.
    for i, output in enumerate(outputs):
        stamp(output, base + timedelta(seconds=min(i, 3)))
    ids, elements = harvest_all(client, "ListRecords", metadataPrefix="oai_dc")
    assert ids == [oai_identifier(o.pk) for o in outputs]
    assert [e.get("cursor") for e in elements] == ["0", "2", "4"]
    assert {e.get("completeListSize") for e in elements} == {"5"}
    assert elements[-1].text is None
    assert elements[-1].get("expirationDate") is None
    expires = datetime.strptime(elements[0].get("expirationDate"), "%Y-%m-%dT%H:%M:%SZ")
    assert abs(expires.replace(tzinfo=UTC) - (timezone.now() + timedelta(hours=48))) < timedelta(
        minutes=1
    )


@pytest.mark.django_db
def test_a_list_that_fits_one_page_has_no_token(client, repo):
    repo.deposit()
    doc = oai_get(client, verb="ListRecords", metadataPrefix="jpcoar_2.0")
    assert doc.find(".//o:resumptionToken", NS) is None


@pytest.mark.django_db
def test_token_continues_in_place_when_records_arrive_mid_harvest(client, repo, settings):
    settings.OPENRD_OAI_PAGE_SIZE = 2
    old = [repo.deposit(title_en=f"Old {i}") for i in range(4)]
    for i, output in enumerate(old):
        stamp(output, datetime(2026, 5, 1, tzinfo=UTC) + timedelta(minutes=i))
    first = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.find(".//o:resumptionToken", NS).text
    newcomer = repo.deposit(title_en="Arrived during the harvest")
    # A record changed mid-harvest moves past the harvest's end: it comes next time.
    moved = old[0]
    stamp(moved, timezone.now())
    second = oai_get(client, verb="ListIdentifiers", resumptionToken=token)
    element = second.find(".//o:resumptionToken", NS)
    assert texts(second, ".//o:header/o:identifier") == [oai_identifier(o.pk) for o in old[2:]]
    assert element.text is None
    assert element.get("completeListSize") == "4"
    # The next incremental harvest, from the start of this one, sees both.
    since = (timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", from_=since)
    assert set(texts(later, ".//o:header/o:identifier")) == {
        oai_identifier(newcomer.pk), oai_identifier(moved.pk)
    }  # fmt: skip


@pytest.mark.django_db
def test_deep_pages_are_a_keyset_not_an_offset(client, repo, settings):
    settings.OPENRD_OAI_PAGE_SIZE = 1
    for i in range(3):
        repo.deposit(title_en=f"Record {i}")
    doc = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    token = doc.find(".//o:resumptionToken", NS).text
    doc = oai_get(client, verb="ListRecords", resumptionToken=token)
    token = doc.find(".//o:resumptionToken", NS).text
    with CaptureQueriesContext(connection) as deep:
        oai_get(client, verb="ListRecords", resumptionToken=token)
    sql = " ".join(q["sql"].upper() for q in deep.captured_queries)
    assert "OFFSET" not in sql
    # The place is a lower bound the index can start from, not a filter on all before it.
    assert '"DATESTAMP" >=' in sql
    assert "COUNT(" not in sql  # the size was counted once, at the first page


def deposit_many(repo, n: int) -> None:
    for i in range(n):
        repo.deposit(
            title_en=f"Record {i}",
            files=[(f"aam-{i}.pdf", pdfs.plain(f"record {i}"), "open")],
            keywords=["quantum", f"k{i}"],
        )


@pytest.mark.django_db
@pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers"])
def test_queries_per_page_do_not_grow_with_the_page(
    client, repo, settings, django_assert_max_num_queries, verb
):
    deposit_many(repo, 30)
    counts = {}
    for size in (3, 30):
        settings.OPENRD_OAI_PAGE_SIZE = size
        for prefix in ("oai_dc", "jpcoar_2.0"):
            with CaptureQueriesContext(connection) as first:
                doc = oai_get(client, verb=verb, metadataPrefix=prefix)
            assert len(doc.findall(".//o:header", NS)) == size
            counts[size, prefix] = len(first)
    assert counts[3, "oai_dc"] == counts[30, "oai_dc"] == counts[30, "jpcoar_2.0"]
    settings.OPENRD_OAI_PAGE_SIZE = 30
    with django_assert_max_num_queries(counts[3, "oai_dc"]):
        oai_get(client, verb=verb, metadataPrefix="jpcoar_2.0")


@pytest.mark.django_db
def test_canary_restricted_and_embargoed_files_never_appear(client, repo):
    """A restricted file's name and URL, and an embargoed record's file URL, are
    in no answer of any verb, in any format."""
    open_record = repo.deposit(
        files=[("open-aam.pdf", pdfs.plain("open"), "open"),
               ("restricted-canary-tapir.pdf", pdfs.plain("secret"), "restricted")],
    )  # fmt: skip
    embargoed = repo.deposit(
        kind="dataset",
        title_en="Embargoed data",
        access_rights="embargoed",
        embargo_until=date(2099, 1, 1),
        files=[("embargoed-canary-okapi.csv", b"a,b\n1,2\n", "open")],
    )
    hidden = [f.key.hex for f in open_record.files.filter(access="restricted")]
    hidden += [str(f.key) for f in open_record.files.filter(access="restricted")]
    hidden += [str(f.key) for f in embargoed.files.all()] + [
        f.key.hex for f in embargoed.files.all()
    ]
    hidden += ["restricted-canary-tapir", "embargoed-canary-okapi"]
    requests = [{"verb": "Identify"}, {"verb": "ListSets"}, {"verb": "ListMetadataFormats"}]
    for prefix in ("oai_dc", "jpcoar_2.0"):
        requests += [{"verb": "ListRecords", "metadataPrefix": prefix},
                     {"verb": "ListIdentifiers", "metadataPrefix": prefix}]  # fmt: skip
        for output in (open_record, embargoed):
            requests.append({"verb": "GetRecord", "metadataPrefix": prefix,
                             "identifier": oai_identifier(output.pk)})  # fmt: skip
            requests.append(
                {"verb": "ListMetadataFormats", "identifier": oai_identifier(output.pk)}
            )
    for params in requests:
        body = client.get("/oai", params).content.decode()
        for secret in hidden:
            assert secret not in body, (params, secret)
    # The open file is there, so the canary would have seen a leak.
    body = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "jpcoar_2.0"}).content
    assert b"open-aam.pdf" in body
