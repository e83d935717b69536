"""OAI-PMH 2.0 at /oai: the six verbs over GET and POST, every error code, the
``oai_dc`` and ``jpcoar_2.0`` formats, and keyset resumption tokens.

The answer is always HTTP 200 with an OAI-PMH document (errors included), as the
protocol asks. What the harvester sees comes from ``queries.harvestable()``
(ever published; withdrawn = deleted) and ``records.build_record`` (the public
record: files only where ``access.file_is_public`` allows), whose metadata
``oai.rendered`` keeps written per record until its datestamp moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.utils import parseaddr
from typing import NamedTuple

from django.conf import settings
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from lxml import etree

from openrd.repository.models import DepositStatus, Output
from openrd.repository.oai import namespaces as ns
from openrd.repository.oai import rendered, tokens
from openrd.repository.oai.arguments import (
    VERBS,
    ArgumentError,
    check_arguments,
    date_range,
    utc_stamp,
)
from openrd.repository.oai.formats import FORMATS
from openrd.repository.oai.namespaces import OAI, q
from openrd.repository.oai.sets import OaiSet, all_sets, set_filter
from openrd.repository.queries import harvestable
from openrd.repository.records import set_specs

NSMAP = {None: OAI, "xsi": ns.XSI}
T = {name: q(OAI, name) for name in (
    "OAI-PMH", "responseDate", "request", "error", "Identify", "repositoryName", "baseURL",
    "protocolVersion", "adminEmail", "earliestDatestamp", "deletedRecord", "granularity",
    "description", "ListMetadataFormats", "metadataFormat", "metadataPrefix", "schema",
    "metadataNamespace", "ListSets", "set", "setSpec", "setName", "GetRecord", "record",
    "header", "identifier", "datestamp", "metadata", "ListIdentifiers", "ListRecords",
    "resumptionToken",
)}  # fmt: skip
# Arguments echoed in <request> only when they are all legal (spec 3.2).
QUIET_ERRORS = frozenset({"badVerb", "badArgument"})
EMPTY_METADATA = b"<metadata/>"


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def repository_name() -> str:
    return getattr(settings, "OPENRD_OAI_REPOSITORY_NAME", "OpenRD 研究成果リポジトリ")


def repository_identifier() -> str:
    return getattr(settings, "OPENRD_OAI_REPOSITORY_IDENTIFIER", "openrd.localhost")


def admin_email() -> str:
    configured = getattr(settings, "OPENRD_OAI_ADMIN_EMAIL", "")
    return configured or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def page_size() -> int:
    return max(1, int(getattr(settings, "OPENRD_OAI_PAGE_SIZE", 100)))


def oai_identifier(pk: int) -> str:
    return f"oai:{repository_identifier()}:{pk}"


def output_pk(identifier: str) -> int | None:
    """The output an identifier of this repository names (None: not ours)."""
    prefix = f"oai:{repository_identifier()}:"
    rest = identifier.removeprefix(prefix)
    if rest == identifier or not rest.isdigit() or len(rest) > 18:
        return None
    return int(rest)


@dataclass
class Harvest:
    """One request: where the site lives, the clock, what it is answered with."""

    request: HttpRequest
    now: datetime
    base: str = ""
    _root_url: str = field(default="", repr=False)

    # The rendered <metadata> of the records written, in order (_write_records).
    metadata: list[bytes] = field(default_factory=list)

    def absolute(self, path: str) -> str:
        return self._root_url + path

    @property
    def site(self) -> str:
        return rendered.site_key(self._root_url, translation.get_language() or "ja")


# --- the verbs -------------------------------------------------------------


def identify(h: Harvest, root: etree._Element, args: dict[str, str]) -> None:
    earliest = harvestable().aggregate(first=Min("datestamp"))["first"] or h.now
    body = etree.SubElement(root, T["Identify"])
    for tag, text in (
        ("repositoryName", repository_name()),
        ("baseURL", h.base),
        ("protocolVersion", "2.0"),
        ("adminEmail", admin_email()),
        ("earliestDatestamp", utc_stamp(earliest)),
        ("deletedRecord", "persistent"),
        ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ):
        etree.SubElement(body, T[tag]).text = text
    description = etree.SubElement(body, T["description"])
    oai_id = etree.SubElement(
        description, q(ns.OAI_IDENTIFIER, "oai-identifier"), nsmap={None: ns.OAI_IDENTIFIER}
    )
    oai_id.set(ns.XSI_SCHEMA_LOCATION, f"{ns.OAI_IDENTIFIER} {ns.OAI_IDENTIFIER_SCHEMA}")
    for tag, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", repository_identifier()),
        ("delimiter", ":"),
        ("sampleIdentifier", oai_identifier(1)),
    ):
        etree.SubElement(oai_id, q(ns.OAI_IDENTIFIER, tag)).text = text


def _existing(identifier: str) -> Output:
    pk = output_pk(identifier)
    found = harvestable().filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise OaiError("idDoesNotExist", f"{identifier} is not a record of this repository")
    return found


def list_metadata_formats(h: Harvest, root: etree._Element, args: dict[str, str]) -> None:
    if "identifier" in args:
        output = _existing(args["identifier"])
        if output.status == DepositStatus.WITHDRAWN:
            # A deleted record disseminates no metadata in any format.
            raise OaiError("noMetadataFormats", "the record is deleted")
    body = etree.SubElement(root, T["ListMetadataFormats"])
    for fmt in FORMATS.values():
        element = etree.SubElement(body, T["metadataFormat"])
        etree.SubElement(element, T["metadataPrefix"]).text = fmt.prefix
        etree.SubElement(element, T["schema"]).text = fmt.schema
        etree.SubElement(element, T["metadataNamespace"]).text = fmt.namespace


def list_sets(h: Harvest, root: etree._Element, args: dict[str, str]) -> None:
    position = tokens.Position(verb="ListSets")
    if "resumptionToken" in args:
        position = _read_token(args["resumptionToken"], "ListSets", h.now)
    found = all_sets()
    complete = position.complete or len(found)
    # Keyset on the spec too: sets added or gone meanwhile shift nothing.
    rest = [s for s in found if s.spec > position.last_key]
    size = page_size()
    page: Sequence[OaiSet] = rest[:size]
    body = etree.SubElement(root, T["ListSets"])
    for oai_set in page:
        element = etree.SubElement(body, T["set"])
        etree.SubElement(element, T["setSpec"]).text = oai_set.spec
        etree.SubElement(element, T["setName"]).text = oai_set.name
    more = len(rest) > size
    if more or "resumptionToken" in args:
        following = replace(position, last_key=page[-1].spec if page else position.last_key,
                            cursor=position.cursor + len(page), complete=complete)  # fmt: skip
        _resumption(body, following, position.cursor, h.now, more=more)


def get_record(h: Harvest, root: etree._Element, args: dict[str, str]) -> None:
    fmt = FORMATS.get(args["metadataPrefix"])
    pk = output_pk(args["identifier"])
    rows = _headers(harvestable().filter(pk=pk)) if pk is not None else []
    errors = []
    if not rows:
        errors.append(OaiError("idDoesNotExist", f"{args['identifier']} is not a record here"))
    if fmt is None:
        errors.append(_no_format(args["metadataPrefix"]))
    if errors:
        raise ErrorGroup(errors)
    body = etree.SubElement(root, T["GetRecord"])
    _write_records(h, body, rows, args["metadataPrefix"])


class ErrorGroup(Exception):
    def __init__(self, errors: list[OaiError]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


def _no_format(prefix: str) -> OaiError:
    return OaiError("cannotDisseminateFormat", f"{prefix} is not a format of this repository")


def _read_token(value: str, verb: str, now: datetime) -> tokens.Position:
    try:
        return tokens.read(value, verb, now)
    except tokens.BadToken as exc:
        raise OaiError("badResumptionToken", f"the resumptionToken is not valid: {exc}") from exc


def _records(position: tokens.Position) -> QuerySet[Output] | None:
    """The records of ``position``'s list after its place (None: an unknown set)."""
    rows = harvestable()
    if position.set_spec:
        where = set_filter(position.set_spec)
        if where is None:
            return None
        rows = rows.filter(where)
    dates = date_range(position.from_ or None, position.until or None)
    if dates.start is not None:
        rows = rows.filter(datestamp__gte=dates.start)
    if dates.end is not None:
        rows = rows.filter(datestamp__lt=dates.end)
    if position.snapshot:
        rows = rows.filter(datestamp__lte=parse_datetime(position.snapshot))
    if position.last_datestamp:
        last = parse_datetime(position.last_datestamp)
        # The redundant lower bound lets the index start at the place (SQLite
        # would otherwise read the OR from the index's first entry).
        rows = rows.filter(datestamp__gte=last).filter(
            Q(datestamp__gt=last) | Q(datestamp=last, id__gt=position.last_id)
        )
    return rows


