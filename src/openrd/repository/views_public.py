"""The repository's public pages: the list of published records, each record's
landing page (a tombstone answering 410 once withdrawn), its citation exports
and schema.org JSON-LD, the concept identifier, and the file downloads.

What the public sees comes from ``records.build_record`` (files only where
``access.file_is_public`` allows) and the pages from ``queries.public_pages()``
through ``core.access.get_visible_or_404``: a draft probed by its number is a
404 with an audit entry, exactly like a missing record.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlencode
from uuid import UUID

from django.db.models import Prefetch
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseGone,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from openrd.accounts.models import Organisation
from openrd.core.access import deny, get_visible_or_404
from openrd.core.files import CHUNK, open_stored
from openrd.core.i18n import current_lang, localized
from openrd.core.listing import Listing, paginate, parse, search_q
from openrd.programs.models import Program
from openrd.repository import citations, jsonld, usage
from openrd.repository.access import file_is_public, file_may_be_requested
from openrd.repository.models import (
    DepositStatus,
    Output,
    OutputCreator,
    OutputFile,
    UsageMetric,
)
from openrd.repository.oai.views import oai_identifier
from openrd.repository.queries import (
    concept_versions,
    latest_public_version,
    public_outputs,
    public_pages,
    with_record,
)
from openrd.repository.records import Name, Record, build_record, output_path
from openrd.repository.vocabularies import ACCESS_RIGHTS, RESOURCE_TYPES, VERSION_TYPES

OUTPUT_LISTING = Listing(
    sorts={"published": ("published_at",), "title": ("title_ja", "title_en")},
    default_sort="-published",
    filters=("program", "type", "institution"),
    per_page=25,
)
# Types a browser may show in the page rather than save (never HTML or SVG:
# the repository refuses them at deposit, and a sandbox CSP guards the rest).
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def _loc(name: Name) -> str:
    return localized(name.ja, name.en)


def _other(name: Name) -> str:
    """The same text in the page's other language, when it differs."""
    other = name.ja if current_lang() == "en" else name.en
    return other if other and other != _loc(name) else ""


# ------------------------------------------------------------------ the list


@require_safe
def output_list(request: HttpRequest) -> HttpResponse:
    params = parse(OUTPUT_LISTING, request.GET)
    rows = public_outputs().select_related("program", "institution")
    filters = params.filters
    if filters.get("program"):
        rows = rows.filter(program__code=filters["program"])
    if filters.get("type"):
        rows = rows.filter(resource_type=filters["type"])
    if filters.get("institution"):
        rows = rows.filter(institution__code=filters["institution"])
    if params.q:
        rows = rows.filter(search_q(params.q, ("title_ja", "title_en")))
    rows = rows.prefetch_related(
        Prefetch("creators", queryset=OutputCreator.objects.order_by("order", "id"))
    )
    page = paginate(rows, OUTPUT_LISTING, params, request.GET)
    page.items = [_list_row(o) for o in page.items]
    return render(
        request,
        "repository/public/output_list.html",
        {
            "page": page,
            "params": params,
            "programs": Program.objects.order_by("code"),
            "institutions": Organisation.objects.filter(
                pk__in=public_outputs().values("institution_id")
            ).order_by("code"),
            "types": [(t.key, t.label) for t in RESOURCE_TYPES.values()],
        },
    )


def _list_row(output: Output) -> dict[str, Any]:
    resource = RESOURCE_TYPES.get(output.resource_type, RESOURCE_TYPES["other"])
    return {
        "pk": output.pk,
        "title": output.title,
        "authors": [c.name for c in output.creators.all()],
        "type": resource.label,
        "journal": output.journal_title,
        "program": output.program.name,
        "institution": output.institution.name,
        "published_at": output.published_at,
        "access": ACCESS_RIGHTS[output.access_rights].label,
    }


# ------------------------------------------------------------------ one record


def _public_page(request: HttpRequest, pk: int) -> Output:
    """The record with a public page (published or tombstone), or 404 (audited)."""
    return get_visible_or_404(with_record(public_pages()), request=request, pk=pk)


def _record(request: HttpRequest, output: Output) -> Record:
    return build_record(output, request.build_absolute_uri)


def oai_get_record_url(request: HttpRequest, pk: int) -> str:
    query = urlencode(
        {"verb": "GetRecord", "metadataPrefix": "jpcoar_2.0", "identifier": oai_identifier(pk)}
    )
    return request.build_absolute_uri(f"{reverse('oai')}?{query}")


def _access_request_url(output: Output, file: OutputFile) -> str:
    """Where to ask for a restricted file, if the access-request page exists: it
    is named ``repository:access_request`` and takes the file's key or the
    record's number; without it the page shows the file's name only."""
    for args in ([file.key], [output.pk]):
        try:
            return reverse("repository:access_request", args=args)
        except NoReverseMatch:
            continue
    return ""


@dataclass(frozen=True)
class RestrictedFile:
    name: str
    request_url: str


