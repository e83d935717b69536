"""The metadata formats: ``oai_dc`` and ``jpcoar_2.0``, each written from the
public ``records.Record`` alone, so nothing the record leaves out (restricted or
embargoed files, drafts) can reach a harvester.

JPCOAR 2.0's schema is a sequence: the elements are written in the order its
``jpcoar:content`` type lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree

from openrd.repository.oai import namespaces as ns
from openrd.repository.oai.namespaces import RDF_RESOURCE, XML_LANG, q
from openrd.repository.records import Creator, Funding, Name, Record


@dataclass(frozen=True)
class Version:
    """Another published version of the record's concept (its landing URL)."""

    url: str
    number: int


Writer = Callable[[etree._Element, Record, Sequence[Version]], None]


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    write: Writer


def _add(parent: etree._Element, tag: str, text: str = "", **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs) if attrs else etree.SubElement(parent, tag)
    if text:
        element.text = text
    return element


# Built once: a harvest writes an xml:lang on most of its million elements.
_LANG = {"ja": {XML_LANG: "ja"}, "en": {XML_LANG: "en"}}


def _names(parent: etree._Element, tag: str, name: Name, **attrs: str) -> None:
    """One element per language the name has, each with its xml:lang."""
    for lang, text in (("ja", name.ja), ("en", name.en)):
        if text:
            element = etree.SubElement(parent, tag, _LANG[lang] | attrs if attrs else _LANG[lang])
            element.text = text


def doi_url(doi: str) -> str:
    return f"https://doi.org/{doi}"


def grant_agreement(funding: Funding) -> str:
    """The OpenAIRE/DRIVER project identifier: info:eu-repo/grantAgreement/F/P/N."""
    parts = (funding.funder.en or funding.funder.ja, funding.program.en or funding.program.ja,
             funding.award_number)  # fmt: skip
    return "info:eu-repo/grantAgreement/" + "/".join(quote(p, safe="") for p in parts)


# --- oai_dc ------------------------------------------------------------------

DC_T = {name: q(ns.DC, name) for name in (
    "title", "creator", "subject", "description", "publisher", "date", "type", "identifier",
    "language", "relation", "rights", "source",
)}  # fmt: skip
OAI_DC_ROOT = q(ns.OAI_DC, "dc")
OAI_DC_NSMAP = {"oai_dc": ns.OAI_DC, "dc": ns.DC, "xsi": ns.XSI}


def write_oai_dc(parent: etree._Element, record: Record, versions: Sequence[Version]) -> None:
    dc = etree.SubElement(parent, OAI_DC_ROOT, nsmap=OAI_DC_NSMAP)
    dc.set(ns.XSI_SCHEMA_LOCATION, f"{ns.OAI_DC} {ns.OAI_DC_SCHEMA}")
    _names(dc, DC_T["title"], record.title)
    for creator in record.creators:
        _names(dc, DC_T["creator"], creator.name)
    for keyword in record.keywords:
        _add(dc, DC_T["subject"], keyword)
    _names(dc, DC_T["description"], record.abstract)
    if record.publisher:
        _add(dc, DC_T["publisher"], record.publisher)
    if record.published_on:
        _add(dc, DC_T["date"], record.published_on.isoformat())
    _add(dc, DC_T["type"], f"info:eu-repo/semantics/{record.dc_type}")
    _add(dc, DC_T["type"], record.resource_type_label)
    _add(
        dc,
        DC_T["type"],
        f"info:eu-repo/semantics/{_DRIVER_VERSIONS.get(record.text_version, 'other')}",
    )
    _add(dc, DC_T["identifier"], record.identifier)
    if record.doi:
        _add(dc, DC_T["identifier"], doi_url(record.doi))
    if record.journal_title:
        _add(dc, DC_T["source"], record.journal_title)
    _add(dc, DC_T["language"], record.language)
    for funding in record.funding:
        if funding.award_number:
            _add(dc, DC_T["relation"], grant_agreement(funding))
    for version in versions:
        _add(dc, DC_T["relation"], version.url)
    _add(dc, DC_T["rights"], record.access_rights_uri)
    _add(dc, DC_T["rights"], f"info:eu-repo/semantics/{_DRIVER_ACCESS[record.access_rights]}")
    if record.licence_uri:
        _add(dc, DC_T["rights"], record.licence_uri)