def list_items(h: Harvest, root: etree._Element, args: dict[str, str], verb: str) -> None:
    if "resumptionToken" in args:
        position = _read_token(args["resumptionToken"], verb, h.now)
    else:
        if args["metadataPrefix"] not in FORMATS:
            raise _no_format(args["metadataPrefix"])
        date_range(args.get("from"), args.get("until"))  # badArgument before any query
        position = tokens.Position(
            verb=verb,
            prefix=args["metadataPrefix"],
            set_spec=args.get("set", ""),
            from_=args.get("from", ""),
            until=args.get("until", ""),
        )
    rows = _records(position)
    if rows is None:
        raise OaiError("noRecordsMatch", "no set of that name")
    if not position.snapshot:
        # The first page fixes the harvest: its size and its last datestamp.
        counted = rows.aggregate(n=Count("id"), top=Max("datestamp"))
        if not counted["n"]:
            raise OaiError("noRecordsMatch", "no records match the request")
        position = replace(position, complete=counted["n"], snapshot=counted["top"].isoformat())
        rows = rows.filter(datestamp__lte=counted["top"])
    size = page_size()
    ordered = rows.order_by("datestamp", "id")
    page = _headers(ordered, size + 1)
    more = len(page) > size
    page = page[:size]
    if not page:
        raise OaiError("noRecordsMatch", "no records are left in this list")
    body = etree.SubElement(root, T[verb])
    if verb == "ListRecords":
        _write_records(h, body, page, position.prefix)
    else:
        for header in page:
            _header(body, header)
    if more or position.cursor:
        last = page[-1]
        following = replace(
            position,
            last_datestamp=last.datestamp.isoformat(),
            last_id=last.pk,
            cursor=position.cursor + len(page),
        )
        _resumption(body, following, position.cursor, h.now, more=more)