def _authors(record: Record) -> list[dict[str, str]]:
    return [
        {
            "name": _loc(c.name),
            "other_name": _other(c.name),
            "orcid": c.orcid,
            "orcid_url": jsonld.orcid_url(c.orcid),
            "erad": c.erad_researcher_number,
            "affiliation": _loc(c.affiliation),
            "ror": c.affiliation_ror,
        }
        for c in record.creators
    ]


def _versions(output: Output) -> dict[str, Any]:
    rows = list(
        concept_versions(output.concept_id or output.pk).only(
            "pk", "version_number", "status", "published_at", "withdrawn_at", "concept_id"
        )
    )
    published = [v for v in rows if v.status == DepositStatus.PUBLISHED]
    latest = max(published, key=lambda v: v.version_number) if published else None
    return {
        "rows": rows,
        "latest": latest,
        "is_latest": latest is not None and latest.pk == output.pk,
    }


def _landing(request: HttpRequest, output: Output, record: Record) -> dict[str, Any]:
    hidden = [
        f
        for f in output.files.all()
        if not file_is_public(output.status, output.access_rights, f.access)
    ]
    restricted = [
        RestrictedFile(f.name, _access_request_url(output, f))
        for f in hidden
        if file_may_be_requested(output.status, f.access)
    ]
    withheld = len(hidden) - len(restricted)
    version = VERSION_TYPES.get(record.text_version, VERSION_TYPES["NA"])
    lang = current_lang()
    return {
        "output": output,
        "record": record,
        "title": _loc(record.title),
        "other_title": _other(record.title),
        "other_lang": "ja" if lang == "en" else "en",
        "abstract": _loc(record.abstract),
        "other_abstract": _other(record.abstract),
        "authors": _authors(record),
        "resource_type": RESOURCE_TYPES.get(record.resource_type, RESOURCE_TYPES["other"]).label,
        "text_version": version.label,
        "access_label": ACCESS_RIGHTS[record.access_rights].label,
        "institution": _loc(record.institution),
        "funding": [
            {
                "funder": _loc(f.funder),
                "program": _loc(f.program),
                "award_number": f.award_number,
                "is_jgn": f.award_number_is_jgn,
                "award_title": _loc(f.award_title),
                "award_url": f.award_uri,
            }
            for f in record.funding
        ],
        "files": record.files,
        "restricted_files": restricted,
        "withheld_count": withheld,
        "withheld_until": record.embargo_until if record.access_rights == "embargoed" else None,
        "versions": _versions(output),
        "citation": citations.formatted(record, lang),
        "doi_url": citations.doi_url(record.doi),
        "json_ld_url": reverse("repository:json_ld", args=[output.pk]),
        "citation_date": (record.published_on or record.available_on),
        "usage": usage_totals(output),
    }


def usage_totals(output: Output) -> dict[str, int]:
    """The record's COUNTER counts over every month counted so far."""
    totals = {"views": 0, "unique_views": 0, "downloads": 0, "unique_downloads": 0}
    names = {
        UsageMetric.TOTAL_INVESTIGATIONS: "views",
        UsageMetric.UNIQUE_INVESTIGATIONS: "unique_views",
        UsageMetric.TOTAL_REQUESTS: "downloads",
        UsageMetric.UNIQUE_REQUESTS: "unique_downloads",
    }
    for month in usage.usage_for(output).values():
        for metric, count in month.items():
            totals[names[UsageMetric(metric)]] += count
    return totals


@require_safe
def output_page(request: HttpRequest, pk: int) -> HttpResponse:
    output = _public_page(request, pk)
    record = _record(request, output)
    if record.deleted:
        return render(
            request,
            "repository/public/tombstone.html",
            {
                "record": record,
                "output": output,
                "title": _loc(record.title),
                "other_title": _other(record.title),
                "authors": _authors(record),
                "other_lang": "ja" if current_lang() == "en" else "en",
            },
            status=410,
        )
    usage.record_usage(request, output)
    response = render(
        request, "repository/public/output_page.html", _landing(request, output, record)
    )
    links = jsonld.signposting(
        record,
        json_ld_url=request.build_absolute_uri(reverse("repository:json_ld", args=[pk])),
        oai_url=oai_get_record_url(request, pk),
    )
    response["Link"] = jsonld.link_header(links)
    return response


def _exported(request: HttpRequest, pk: int) -> tuple[Output, Record] | HttpResponseGone:
    output = _public_page(request, pk)
    if output.status == DepositStatus.WITHDRAWN:
        # The tombstone's page says what happened; its metadata is no longer offered.
        return HttpResponseGone()
    return output, _record(request, output)


@require_safe
def json_ld(request: HttpRequest, pk: int) -> HttpResponse:
    found = _exported(request, pk)
    if isinstance(found, HttpResponse):
        return found
    _output, record = found
    body = json.dumps(jsonld.json_ld(record, current_lang()), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/ld+json")
    response["Link"] = jsonld.link(record.identifier, "describes", type="text/html")
    # Public metadata: harvesters' and browsers' scripts on other sites may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _citation_file(record: Record, body: str, *, content_type: str, suffix: str) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{citations.citation_key(record)}.{suffix}"
    )
    return response


