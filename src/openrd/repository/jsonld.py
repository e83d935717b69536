"""Machine-readable descriptions of a public record: schema.org JSON-LD (what
Google Dataset Search, Scholar and OpenAIRE's crawlers read) and the FAIR
Signposting ``Link`` header values (https://signposting.org/FAIR/) that let a
machine go from the landing page to the identifier, the metadata, the files,
the authors and the licence without parsing HTML.

Both read ``records.Record`` only: a file the public may not download is not in
the record, so it cannot be described or linked here.
"""

from __future__ import annotations

import base64
from typing import Any

from django.utils.translation import gettext, override

from openrd.repository.citations import doi_url, year
from openrd.repository.records import Name, Record

SCHEMA = "https://schema.org/"
ORCID = "https://orcid.org/"
ARTICLE_RESOURCE_TYPES = frozenset({"journal_article", "review_article", "data_paper"})
JPCOAR_PROFILE = "https://github.com/JPCOAR/schema/blob/master/2.0/"


def schema_type(record: Record) -> str:
    if record.kind == "dataset" or record.resource_type == "dataset":
        return "Dataset"
    if record.kind == "article" or record.resource_type in ARTICLE_RESOURCE_TYPES:
        return "ScholarlyArticle"
    return "CreativeWork"


def orcid_url(orcid: str) -> str:
    return f"{ORCID}{orcid}" if orcid else ""


def _text(name: Name, lang: str) -> str:
    if lang == "en":
        return name.en or name.ja
    return name.ja or name.en


def _alternate(name: Name, lang: str) -> str:
    other = name.ja if lang == "en" else name.en
    return other if other and other != _text(name, lang) else ""


def sha256_base64(hex_digest: str) -> str:
    """The digest as HTTP digest fields write it (base64 of the raw bytes)."""
    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def _person(creator: Any, lang: str) -> dict[str, Any]:
    person: dict[str, Any] = {
        "@type": "Person",
        "name": _text(creator.name, lang),
        "familyName": _text(creator.family, lang),
        "givenName": _text(creator.given, lang),
    }
    alternate = _alternate(creator.name, lang)
    if alternate:
        person["alternateName"] = alternate
    identifiers: list[Any] = []
    if creator.orcid:
        person["@id"] = orcid_url(creator.orcid)
        identifiers.append(
            {
                "@type": "PropertyValue",
                "propertyID": "ORCID",
                "value": creator.orcid,
                "url": orcid_url(creator.orcid),
            }
        )
    if creator.erad_researcher_number:
        identifiers.append(
            {
                "@type": "PropertyValue",
                "propertyID": "e-Rad researcher number",
                "value": creator.erad_researcher_number,
            }
        )
    if identifiers:
        person["identifier"] = identifiers
    affiliation = _text(creator.affiliation, lang)
    if affiliation or creator.affiliation_ror:
        org: dict[str, Any] = {"@type": "Organization", "name": affiliation}
        if creator.affiliation_ror:
            org["@id"] = creator.affiliation_ror
            org["identifier"] = creator.affiliation_ror
        person["affiliation"] = org
    return person