# DRIVER/OpenAIRE's oai_dc terms for the COAR version and access right.
_DRIVER_VERSIONS = {
    "AO": "draft", "SMUR": "submittedVersion", "AM": "acceptedVersion", "P": "updatedVersion",
    "VoR": "publishedVersion", "NA": "other",
}  # fmt: skip
_DRIVER_ACCESS = {
    "open": "openAccess", "embargoed": "embargoedAccess", "restricted": "restrictedAccess",
    "metadata_only": "closedAccess",
}  # fmt: skip


# --- jpcoar_2.0 --------------------------------------------------------------

J = {name: q(ns.JPCOAR, name) for name in (
    "jpcoar", "creator", "nameIdentifier", "creatorName", "familyName", "givenName",
    "affiliation", "affiliationName", "subject", "identifier", "relation", "relatedIdentifier",
    "fundingReference", "funderIdentifier", "funderName", "fundingStream", "awardNumber",
    "awardTitle", "sourceIdentifier", "sourceTitle", "volume", "issue", "pageStart", "pageEnd",
    "file", "URI", "mimeType", "extent",
)}  # fmt: skip
DC_TITLE, DC_RIGHTS, DC_PUBLISHER = q(ns.DC, "title"), q(ns.DC, "rights"), q(ns.DC, "publisher")
DC_LANGUAGE, DC_TYPE = q(ns.DC, "language"), q(ns.DC, "type")
ACCESS_RIGHTS = q(ns.DCTERMS, "accessRights")
DESCRIPTION, DATE = q(ns.DATACITE, "description"), q(ns.DATACITE, "date")
OAIRE_VERSION = q(ns.OAIRE, "version")
JPCOAR_NSMAP = {
    "jpcoar": ns.JPCOAR, "dc": ns.DC, "dcterms": ns.DCTERMS, "datacite": ns.DATACITE,
    "oaire": ns.OAIRE, "dcndl": ns.DCNDL, "rdf": ns.RDF, "xsi": ns.XSI,
}  # fmt: skip


def _sorted_name(family: str, given: str, whole: str) -> str:
    """ "Family, Given" as JPCOAR's samples write names, or the name as it is."""
    if family and given:
        return f"{family}, {given}"
    return whole


def _creator(parent: etree._Element, creator: Creator) -> None:
    element = _add(parent, J["creator"])
    if creator.erad_researcher_number:
        _add(element, J["nameIdentifier"], creator.erad_researcher_number,
             nameIdentifierScheme="e-Rad_Researcher")  # fmt: skip
    if creator.orcid:
        _add(element, J["nameIdentifier"], creator.orcid, nameIdentifierScheme="ORCID",
             nameIdentifierURI=f"https://orcid.org/{creator.orcid}")  # fmt: skip
    for lang in ("ja", "en"):
        name = _sorted_name(getattr(creator.family, lang), getattr(creator.given, lang),
                            getattr(creator.name, lang))  # fmt: skip
        if name:
            _add(element, J["creatorName"], name, **{XML_LANG: lang})
    if creator.name.kana:
        _add(element, J["creatorName"], creator.name.kana, **{XML_LANG: "ja-Kana"})
    _names(element, J["familyName"], creator.family)
    _names(element, J["givenName"], creator.given)
    if creator.affiliation_ror or creator.affiliation.ja or creator.affiliation.en:
        affiliation = _add(element, J["affiliation"])
        if creator.affiliation_ror:
            _add(affiliation, J["nameIdentifier"], creator.affiliation_ror,
                 nameIdentifierScheme="ROR", nameIdentifierURI=creator.affiliation_ror)  # fmt: skip
        _names(affiliation, J["affiliationName"], creator.affiliation)


def _funding(parent: etree._Element, funding: Funding) -> None:
    if not (funding.funder.ja or funding.funder.en):
        return  # funderName is required: a funding without a funder says nothing
    element = _add(parent, J["fundingReference"])
    # One funderIdentifier only (maxOccurs 1): JPCOAR's own e-Rad code first.
    if funding.erad_funder_code:
        _add(element, J["funderIdentifier"], funding.erad_funder_code,
             funderIdentifierType="e-Rad_funder")  # fmt: skip
    elif funding.crossref_funder_id:
        _add(element, J["funderIdentifier"], doi_url(f"10.13039/{funding.crossref_funder_id}"),
             funderIdentifierType="Crossref Funder")  # fmt: skip
    _names(element, J["funderName"], funding.funder)
    _names(element, J["fundingStream"], funding.program)
    if funding.award_number:
        attrs = {"awardURI": funding.award_uri} if funding.award_uri else {}
        if funding.award_number_is_jgn:
            attrs["awardNumberType"] = "JGN"
        _add(element, J["awardNumber"], funding.award_number, **attrs)
    _names(element, J["awardTitle"], funding.award_title)


