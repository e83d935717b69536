"""The screening corpus: its table, and the process's in-memory index that follows it.

The table (``ScreeningDocument``) is written from the records handed down
(``store``); each process keeps one ``Screener`` over the active documents and
brings it up to date before a check from the rows changed since its watermark,
so a check never rebuilds the index. The overlap re-reads rows written by
transactions that committed after a later one was already seen; the sha tells
which of those re-read rows actually changed.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timedelta

from openrd.integrity.handdown import ResearchRecord
from openrd.integrity.models import ScreeningDocument
from openrd.integrity.screening.engine import Screener

# The index is cut for this similarity: a near-duplicate threshold an agency sets
# at or above it is answered from the index, one below it by a scan of the corpus.
INDEX_SIMILARITY = 0.5

OVERLAP = timedelta(minutes=2)


def text_of(record: ResearchRecord) -> str:
    return record.text.strip()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def store(record: ResearchRecord) -> tuple[ScreeningDocument | None, bool]:
    """Upsert the record's document; returns it and whether it is newly screenable
    (became active, or its text changed while active)."""
    text = text_of(record)
    active = record.active and bool(text)
    existing = ScreeningDocument.objects.select_for_update().filter(source_key=record.source_key)
    doc = existing.first()
    if doc is None and not active:
        return None, False
    digest = sha256(text) if text else (doc.text_sha256 if doc else "")
    fields = {
        "kind": record.kind,
        "person_id": record.person_id,
        "agency_id": record.agency_id,
        "call_code": record.call_code,
        "program_code": record.program_code,
        "title": " / ".join(t for t in (record.title_ja, record.title_en) if t)[:1000],
        "fiscal_years": sorted(record.amount_by_year),
        "active": active,
    }
    if text:
        fields |= {"text": text, "text_sha256": digest}
    if doc is None:
        doc = ScreeningDocument.objects.create(source_key=record.source_key, **fields)
        return doc, True
    fresh = active and (not doc.active or doc.text_sha256 != digest)
    for name, value in fields.items():
        setattr(doc, name, value)
    doc.save()
    return doc, fresh


class Index:
    """A Screener over the active documents, synchronised by watermark and sha."""

    def __init__(self) -> None:
        self.screener = Screener(threshold=INDEX_SIMILARITY)
        self.shas: dict[str, str] = {}
        self.watermark: datetime | None = None
        self.lock = threading.Lock()

    def sync(self) -> Screener:
        with self.lock:
            rows = ScreeningDocument.objects.order_by("updated_at")
            if self.watermark is None:
                rows = rows.filter(active=True)
            else:
                rows = rows.filter(updated_at__gte=self.watermark - OVERLAP)
            changed: dict[str, tuple[str, str]] = {}
            for key, text, digest, active, moment in rows.values_list(
                "source_key", "text", "text_sha256", "active", "updated_at"
            ).iterator():
                if active and text:
                    if self.shas.get(key) != digest:
                        changed[key] = (text, digest)
                else:
                    changed.pop(key, None)
                    self._retire(key)
                self.watermark = moment if self.watermark is None else max(self.watermark, moment)
            self._add(changed)
            return self.screener

    def forget(self, key: str) -> None:
        """Drop a key the table no longer has as active (seen by a check)."""
        with self.lock:
            self._retire(key)

    def _add(self, changed: dict[str, tuple[str, str]]) -> None:
        if not changed:
            return
        many = getattr(self.screener, "upsert_many", None)
        if many is not None:
            # One vectorisation for the whole first load.
            many((key, text) for key, (text, _) in changed.items())
        else:
            for key, (text, _) in changed.items():
                self.screener.upsert(key, text)
        self.shas.update((key, digest) for key, (_, digest) in changed.items())

    def _retire(self, key: str) -> None:
        if self.shas.pop(key, None) is not None:
            self.screener.remove(key)


_index = Index()


def index() -> Screener:
    """The process's index, brought up to date with the table."""
    return _index.sync()


def forget(key: str) -> None:
    _index.forget(key)


def reset() -> None:
    """Start the process's index afresh (tests: each runs on its own database state)."""
    global _index
    _index = Index()