def _funding(record: Record, lang: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    funders: dict[str, dict[str, Any]] = {}
    grants = []
    for f in record.funding:
        funder: dict[str, Any] = {"@type": "Organization", "name": _text(f.funder, lang)}
        if f.crossref_funder_id:
            funder["@id"] = f"https://doi.org/10.13039/{f.crossref_funder_id}"
            funder["identifier"] = funder["@id"]
        funders.setdefault(funder.get("@id") or funder["name"], funder)
        grant: dict[str, Any] = {
            "@type": "MonetaryGrant",
            "identifier": f.award_number,
            "name": _text(f.award_title, lang),
            "funder": funder,
        }
        if f.award_uri:
            grant["url"] = f.award_uri
        if f.award_number_is_jgn:
            grant["alternateName"] = f"JGN {f.award_number}"
        grants.append(grant)
    return list(funders.values()), grants


def json_ld(record: Record, lang: str = "en") -> dict[str, Any]:
    """The record as schema.org JSON-LD (a dict ready for ``json.dumps``)."""
    kind = schema_type(record)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": kind,
        "@id": doi_url(record.doi) or record.identifier,
        "url": record.identifier,
        "name": _text(record.title, lang),
        "inLanguage": record.language_tag,
        "version": str(record.version_number),
        "dateModified": record.datestamp.isoformat(),
        "author": [_person(c, lang) for c in record.creators],
        "isAccessibleForFree": record.access_rights == "open",
        "publisher": {"@type": "Organization", "name": _text(record.institution, lang)},
        "sameAs": record.concept_identifier,
    }
    if kind == "ScholarlyArticle":
        data["headline"] = data["name"][:110]
    alternate = _alternate(record.title, lang)
    if alternate:
        data["alternateName"] = alternate
    abstract = _text(record.abstract, lang)
    if abstract:
        data["description"] = abstract
        if kind != "Dataset":
            data["abstract"] = abstract
    if record.keywords:
        data["keywords"] = list(record.keywords)
    day = record.published_on or record.available_on
    data["datePublished"] = day.isoformat() if day else year(record)
    if record.doi:
        data["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "DOI",
            "value": record.doi,
            "url": doi_url(record.doi),
        }
    if record.journal_title:
        periodical: dict[str, Any] = {"@type": "Periodical", "name": record.journal_title}
        if record.issn:
            periodical["issn"] = record.issn
        part: dict[str, Any] = periodical
        if record.volume:
            part = {"@type": "PublicationVolume", "volumeNumber": record.volume,
                    "isPartOf": part}  # fmt: skip
        if record.issue:
            part = {"@type": "PublicationIssue", "issueNumber": record.issue, "isPartOf": part}
        data["isPartOf"] = part
        if record.page_start:
            data["pageStart"] = record.page_start
        if record.page_end:
            data["pageEnd"] = record.page_end
    if record.licence_uri:
        data["license"] = record.licence_uri
    if record.access_rights == "embargoed" and record.embargo_until:
        with override(lang):
            data["conditionsOfAccess"] = gettext("Embargoed until %(date)s") % {
                "date": record.embargo_until.isoformat()
            }
        data["availabilityStarts"] = record.embargo_until.isoformat()
    elif record.access_rights != "open":
        data["conditionsOfAccess"] = record.access_rights_label
    funders, grants = _funding(record, lang)
    if funders:
        data["funder"] = funders
        data["funding"] = grants
    media = [
        {
            "@type": "DataDownload" if kind == "Dataset" else "MediaObject",
            "name": f.name,
            "contentUrl": f.url,
            "encodingFormat": f.mime_type,
            "contentSize": f"{f.size} B",
            "sha256": f.sha256,
        }
        for f in record.files
    ]
    if media:
        data["distribution" if kind == "Dataset" else "encoding"] = media
    return data


def link(url: str, rel: str, **params: str) -> str:
    """One ``Link`` header value, RFC 8288: ``<url>; rel="…"; type="…"``."""
    extra = "".join(f'; {k}="{v}"' for k, v in params.items() if v)
    return f'<{url}>; rel="{rel}"{extra}'


def signposting(record: Record, *, json_ld_url: str, oai_url: str) -> list[str]:
    """The landing page's FAIR Signposting links (level 1)."""
    links = [link(doi_url(record.doi) or record.concept_identifier, "cite-as")]
    links.append(link(json_ld_url, "describedby", type="application/ld+json"))
    links.append(link(oai_url, "describedby", type="application/xml", profile=JPCOAR_PROFILE))
    links += [link(f.url, "item", type=f.mime_type) for f in record.files]
    links += [link(orcid_url(c.orcid), "author") for c in record.creators if c.orcid]
    if record.licence_uri:
        links.append(link(record.licence_uri, "license"))
    links.append(link(SCHEMA + schema_type(record), "type"))
    links.append(link(SCHEMA + "AboutPage", "type"))
    return links


def link_header(links: list[str]) -> str:
    return ", ".join(links)
