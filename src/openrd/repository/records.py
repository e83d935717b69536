"""A record as the public may see it: plain values that OAI-PMH (oai_dc and
JPCOAR 2.0), the landing page, schema.org JSON-LD, Signposting and the
citation exports all read. What is not public never enters this dict: files
appear only when ``access.file_is_public`` says so, with their URL built here
once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils import translation

from openrd.repository.access import file_is_public
from openrd.repository.models import AccessRights, DepositStatus, Output
from openrd.repository.vocabularies import (
    ACCESS_RIGHTS,
    LANGUAGES,
    LICENCES,
    RESOURCE_TYPES,
    VERSION_TYPES,
)

# Where the public site lives, e.g. request.build_absolute_uri("/")[:-1].
UrlBuilder = Callable[[str], str]


@dataclass(frozen=True)
class Name:
    ja: str
    en: str
    kana: str = ""


@dataclass(frozen=True)
class Creator:
    name: Name
    family: Name
    given: Name
    erad_researcher_number: str
    orcid: str
    affiliation: Name
    affiliation_ror: str
    role: str


@dataclass(frozen=True)
class Funding:
    funder: Name
    erad_funder_code: str
    crossref_funder_id: str
    program: Name
    award_number: str  # the Japan Grant Number where there is one
    award_number_is_jgn: bool
    award_uri: str
    award_title: Name


@dataclass(frozen=True)
class PublicFile:
    name: str
    url: str
    size: int
    mime_type: str
    sha256: str
    md5: str
    text_version: str
    label: str


@dataclass(frozen=True)
class Record:
    pk: int
    identifier: str  # the landing page's absolute URL
    concept_identifier: str  # resolves to the latest version
    version_number: int
    is_latest: bool
    deleted: bool
    datestamp: datetime
    title: Name
    abstract: Name
    creators: tuple[Creator, ...]
    kind: str
    resource_type: str
    resource_type_uri: str
    resource_type_label: str
    dc_type: str
    text_version: str
    text_version_uri: str
    access_rights: str
    access_rights_uri: str
    access_rights_label: str
    embargo_until: date | None
    licence: str
    licence_uri: str
    licence_label: str
    language: str
    language_tag: str
    keywords: tuple[str, ...]
    doi: str
    journal_title: str
    issn: str
    volume: str
    issue: str
    page_start: str
    page_end: str
    publisher: str
    published_on: date | None
    accepted_on: date | None
    available_on: date | None
    peer_reviewed: bool
    institution: Name
    institution_code: str
    program_code: str
    funding: tuple[Funding, ...]
    files: tuple[PublicFile, ...]
    withdrawal_reason: str
    sets: tuple[str, ...] = field(default=())


# A harvest builds thousands of records a second: each URL pattern is reversed
# once per language, with a marker where the id goes, then filled in.
_MARK = "999999999"
_KEY_MARK = "00000000-0000-0000-0000-000000000000"


@functools.cache
def _pattern(name: str, lang: str, with_file: bool = False) -> tuple[str, str]:
    with translation.override(lang):
        if with_file:
            path = reverse(name, args=[_KEY_MARK, "name"])
            return path.rsplit("/", 1)[0].replace(_KEY_MARK, "{key}") + "/", ""
        return reverse(name, args=[_MARK]).replace(_MARK, "{id}"), ""


def _path(name: str, pk: object) -> str:
    return _pattern(name, translation.get_language() or "ja")[0].format(id=pk)


def output_path(pk: int) -> str:
    return _path("repository:output", pk)


def concept_path(concept_id: int) -> str:
    return _path("repository:concept", concept_id)


def award_path(pk: int) -> str:
    return _path("awards:detail", pk)


def file_path(key: object, name: str) -> str:
    prefix = _pattern("repository:file", translation.get_language() or "ja", True)[0]
    # Quoted as reverse() quotes a path (RFC 3986's sub-delimiters kept).
    return prefix.format(key=key) + quote(name, safe="!$&'()*+,;=/~:@")


def set_specs(institution_code: str, program_code: str, resource_type: str) -> tuple[str, ...]:
    """The OAI-PMH sets a record belongs to (by institution, program, resource type)."""
    return (
        f"institution:{institution_code}",
        f"program:{program_code}",
        f"type:{resource_type}",
    )


def _funding(award: Any, funder: Any, absolute: UrlBuilder) -> Funding:
    """One fundingReference: ``funder`` is the output's (for its own award) or,
    for an award it also acknowledges, that award's call's agency or program's."""
    if funder is None:
        funder = award.call.agency if award.call_id and award.call else None
    if funder is None:
        # Prefetched by with_record: sorted here, not asked again.
        agencies = sorted(award.program.agencies.all(), key=lambda a: a.code)
        funder = agencies[0] if agencies else None
    jgn = award.japan_grant_number
    return Funding(
        funder=Name(funder.name_ja, funder.name_en) if funder else Name("", ""),
        erad_funder_code=funder.erad_funder_code if funder else "",
        crossref_funder_id=funder.crossref_funder_id if funder else "",
        program=Name(award.program.name_ja, award.program.name_en),
        award_number=jgn or award.grant_number,
        award_number_is_jgn=bool(jgn),
        award_uri=absolute(award_path(award.pk)),
        award_title=Name(award.title_ja, award.title_en),
    )


