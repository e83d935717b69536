"""The two metadata formats, record by record: oai_dc and JPCOAR 2.0, each
validated alone against its schema (and inside the response against
OAI-PMH.xsd), with what each element must carry."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from openrd.accounts.models import Organisation
from openrd.core.tests import pdfs
from openrd.repository import services
from openrd.repository.models import Output
from openrd.repository.oai.formats import _extent, grant_agreement
from openrd.repository.oai.testing import OAI_NS, oai_get, require_schemas
from openrd.repository.oai.views import oai_identifier
from openrd.repository.records import Funding, Name

NS = OAI_NS
J = "{https://github.com/JPCOAR/schema/blob/master/2.0/}"
RDF_RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(autouse=True)
def schemas() -> None:
    require_schemas()


def record(client, output: Output, prefix: str):
    doc = oai_get(client, verb="GetRecord", identifier=oai_identifier(output.pk),
                  metadataPrefix=prefix)  # fmt: skip
    metadata = doc.find(".//o:metadata", NS)
    assert metadata is not None
    return metadata[0]


def texts(element, path: str) -> list[str]:
    return [e.text or "" for e in element.iterfind(path, NS)]


@pytest.fixture
def funded(repo):
    """The award's funder with both identifiers JPCOAR knows."""
    Organisation.objects.filter(code="jst").update(erad_funder_code="1020",
                                                   crossref_funder_id="501100002241")  # fmt: skip
    return repo


# --- pure helpers -------------------------------------------------------------


def test_grant_agreement_quotes_each_part():
    funding = Funding(
        funder=Name("科学技術振興機構", "Japan Science and Technology Agency"),
        erad_funder_code="1020",
        crossref_funder_id="",
        program=Name("ムーンショット", "Moonshot R&D"),
        award_number="JPMJMS2561",
        award_number_is_jgn=True,
        award_uri="",
        award_title=Name("", ""),
    )
    assert grant_agreement(funding) == (
        "info:eu-repo/grantAgreement/Japan%20Science%20and%20Technology%20Agency/"
        "Moonshot%20R%26D/JPMJMS2561"
    )


def test_extent_is_human_sized():
    assert _extent(512) == "512 B"
    assert _extent(3 * 1024 * 1024) == "3.0 MB"


# --- oai_dc -----------------------------------------------------------------


@pytest.mark.django_db
def test_oai_dc_record(client, funded):
    output = funded.deposit(keywords=["quantum error correction"], abstract_ja="概要",
                            abstract_en="Abstract", publisher="APS")  # fmt: skip
    dc = record(client, output, "oai_dc")
    titles = {e.get(LANG): e.text for e in dc.iterfind("dc:title", NS)}
    assert titles == {"ja": "量子誤り訂正の実証", "en": "Demonstrating quantum error correction"}
    assert "山田 花子" in texts(dc, "dc:creator")
    assert "Hanako Yamada" in texts(dc, "dc:creator")
    assert texts(dc, "dc:subject") == ["quantum error correction"]
    assert set(texts(dc, "dc:description")) == {"概要", "Abstract"}
    assert texts(dc, "dc:publisher") == ["APS"]
    assert texts(dc, "dc:date") == ["2026-04-10"]
    types = texts(dc, "dc:type")
    assert "info:eu-repo/semantics/article" in types
    assert "journal article" in types
    assert "info:eu-repo/semantics/acceptedVersion" in types
    identifiers = texts(dc, "dc:identifier")
    assert f"http://testserver/ja/outputs/{output.pk}/" in identifiers or any(
        i.endswith(f"/outputs/{output.pk}/") for i in identifiers
    )
    assert "https://doi.org/10.1103/PhysRevResearch.1.000001" in identifiers
    assert texts(dc, "dc:language") == ["eng"]
    rights = texts(dc, "dc:rights")
    assert "http://purl.org/coar/access_right/c_abf2" in rights
    assert "https://creativecommons.org/licenses/by/4.0/" in rights
    relations = texts(dc, "dc:relation")
    assert any(r.startswith("info:eu-repo/grantAgreement/") and r.endswith("/JPMJMS2561")
               for r in relations)  # fmt: skip


