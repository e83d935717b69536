"""A real harvest: the live server answers a real OAI-PMH client
(oaipmh_scythe) over HTTP, through several resumption pages, in both formats."""

from __future__ import annotations

import pytest
from oaipmh_scythe import Scythe
from oaipmh_scythe.config import HTTPConfig
from oaipmh_scythe.iterator import OAIResponseIterator

from openrd.repository import services
from openrd.repository.models import Output
from openrd.repository.oai.arguments import utc_stamp
from openrd.repository.oai.testing import require_schemas, validate_response
from openrd.repository.oai.views import oai_identifier

pytestmark = pytest.mark.django_db(transaction=True)

RECORDS = 25


@pytest.fixture
def published(repo, settings) -> dict[str, Output]:
    require_schemas()
    settings.OPENRD_OAI_PAGE_SIZE = 10
    outputs = [repo.deposit(title_en=f"Harvested record {i:02d}") for i in range(RECORDS)]
    services.withdraw(outputs[7], actor=repo.curator, reason="Duplicate deposit")
    # The harvest's order: datestamp, then id (the withdrawn one was stamped last).
    harvested = Output.objects.filter(pk__in=[o.pk for o in outputs]).order_by("datestamp", "id")
    return {oai_identifier(o.pk): o for o in harvested}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("prefix", ["oai_dc", "jpcoar_2.0"])
def test_list_records_round_trips_every_record(live_server, published, prefix, method):
    with Scythe(f"{live_server.url}/oai", http_config=HTTPConfig(http_method=method)) as scythe:
        records = list(scythe.list_records(metadata_prefix=prefix))
    assert [r.header.identifier for r in records] == list(published)
    for record in records:
        output = published[record.header.identifier]
        assert record.header.datestamp == utc_stamp(output.datestamp)
        assert record.deleted == (output.status == "withdrawn")
        if record.deleted:
            assert not hasattr(record, "metadata")
            continue
        assert output.title_en in record.metadata["title"]
        assert output.title_ja in record.metadata["title"]
    assert sum(r.deleted for r in records) == 1


def test_list_identifiers_over_several_pages(live_server, published):
    with Scythe(f"{live_server.url}/oai", iterator=OAIResponseIterator) as scythe:
        pages = list(scythe.list_identifiers(metadata_prefix="jpcoar_2.0"))
    assert len(pages) == 3  # 10 + 10 + 5
    identifiers, deleted = [], []
    for page in pages:
        validate_response(page.xml)
        ns = {"o": "http://www.openarchives.org/OAI/2.0/"}
        for header in page.xml.iterfind(".//o:header", ns):
            identifiers.append(header.findtext("o:identifier", namespaces=ns))
            if header.get("status") == "deleted":
                deleted.append(identifiers[-1])
    assert identifiers == list(published)
    assert deleted == [i for i, o in published.items() if o.status == "withdrawn"]
    tokens = [p.xml.find(".//{http://www.openarchives.org/OAI/2.0/}resumptionToken") for p in pages]
    assert [t.get("cursor") for t in tokens] == ["0", "10", "20"]
    assert {t.get("completeListSize") for t in tokens} == {str(RECORDS)}
    assert tokens[-1].text is None


def test_identify_and_get_record_through_the_client(live_server, published):
    with Scythe(f"{live_server.url}/oai") as scythe:
        identify = scythe.identify()
        first = next(iter(published))
        record = scythe.get_record(identifier=first, metadata_prefix="jpcoar_2.0")
    assert identify.protocolVersion == "2.0"
    assert identify.baseURL == f"{live_server.url}/oai"
    assert record.header.identifier == first
