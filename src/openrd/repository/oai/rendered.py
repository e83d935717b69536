"""Records' ``<metadata>`` written once and served as bytes (``RenderedRecord``).

Building a record (``records.build_record``) and writing it as JPCOAR takes
longer than everything else a ListRecords page does; a full harvest of a
national repository would build each of its records again. So each record's
``<metadata>`` element is kept, per format and per site (the root URL and the
language its links were built for), with the datestamp it was built at and the
version of the code that wrote it. A row is served only while both still hold:

* every change a harvester should see gives the output a new datestamp
  (``services._touch``, publish, withdraw, new versions, embargo lifts);
* ``WRITER_VERSION`` is a checksum of the modules that decide what a record
  says (this one included), so a release that changes them stales every row
  without anyone remembering to.

The bytes are kept zlib-compressed: JPCOAR metadata shrinks about fivefold, so
a national repository's rows stay small enough for the database's pages to be
cached and no row spills onto overflow pages; inflating a page's hundred rows
costs far less than reading them from disk would.

Missing or stale rows are built when a page asks for them (and kept), by the
``render-harvest-records`` schedule entry for the configured site, and by
``manage.py render_harvest_records`` (after a bulk import, say).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from lxml import etree

from openrd.repository import records, vocabularies
from openrd.repository.models import DepositStatus, Output, RenderedRecord
from openrd.repository.oai import formats
from openrd.repository.oai.formats import FORMATS, Version
from openrd.repository.oai.namespaces import OAI, q
from openrd.repository.oai.pages import load_page
from openrd.repository.queries import harvestable, public_outputs
from openrd.repository.records import UrlBuilder, build_record, output_path


def _writer_version() -> int:
    checksum = 0
    for path in (records.__file__, vocabularies.__file__, formats.__file__, __file__):
        checksum = zlib.crc32(Path(str(path)).read_bytes(), checksum)
    return checksum & 0x7FFFFFFF  # a positive 32-bit integer on every database


WRITER_VERSION = _writer_version()
METADATA = q(OAI, "metadata")


def other_versions(outputs: Sequence[Output], absolute: UrlBuilder) -> dict[int, list[Version]]:
    """The published versions of the outputs' concepts, in one query."""
    concepts = {
        o.concept_id
        for o in outputs
        if o.concept_id is not None and o.status != DepositStatus.WITHDRAWN
    }
    found: dict[int, list[Version]] = {}
    if concepts:
        rows = public_outputs().filter(concept_id__in=concepts).order_by("version_number")
        for pk, concept, number in rows.values_list("pk", "concept_id", "version_number"):
            found.setdefault(concept or pk, []).append(Version(absolute(output_path(pk)), number))
    return found


def write(outputs: Sequence[Output], prefix: str, absolute: UrlBuilder) -> dict[int, bytes]:
    """The ``<metadata>`` element of each output (loaded by ``pages.load_page``)."""
    writer = FORMATS[prefix].write
    versions = other_versions(outputs, absolute)
    written = {}
    for output in outputs:
        record = build_record(output, absolute)
        others = [
            v for v in versions.get(output.concept_id or 0, []) if v.number != record.version_number
        ]
        element = etree.Element(METADATA, nsmap={None: OAI})
        writer(element, record, others)
        written[output.pk] = etree.tostring(element, encoding="UTF-8")
    return written


def metadata(
    stamps: Iterable[tuple[int, datetime]], prefix: str, site: str, absolute: UrlBuilder
) -> dict[int, bytes]:
    """The ``<metadata>`` of each (output id, datestamp): kept rows where they are
    current, the others written now and kept."""
    wanted = dict(stamps)
    if not wanted:
        return {}
    found: dict[int, bytes] = {}
    for pk, stamp, version, xml in RenderedRecord.objects.filter(
        output_id__in=wanted, prefix=prefix, site=site
    ).values_list("output_id", "datestamp", "version", "xml"):
        if stamp == wanted[pk] and version == WRITER_VERSION:
            found[pk] = zlib.decompress(xml)
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        found.update(_store(_load(missing), prefix, site, absolute))
    return found


def _load(ids: Iterable[int]) -> list[Output]:
    return load_page(Output.objects.filter(pk__in=list(ids)).order_by("id"))


def _store(
    outputs: Sequence[Output], prefix: str, site: str, absolute: UrlBuilder
) -> dict[int, bytes]:
    """Write the outputs' metadata in ``prefix`` and keep it for ``site``."""
    written = write(outputs, prefix, absolute)
    rows = [
        RenderedRecord(
            output_id=o.pk,
            prefix=prefix,
            site=site,
            datestamp=o.datestamp,
            version=WRITER_VERSION,
            xml=zlib.compress(written[o.pk]),
        )
        for o in outputs
        if o.datestamp is not None
    ]
    try:
        with transaction.atomic():
            RenderedRecord.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["output", "prefix", "site"],
                update_fields=["datestamp", "version", "xml"],
            )
    except IntegrityError:
        # The output went away between the read and the write: what was
        # written still answers this page; the next one writes again.
        pass
    return written


def site_key(root_url: str, language: str) -> str:
    """What a record's links depend on: the root URL and the language."""
    return f"{root_url} {language}"


def refresh_site(root_url: str = "", language: str = "", *, batch: int = 500) -> int:
    """``refresh`` for the configured site (``OPENRD_SITE_URL``, the default
    language) unless told another: what the schedule and the command run."""
    root_url = (root_url or settings.OPENRD_SITE_URL).rstrip("/")
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        return refresh(site_key(root_url, language), lambda path: root_url + path, batch=batch)


def refresh(site: str, absolute: UrlBuilder, *, batch: int = 500) -> int:
    """Write every harvestable record's missing or stale rows for ``site``, in
    both formats (links in the active language); the number written."""
    written = 0
    last = 0
    base = harvestable().exclude(status=DepositStatus.WITHDRAWN).order_by("id")
    while True:
        chunk = list(base.filter(id__gt=last).values_list("id", "datestamp")[:batch])
        if not chunk:
            return written
        last = chunk[-1][0]
        current = set(
            RenderedRecord.objects.filter(
                output_id__in=[pk for pk, _ in chunk], site=site, version=WRITER_VERSION
            ).values_list("output_id", "prefix", "datestamp")
        )
        stale = {
            prefix: {pk for pk, stamp in chunk if (pk, prefix, stamp) not in current}
            for prefix in FORMATS
        }
        # Each stale record is loaded once, whichever formats it lacks.
        outputs = _load(set().union(*stale.values()))
        for prefix, ids in stale.items():
            if ids:
                chosen = [o for o in outputs if o.pk in ids]
                written += len(_store(chosen, prefix, site, absolute))