def build_record(output: Output, absolute: UrlBuilder) -> Record:
    """The public record of ``output`` (loaded with ``queries.with_record``)."""
    resource = RESOURCE_TYPES.get(output.resource_type, RESOURCE_TYPES["other"])
    version = VERSION_TYPES.get(output.text_version, VERSION_TYPES["NA"])
    deleted = output.status == DepositStatus.WITHDRAWN
    access = ACCESS_RIGHTS[output.access_rights]
    licence = LICENCES.get(output.licence)
    lang_tag = LANGUAGES.get(output.language, ("ja", ""))[0]
    files = tuple(
        PublicFile(
            name=f.name,
            url=absolute(file_path(f.key, f.name)),
            size=f.stored.size,
            mime_type=f.stored.content_type,
            sha256=f.stored.sha256,
            md5=f.stored.md5,
            text_version=f.text_version,
            label=f.label,
        )
        for f in output.files.all()
        if file_is_public(output.status, output.access_rights, f.access)
    )
    funding = [_funding(output.award, output.funder, absolute)] + [
        _funding(award, None, absolute) for award in output.other_awards.all()
    ]
    available = None
    if output.access_rights == AccessRights.EMBARGOED:
        available = output.embargo_until
    elif output.opened_at is not None:
        available = output.opened_at.date()
    creators = tuple(
        Creator(
            name=Name(c.name_ja, c.name_en, c.name_kana),
            family=Name(c.family_name_ja, c.family_name_en),
            given=Name(c.given_name_ja, c.given_name_en),
            erad_researcher_number=c.erad_researcher_number,
            orcid=c.orcid,
            affiliation=Name(c.affiliation_name_ja, c.affiliation_name_en),
            affiliation_ror=c.affiliation.ror_id if c.affiliation else "",
            role=c.role,
        )
        for c in output.creators.all()
    )
    assert output.datestamp is not None or not output.published_at, "a public record has a stamp"
    return Record(
        pk=output.pk,
        identifier=absolute(output_path(output.pk)),
        concept_identifier=absolute(concept_path(output.concept_id or output.pk)),
        version_number=output.version_number,
        is_latest=output.is_latest,
        deleted=deleted,
        datestamp=output.datestamp or output.updated_at,
        title=Name(output.title_ja, output.title_en),
        abstract=Name(output.abstract_ja, output.abstract_en),
        creators=creators,
        kind=output.kind,
        resource_type=output.resource_type,
        resource_type_uri=resource.uri,
        resource_type_label=resource.jpcoar,
        dc_type=resource.dc_type,
        text_version=version.key,
        text_version_uri=version.uri,
        access_rights=output.access_rights,
        access_rights_uri=access.uri,
        access_rights_label=access.jpcoar,
        embargo_until=output.embargo_until,
        licence=output.licence,
        licence_uri=licence.uri if licence else "",
        licence_label=licence.label if licence else "",
        language=output.language,
        language_tag=lang_tag,
        keywords=tuple(output.keywords or ()),
        doi=output.doi,
        journal_title=output.journal_title,
        issn=output.issn,
        volume=output.volume,
        issue=output.issue,
        page_start=output.page_start,
        page_end=output.page_end,
        publisher=output.publisher,
        published_on=output.published_on,
        accepted_on=output.accepted_on,
        available_on=available,
        peer_reviewed=output.peer_reviewed,
        institution=Name(output.institution.name_ja, output.institution.name_en),
        institution_code=output.institution.code,
        program_code=output.program.code,
        funding=tuple(funding),
        files=files,
        withdrawal_reason=output.withdrawal_reason if deleted else "",
        sets=set_specs(output.institution.code, output.program.code, output.resource_type),
    )