def _relation(parent: etree._Element, kind: str, identifier: str, scheme: str) -> None:
    element = _add(parent, J["relation"], relationType=kind)
    _add(element, J["relatedIdentifier"], identifier, identifierType=scheme)


def _extent(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def write_jpcoar(parent: etree._Element, record: Record, versions: Sequence[Version]) -> None:
    root = etree.SubElement(parent, J["jpcoar"], nsmap=JPCOAR_NSMAP)
    root.set(ns.XSI_SCHEMA_LOCATION, f"{ns.JPCOAR} {ns.JPCOAR_SCHEMA}")
    _names(root, DC_TITLE, record.title)
    for creator in record.creators:
        _creator(root, creator)
    _add(root, ACCESS_RIGHTS, record.access_rights_label,
         **{RDF_RESOURCE: record.access_rights_uri})  # fmt: skip
    if record.licence_uri:
        _add(root, DC_RIGHTS, record.licence_label, **{RDF_RESOURCE: record.licence_uri})
    for keyword in record.keywords:
        _add(root, J["subject"], keyword, subjectScheme="Other")
    _names(root, DESCRIPTION, record.abstract, descriptionType="Abstract")
    if record.publisher:
        _add(root, DC_PUBLISHER, record.publisher)
    if record.accepted_on:
        _add(root, DATE, record.accepted_on.isoformat(), dateType="Accepted")
    if record.published_on:
        _add(root, DATE, record.published_on.isoformat(), dateType="Issued")
    if record.available_on:
        _add(root, DATE, record.available_on.isoformat(), dateType="Available")
    _add(root, DC_LANGUAGE, record.language)
    _add(root, DC_TYPE, record.resource_type_label, **{RDF_RESOURCE: record.resource_type_uri})
    _add(root, OAIRE_VERSION, record.text_version, **{RDF_RESOURCE: record.text_version_uri})
    _add(root, J["identifier"], record.identifier, identifierType="URI")
    if record.doi and record.kind != "article":
        # A dataset's or report's DOI names this very record.
        _add(root, J["identifier"], doi_url(record.doi), identifierType="DOI")
    if record.doi and record.kind == "article":
        # An article's DOI is the journal's: this deposit is that article, or a version of it.
        same = record.text_version == "VoR"
        _relation(root, "isIdenticalTo" if same else "isVersionOf", doi_url(record.doi), "DOI")
    _relation(root, "isVersionOf", record.concept_identifier, "URI")
    for version in versions:
        # Newer versions replace this one; older ones it replaces.
        kind = "isReplacedBy" if version.number > record.version_number else "replaces"
        _relation(root, kind, version.url, "URI")
    for funding in record.funding:
        _funding(root, funding)
    if record.issn:
        _add(root, J["sourceIdentifier"], record.issn, identifierType="ISSN")
    if record.journal_title:
        _add(root, J["sourceTitle"], record.journal_title)
    if record.volume:
        _add(root, J["volume"], record.volume)
    if record.issue:
        _add(root, J["issue"], record.issue)
    # The schema takes page numbers as positive integers only ("e123" cannot be written).
    if record.page_start.isdigit() and int(record.page_start) > 0:
        _add(root, J["pageStart"], record.page_start)
    if record.page_end.isdigit() and int(record.page_end) > 0:
        _add(root, J["pageEnd"], record.page_end)
    for public in record.files:
        element = _add(root, J["file"])
        _add(element, J["URI"], public.url, objectType="fulltext", label=public.name)
        if public.mime_type:
            _add(element, J["mimeType"], public.mime_type)
        _add(element, J["extent"], _extent(public.size))
        if record.available_on:
            _add(element, DATE, record.available_on.isoformat(), dateType="Available")


FORMATS: dict[str, MetadataFormat] = {
    f.prefix: f
    for f in (
        MetadataFormat("oai_dc", ns.OAI_DC_SCHEMA, ns.OAI_DC, write_oai_dc),
        MetadataFormat("jpcoar_2.0", ns.JPCOAR_SCHEMA, ns.JPCOAR, write_jpcoar),
    )
}
