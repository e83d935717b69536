"""The XML namespaces and schema locations the OAI-PMH responses write."""

from __future__ import annotations

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_IDENTIFIER = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
JPCOAR = "https://github.com/JPCOAR/schema/blob/master/2.0/"
JPCOAR_SCHEMA = "https://github.com/JPCOAR/schema/blob/master/2.0/jpcoar_scm.xsd"
DATACITE = "https://schema.datacite.org/meta/kernel-4/"
OAIRE = "http://namespace.openaire.eu/schema/oaire/"
DCNDL = "http://ndl.go.jp/dcndl/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"

XSI_SCHEMA_LOCATION = f"{{{XSI}}}schemaLocation"
XML_LANG = f"{{{XML}}}lang"
RDF_RESOURCE = f"{{{RDF}}}resource"


def q(namespace: str, name: str) -> str:
    """The Clark name lxml takes: ``{namespace}name``."""
    return f"{{{namespace}}}{name}"