def _resumption(parent: etree._Element, following: tokens.Position, cursor: int, now: datetime,
                *, more: bool) -> None:  # fmt: skip
    element = etree.SubElement(parent, T["resumptionToken"])
    element.set("completeListSize", str(following.complete))
    element.set("cursor", str(cursor))
    if more:
        value, expires = tokens.issue(following, now)
        element.set("expirationDate", utc_stamp(expires))
        element.text = value
    # The last page of a list carries an empty token: the list is complete.


# --- records -----------------------------------------------------------------


class Header(NamedTuple):
    """What a record's header says, and no more: read as plain values, since a
    harvest reads a million of them."""

    pk: int
    datestamp: datetime
    status: str
    resource_type: str
    institution_code: str
    program_code: str

    @property
    def deleted(self) -> bool:
        return self.status == DepositStatus.WITHDRAWN


def _headers(rows: QuerySet[Output], limit: int | None = None) -> list[Header]:
    values = rows.values_list(
        "id", "datestamp", "status", "resource_type", "institution__code", "program__code"
    )
    # Harvestable records have a datestamp (set when published).
    return [Header(*row) for row in (values[:limit] if limit is not None else values)]  # type: ignore[arg-type]


def _header(parent: etree._Element, header: Header) -> None:
    element = etree.SubElement(parent, T["header"])
    if header.deleted:
        element.set("status", "deleted")
    etree.SubElement(element, T["identifier"]).text = oai_identifier(header.pk)
    etree.SubElement(element, T["datestamp"]).text = utc_stamp(header.datestamp)
    for spec in set_specs(header.institution_code, header.program_code, header.resource_type):
        etree.SubElement(element, T["setSpec"]).text = spec