# --- JPCOAR 2.0 ---------------------------------------------------------------


@pytest.mark.django_db
def test_jpcoar_record(client, funded):
    output = funded.deposit(
        keywords=["qubits"], abstract_ja="概要", abstract_en="Abstract", publisher="APS",
        issn="2643-1564", volume="8", issue="2", page_start="101", page_end="112",
    )  # fmt: skip
    root = record(client, output, "jpcoar_2.0")
    assert root.tag == f"{J}jpcoar"
    assert {e.get(LANG) for e in root.iterfind("dc:title", NS)} == {"ja", "en"}
    creator = root.find("jpcoar:creator", NS)
    schemes = {e.get("nameIdentifierScheme"): e for e in creator.iterfind("jpcoar:nameIdentifier",
                                                                           NS)}  # fmt: skip
    assert schemes["e-Rad_Researcher"].text == "12345678"
    assert schemes["ORCID"].get("nameIdentifierURI") == "https://orcid.org/0000-0002-1825-0097"
    names = {e.get(LANG): e.text for e in creator.iterfind("jpcoar:creatorName", NS)}
    assert names == {"ja": "山田, 花子", "en": "Yamada, Hanako"}
    affiliation = creator.find("jpcoar:affiliation", NS)
    ror = affiliation.find("jpcoar:nameIdentifier", NS)
    assert ror.get("nameIdentifierScheme") == "ROR"
    assert ror.get("nameIdentifierURI") == "https://ror.org/02956yf07"
    assert "つくば量子大学" in texts(affiliation, "jpcoar:affiliationName")
    access = root.find("dcterms:accessRights", NS)
    assert access.get(RDF_RESOURCE) == "http://purl.org/coar/access_right/c_abf2"
    assert access.text == "open access"
    assert root.find("dc:rights", NS).get(RDF_RESOURCE) == (
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert texts(root, "jpcoar:subject") == ["qubits"]
    assert root.find("datacite:description", NS).get("descriptionType") == "Abstract"
    dates = {e.get("dateType"): e.text for e in root.iterfind("datacite:date", NS)}
    assert dates["Issued"] == "2026-04-10"
    assert root.find("dc:type", NS).get(RDF_RESOURCE) == "http://purl.org/coar/resource_type/c_6501"
    assert root.find("oaire:version", NS).text == "AM"
    ids = {e.get("identifierType"): e.text for e in root.iterfind("jpcoar:identifier", NS)}
    assert ids["URI"].endswith(f"/outputs/{output.pk}/")
    relations = {
        (r.get("relationType"), r.findtext("jpcoar:relatedIdentifier", namespaces=NS))
        for r in root.iterfind("jpcoar:relation", NS)
    }
    # An accepted manuscript is a version of the journal's article.
    assert ("isVersionOf", "https://doi.org/10.1103/PhysRevResearch.1.000001") in relations
    assert any(kind == "isVersionOf" and f"/c/{output.concept_id}/" in uri
               for kind, uri in relations)  # fmt: skip
    funding = root.find("jpcoar:fundingReference", NS)
    funder_id = funding.find("jpcoar:funderIdentifier", NS)
    assert (funder_id.get("funderIdentifierType"), funder_id.text) == ("e-Rad_funder", "1020")
    award = funding.find("jpcoar:awardNumber", NS)
    assert (award.text, award.get("awardNumberType")) == ("JPMJMS2561", "JGN")
    assert award.get("awardURI", "").startswith("http://testserver/")
    assert texts(funding, "jpcoar:awardTitle")
    assert texts(funding, "jpcoar:fundingStream")
    source = root.find("jpcoar:sourceIdentifier", NS)
    assert (source.get("identifierType"), source.text) == ("ISSN", "2643-1564")
    assert texts(root, "jpcoar:sourceTitle") == ["Physical Review Research"]
    assert [texts(root, f"jpcoar:{n}") for n in ("volume", "issue", "pageStart", "pageEnd")] == [
        ["8"], ["2"], ["101"], ["112"]
    ]  # fmt: skip
    (file,) = root.iterfind("jpcoar:file", NS)
    uri = file.find("jpcoar:URI", NS)
    assert uri.get("objectType") == "fulltext"
    assert uri.text.startswith("http://testserver/")
    assert texts(file, "jpcoar:mimeType") == ["application/pdf"]
    assert texts(file, "jpcoar:extent")
    assert file.find("datacite:date", NS).get("dateType") == "Available"


@pytest.mark.django_db
def test_crossref_funder_when_there_is_no_erad_code(client, repo):
    Organisation.objects.filter(code="jst").update(erad_funder_code="",
                                                   crossref_funder_id="501100002241")  # fmt: skip
    output = repo.deposit()
    Output.objects.filter(pk=output.pk).update(funder=Organisation.objects.get(code="jst"))
    funder_id = record(client, output, "jpcoar_2.0").find(".//jpcoar:funderIdentifier", NS)
    assert funder_id.get("funderIdentifierType") == "Crossref Funder"
    assert funder_id.text == "https://doi.org/10.13039/501100002241"


@pytest.mark.django_db
def test_a_grant_number_that_is_no_jgn_is_written_without_the_type(client, repo):
    repo.award.japan_grant_number = ""
    repo.award.save(update_fields=["japan_grant_number"])
    output = repo.deposit()
    award = record(client, output, "jpcoar_2.0").find(".//jpcoar:awardNumber", NS)
    assert award.text == "TEST-MS6-01"
    assert award.get("awardNumberType") is None


@pytest.mark.django_db
def test_embargoed_record_says_when_and_shows_no_file(client, repo):
    output = repo.deposit(
        kind="dataset", title_en="Embargoed measurements", access_rights="embargoed",
        embargo_until=date(2099, 4, 1),
        files=[("data-embargoed.csv", b"a,b\n1,2\n", "open")],
    )  # fmt: skip
    root = record(client, output, "jpcoar_2.0")
    access = root.find("dcterms:accessRights", NS)
    assert access.get(RDF_RESOURCE) == "http://purl.org/coar/access_right/c_f1cf"
    assert access.text == "embargoed access"
    dates = {e.get("dateType"): e.text for e in root.iterfind("datacite:date", NS)}
    assert dates["Available"] == "2099-04-01"
    assert root.find("jpcoar:file", NS) is None
    dc = record(client, output, "oai_dc")
    assert "info:eu-repo/semantics/embargoedAccess" in texts(dc, "dc:rights")


@pytest.mark.django_db
def test_restricted_file_is_not_in_the_record(client, repo):
    output = repo.deposit(files=[("open.pdf", pdfs.plain("o"), "open"),
                                 ("restricted.pdf", pdfs.plain("r"), "restricted")])  # fmt: skip
    root = record(client, output, "jpcoar_2.0")
    assert [u.get("label") for u in root.iterfind("jpcoar:file/jpcoar:URI", NS)] == ["open.pdf"]


@pytest.mark.django_db
def test_versions_relate_to_each_other_and_to_the_concept(client, repo):
    first = repo.deposit()
    draft = services.new_version(first, actor=repo.pi)
    services.submit(draft, actor=repo.pi)
    services.curate(draft, actor=repo.curator)
    second = services.publish(draft, actor=repo.curator)
    older = record(client, first, "jpcoar_2.0")
    newer = record(client, second, "jpcoar_2.0")

    def relations(root) -> set[tuple[str, str]]:
        return {(r.get("relationType"), r.findtext("jpcoar:relatedIdentifier", namespaces=NS))
                for r in root.iterfind("jpcoar:relation", NS)}  # fmt: skip

    assert any(k == "isReplacedBy" and u.endswith(f"/outputs/{second.pk}/")
               for k, u in relations(older))  # fmt: skip
    assert any(k == "replaces" and u.endswith(f"/outputs/{first.pk}/")
               for k, u in relations(newer))  # fmt: skip
    concept = {u for k, u in relations(newer) if k == "isVersionOf" and "/c/" in u}
    assert concept == {u for k, u in relations(older) if k == "isVersionOf" and "/c/" in u}


@pytest.mark.django_db
def test_every_record_of_a_varied_repository_validates_in_both_formats(client, repo):
    """Articles, datasets, a withdrawn record, every resource type, creators with
    and without identifiers: each ListRecords page validates (oai_get does)."""
    from openrd.repository.vocabularies import RESOURCE_TYPES

    for key in RESOURCE_TYPES:
        repo.deposit(kind="other", resource_type=key, title_en=f"A {key}", title_ja="",
                     creators=[{"family_name_en": "Solo", "given_name_en": ""}])  # fmt: skip
    repo.deposit(kind="dataset", doi="10.5281/zenodo.1", keywords=["a", "b"], language="jpn",
                 page_start="e12")  # fmt: skip
    gone = repo.deposit(title_en="Withdrawn")
    services.withdraw(gone, actor=repo.curator, reason="Error")
    for prefix in ("oai_dc", "jpcoar_2.0"):
        doc = oai_get(client, verb="ListRecords", metadataPrefix=prefix)
        headers = doc.findall(".//o:header", NS)
        assert len(headers) == len(RESOURCE_TYPES) + 2
        assert len(doc.findall(".//o:metadata", NS)) == len(RESOURCE_TYPES) + 1


@pytest.mark.django_db
def test_datestamps_are_utc_to_the_second(client, repo):
    output = repo.deposit(now=datetime(2026, 5, 1, 9, 30, 15, 999999, tzinfo=UTC))
    doc = oai_get(client, verb="GetRecord", identifier=oai_identifier(output.pk),
                  metadataPrefix="oai_dc")  # fmt: skip
    assert doc.findtext(".//o:header/o:datestamp", namespaces=NS) == "2026-05-01T09:30:15Z"


@pytest.mark.django_db
def test_page_loader_builds_the_same_records_as_with_record(repo):
    """oai.pages.load_page (a harvest's pages) and queries.with_record (GetRecord)
    must give build_record the same record, relations and all."""
    from datetime import date as day

    from openrd.awards.services import create_award
    from openrd.repository.oai.pages import load_page
    from openrd.repository.queries import harvestable, with_record
    from openrd.repository.records import build_record

    other = create_award(
        actor=repo.staff, program=repo.award.program, grant_number="TEST-MS6-02",
        title_ja="別の研究", title_en="Another project", pi_name_ja="山田 花子",
        institution=repo.university, starts_on=day(2025, 10, 1), ends_on=day(2030, 3, 31),
        budget=[(2025, 10_000_000)], gates=[],
    )  # fmt: skip
    repo.deposit()  # a plain one beside
    rich = repo.deposit(
        files=[("a.pdf", pdfs.plain("a"), "open"), ("b.pdf", pdfs.plain("b"), "restricted"),
               ("c.pdf", pdfs.plain("c"), "open")],
        creators=[{"family_name_en": "One", "affiliation": repo.university},
                  {"family_name_en": "Two", "orcid": "0000-0002-1825-0097"}],
    )  # fmt: skip
    rich.other_awards.add(other)
    gone = repo.deposit()
    services.withdraw(gone, actor=repo.curator, reason="Error")
    rows = harvestable().order_by("datestamp", "id")

    def absolute(path: str) -> str:
        return "https://repo.example" + path

    expected = [build_record(o, absolute) for o in with_record(rows)]
    assert [build_record(o, absolute) for o in load_page(rows)] == expected
    assert len(expected[1].funding) == 2
    assert [f.name for f in expected[1].files] == ["a.pdf", "c.pdf"]
