"""Replay a reference-data load inside a test's transaction instead of redoing it.

Loading the reference organisations and every program preset goes through the
services, row by row, each change with a hash-chained audit entry: about a
second, and hundreds of tests start from it. Each test rolls its transaction
back, so each would pay that second again for the very same rows.

:class:`LoadReplay` runs the real load the first time in a process (each test
database has one process) and records what it did: every table the load's SQL
names, as it was before, and every row the load added. A later call whose
database holds exactly that "before" state in those tables would see the load
do the same again, so the recorded rows are inserted as they are instead —
same primary keys, same timestamps, the same audit entries with the same
hashes, which chain onto the same head. In any other state (a flushed database
whose earlier contents differ, reference data already present, a chain head
that moved) the real load runs. A load that changed or removed rows that were
there before it is never replayed.

Rows are inserted raw (as ``loaddata`` does): no ``save()``, no signals, and
``auto_now`` fields keep their recorded values. The load's side effects
outside the database (a cache, a queued task) are therefore not replayed; a
load with such effects must not use this. On PostgreSQL the sequences of the
filled tables are reset afterwards so the test's own inserts get fresh keys;
SQLite's AUTOINCREMENT follows the explicit keys by itself. Two things differ
from a real load by design: the timestamps are those of the first load (a
little earlier), and on PostgreSQL the keys are the first load's where a real
load would take the sequences' next values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.sql import InsertQuery

Row = tuple[Any, ...]

_INSERT = re.compile(r'^\s*INSERT\s+INTO\s+"?(\w+)"?', re.IGNORECASE)


@dataclass(frozen=True)
class _Table:
    model: type[models.Model]
    attnames: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def rows(self, using: str) -> list[Row]:
        return list(
            self.model._base_manager.using(using).order_by("pk").values_list(*self.attnames)
        )

    def is_empty(self, using: str) -> bool:
        return not self.model._base_manager.using(using).exists()


@dataclass
class Snapshot:
    """What one real load found and what it added."""

    # The state the load started from, for every table its SQL named.
    before: dict[str, list[Row]]
    # The rows it added, table by table in the order it first inserted into them.
    added: list[tuple[_Table, list[Row]]]
    # The replay's SQL with its parameters, compiled at the first replay.
    statements: list[tuple[str, Any]] | None = field(default=None, repr=False)

    @property
    def row_count(self) -> int:
        return sum(len(rows) for _, rows in self.added)


def _tables() -> list[_Table]:
    """Every concrete table of the project's models, M2M tables included."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        attnames = tuple(
            f.attname for f in meta.concrete_fields if not getattr(f, "generated", False)
        )
        tables.append(_Table(model, attnames))
    return tables


@dataclass
class LoadReplay:
    """Run ``load`` once per database, then replay its rows where that is exact.

    Calling the instance loads; it answers True when it replayed the recorded
    rows and False when it ran the real load. ``keep`` snapshots are kept per
    database, so a few different starting states can each be replayed.
    """

    load: Callable[[], object]
    keep: int = 3
    _snapshots: dict[tuple[str, str], list[Snapshot]] = field(default_factory=dict)
    _refused: dict[tuple[str, str], int] = field(default_factory=dict)

    def __call__(self, using: str = DEFAULT_DB_ALIAS) -> bool:
        key = (using, str(connections[using].settings_dict["NAME"]))
        for snapshot in self._snapshots.get(key, []):
            if self._matches(snapshot, using):
                self._insert(snapshot, using)
                return True
        if len(self._snapshots.get(key, [])) + self._refused.get(key, 0) >= self.keep:
            self.load()
            return False
        recorded = self._record(using)
        if recorded is None:
            self._refused[key] = self._refused.get(key, 0) + 1
        else:
            self._snapshots.setdefault(key, []).append(recorded)
        return False

    def snapshots(self, using: str = DEFAULT_DB_ALIAS) -> list[Snapshot]:
        return list(self._snapshots.get((using, str(connections[using].settings_dict["NAME"])), []))

    def _record(self, using: str) -> Snapshot | None:
        """Run the real load and return what it did, or None if it cannot be replayed."""
        tables = _tables()
        before = {t.name: t.rows(using) for t in tables}
        with _statements(using) as statements:
            self.load()
        after = {t.name: t.rows(using) for t in tables}

        text = "\n".join(statements)
        named = {t.name for t in tables if re.search(rf"\b{re.escape(t.name)}\b", text)}
        inserted: list[str] = []
        for sql in statements:
            match = _INSERT.match(sql)
            if match and match[1] not in inserted:
                inserted.append(match[1])
        by_name = {t.name: t for t in tables}
        added: dict[str, list[Row]] = {}
        for t in tables:
            old, new = before[t.name], after[t.name]
            if old == new:
                continue
            kept = {row[0] for row in old}
            # Rows are told apart by their pk, read as the first column.
            if t.attnames[0] != t.model._meta.pk.attname or new[: len(old)] != old:
                # The load changed or removed rows it found, or slotted rows
                # between them: more than inserting new rows, so not replayable.
                return None
            added[t.name] = [row for row in new if row[0] not in kept]
        if set(added) - named:
            return None  # rows appeared in a table the load's SQL never named
        order = [n for n in inserted if n in added] + sorted(set(added) - set(inserted))
        return Snapshot(
            before={name: before[name] for name in sorted(named)},
            added=[(by_name[name], added[name]) for name in order],
        )

    def _matches(self, snapshot: Snapshot, using: str) -> bool:
        by_name = {t.name: t for t in _tables()}
        for name, rows in snapshot.before.items():
            table = by_name.get(name)
            if table is None:
                return False
            if not rows:
                if not table.is_empty(using):
                    return False
            elif table.rows(using) != rows:
                return False
        return True

    def _insert(self, snapshot: Snapshot, using: str) -> None:
        if snapshot.statements is None:
            snapshot.statements = _compile(snapshot, using)
        # One transaction, so foreign keys are checked once all rows are in
        # (Django's constraints are deferred) also under autocommit.
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            for sql, params in snapshot.statements:
                cursor.execute(sql, params)


def _compile(snapshot: Snapshot, using: str) -> list[tuple[str, Any]]:
    """The INSERTs of the recorded rows, then the sequence resets (PostgreSQL).

    Compiled as ``Model.save_base(raw=True)`` and ``loaddata`` insert: raw, so
    ``auto_now`` fields keep their recorded values. The parameters are the
    database's own values and can be sent again; compiling once saves most of
    a replay's time.
    """
    connection = connections[using]
    statements: list[tuple[str, Any]] = []
    for table, rows in snapshot.added:
        meta = table.model._meta
        fields = [f for f in meta.concrete_fields if f.attname in table.attnames]
        objs = [table.model(**dict(zip(table.attnames, row, strict=True))) for row in rows]
        size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
        for start in range(0, len(objs), size):
            query = InsertQuery(table.model)
            query.insert_values(fields, objs[start : start + size], raw=True)
            statements.extend(query.get_compiler(using=using).as_sql())
    models_filled = [table.model for table, _ in snapshot.added]
    statements.extend(
        (sql, None) for sql in connection.ops.sequence_reset_sql(no_style(), models_filled)
    )
    return statements


@contextmanager
def _statements(using: str) -> Iterator[list[str]]:
    """The SQL (without parameters) run on ``using`` inside the block, in order."""
    seen: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(wrapper):
        yield seen