def _write_records(h: Harvest, parent: etree._Element, page: Sequence[Header], prefix: str) -> None:
    """Each record's header, and an empty ``<metadata/>`` that ``respond`` fills
    with the record's rendered metadata (``h.metadata``, in the same order)."""
    shown = []
    for header in page:
        element = etree.SubElement(parent, T["record"])
        _header(element, header)
        if header.deleted:
            continue  # a deleted record has a header and nothing else
        etree.SubElement(element, T["metadata"])
        shown.append((header.pk, header.datestamp))
    found = rendered.metadata(shown, prefix, h.site, h.absolute)
    h.metadata = [found[pk] for pk, _ in shown]


# --- the endpoint ------------------------------------------------------------

Handler = Callable[[Harvest, etree._Element, dict[str, str]], None]
HANDLERS: dict[str, Handler] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": lambda h, root, args: list_items(h, root, args, "ListIdentifiers"),
    "ListRecords": lambda h, root, args: list_items(h, root, args, "ListRecords"),
}


def respond(h: Harvest, arguments: dict[str, list[str]]) -> bytes:
    """The OAI-PMH document answering ``arguments`` (each name with its values)."""
    root = etree.Element(T["OAI-PMH"], nsmap=NSMAP)
    root.set(ns.XSI_SCHEMA_LOCATION, f"{OAI} {ns.OAI_SCHEMA}")
    etree.SubElement(root, T["responseDate"]).text = utc_stamp(h.now)
    request_element = etree.SubElement(root, T["request"])
    request_element.text = h.base
    errors: list[OaiError] = []
    single: dict[str, str] = {}
    verbs = arguments.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        reason = "the verb is repeated" if len(verbs) > 1 else "no verb" if not verbs else (
            f"{verbs[0]} is not an OAI-PMH verb")  # fmt: skip
        errors.append(OaiError("badVerb", reason))
    else:
        verb = verbs[0]
        try:
            single = check_arguments(verb, arguments)
            HANDLERS[verb](h, root, single)
        except ArgumentError as exc:
            errors.append(OaiError(exc.code, str(exc)))
        except OaiError as exc:
            errors.append(exc)
        except ErrorGroup as group:
            errors.extend(group.errors)
    if errors:
        # Whatever a handler began writing gives way to the errors.
        for child in root[2:]:
            root.remove(child)
        h.metadata = []
        for error in errors:
            element = etree.SubElement(root, T["error"], code=error.code)
            element.text = error.message
    if not {e.code for e in errors} & QUIET_ERRORS:
        request_element.set("verb", verbs[0])
        for name, value in single.items():
            request_element.set(name, value)
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if not h.metadata:
        return document
    # Text and attributes are escaped, so each b"<metadata/>" is an element:
    # one per record written, in order.
    parts = document.split(EMPTY_METADATA)
    pieces = [parts[0]]
    for fragment, rest in zip(h.metadata, parts[1:], strict=True):
        pieces += (fragment, rest)
    return b"".join(pieces)


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        arguments = dict(request.GET.lists())
    elif request.method == "POST":
        arguments = dict(request.POST.lists())
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    root_url = request.build_absolute_uri("/")[:-1]
    harvest = Harvest(request, timezone.now(), request.build_absolute_uri(request.path), root_url)
    return HttpResponse(respond(harvest, arguments), content_type="text/xml; charset=utf-8")