@require_safe
def bibtex(request: HttpRequest, pk: int) -> HttpResponse:
    found = _exported(request, pk)
    if isinstance(found, HttpResponse):
        return found
    record = found[1]
    return _citation_file(
        record, citations.bibtex(record), content_type="application/x-bibtex", suffix="bib"
    )


@require_safe
def ris(request: HttpRequest, pk: int) -> HttpResponse:
    found = _exported(request, pk)
    if isinstance(found, HttpResponse):
        return found
    record = found[1]
    return _citation_file(
        record,
        citations.ris(record),
        content_type="application/x-research-info-systems",
        suffix="ris",
    )


@require_safe
def concept(request: HttpRequest, concept_id: int) -> HttpResponse:
    """A concept identifier resolves to its latest published version (302: the
    target changes when a new version is published)."""
    latest = latest_public_version(concept_id)
    if latest is None:
        raise Http404
    return redirect(output_path(latest.pk))


# ------------------------------------------------------------------ files


class Unsatisfiable(ValueError):
    """The range asked for lies outside the file (416)."""


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one byte range ``header`` asks for, inclusive, clipped to the file;
    None serves the whole file (no header, bad syntax, several ranges: RFC 9110
    lets a server ignore a Range it will not serve). ``Unsatisfiable`` when the
    range starts past the end."""
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    first, last = first.strip(), last.strip()
    if not dash or not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
        return None
    if first == "":
        if last == "":
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable(header)
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else max(start, size - 1)
    if end < start:
        return None
    if start >= size:
        raise Unsatisfiable(header)
    return start, min(end, size - 1)


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match against our strong ETag (weak comparison, as RFC 9110 asks)."""
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def _ranged(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _public_file(request: HttpRequest, key: UUID, name: str) -> OutputFile:
    found = OutputFile.objects.select_related("output", "stored").filter(key=key).first()
    if found is None:
        raise Http404
    output = found.output
    if found.name != name or not file_is_public(output.status, output.access_rights, found.access):
        deny(request, output, what=f"file {key} of output {output.pk}")
    return found


def _file_headers(
    response: HttpResponseBase, request: HttpRequest, file: OutputFile, *, private: bool
) -> None:
    stored = file.stored
    digest = jsonld.sha256_base64(stored.sha256)
    response["ETag"] = f'"{stored.sha256}"'
    response["Accept-Ranges"] = "bytes"
    response["Repr-Digest"] = f"sha-256=:{digest}:"
    response["Digest"] = f"SHA-256={digest}"
    response["X-Content-Type-Options"] = "nosniff"
    # Even a file that slipped past the deposit checks runs no script in our origin.
    response["Content-Security-Policy"] = "sandbox"
    # Public, but asked again each time: a withdrawn record stops being served at once.
    response["Cache-Control"] = "private, no-store" if private else "public, no-cache"
    landing = request.build_absolute_uri(output_path(file.output_id))
    response["Link"] = jsonld.link(landing, "collection", type="text/html")


def _content_type(mime: str) -> str:
    # Text is stored only when it decodes as UTF-8 (storage.sniff).
    return f"{mime}; charset=utf-8" if mime.startswith("text/") else mime


@require_safe
def download(request: HttpRequest, key: UUID, name: str) -> HttpResponseBase:
    return serve_file(request, _public_file(request, key, name))


def serve_file(
    request: HttpRequest, file: OutputFile, *, private: bool = False
) -> HttpResponseBase:
    """The bytes of ``file`` for a reader the caller has let through: whole, or
    one range of them; 304 when the reader's copy is current. ``private``: a
    file granted to one person (an access request), never kept by a shared cache."""
    stored = file.stored
    etag = f'"{stored.sha256}"'
    response: HttpResponseBase
    if etag_matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponse(status=304)
        _file_headers(response, request, file, private=private)
        return response
    size = stored.size
    wanted = None
    if_range = request.headers.get("If-Range", "").strip()
    range_header = request.headers.get("Range")
    if range_header is not None and (not if_range or if_range == etag):
        try:
            wanted = byte_range(range_header, size)
        except Unsatisfiable:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            _file_headers(response, request, file, private=private)
            return response
    mime = stored.content_type
    if wanted is None:
        response = FileResponse(open_stored(stored), content_type=_content_type(mime))
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        response = StreamingHttpResponse(
            _ranged(open_stored(stored), start, end - start + 1),
            status=206,
            content_type=_content_type(mime),
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Content-Disposition"] = (
        content_disposition_header(mime not in INLINE_TYPES, file.name) or "attachment"
    )
    _file_headers(response, request, file, private=private)
    # A download is counted once: a client fetching a large file in ranges
    # asks for the first bytes once, whatever it asks for after.
    if wanted is None or wanted[0] == 0:
        usage.record_usage(request, file.output, file)
    return response
