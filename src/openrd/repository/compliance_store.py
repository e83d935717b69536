"""Each output's OA-mandate verdict, kept beside it so that counting is SQL.

The rules stay the authority: ``compliance.compliance_of`` judges an output
and explains why. This module keeps the verdict in three columns of the output
(status, due date, the fiscal year it counts in) so that shares and roll-ups
over millions of outputs are one grouped query instead of judging every output
on every read. A verdict depends on the calendar in one way only — a
"pending" with a due date is late from the day after — so the stored status is
the verdict before any due date has passed, and ``in_status`` reads it for a
given day: it never goes stale with time, only when an input changes.

The inputs are the output's own row and files, its award (start), the award's
call (opening), its program (code, rules) and the article it is the back data
of. Their saves re-judge the outputs concerned here (``connect``): at once when
they are few, else marked unjudged (blank) for ``judge_unjudged``, which the
scheduler runs every few minutes (a roll-up judges a few before it counts); a
save that changes nothing the mandate reads re-judges nothing. Writes that send
no signals (bulk loads, ``update()``) are caught by the nightly re-judgement of
everything (``judge_all``) or ``manage.py judge_outputs`` after a bulk load.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.db.models.signals import post_delete, post_save, pre_save

from openrd.awards.models import Award
from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.core.i18n import localized
from openrd.programs.models import Call, Program
from openrd.repository.compliance import (
    GROUPINGS,
    Group,
    GroupBy,
    compliance_facts,
    counted,
    mandate_facts,
    with_facts,
)
from openrd.repository.models import Output, OutputFile
from openrd.repository.rules import (
    ComplianceStatus,
    ComplianceSummary,
    Mandate,
    MandateFacts,
    is_oa_mandated,
    status_of,
)

# The verdict before any due date has passed: the rules' "today" that is never late.
BEFORE_ANY_DUE_DATE = date.min
FIELDS = ("compliance_status", "compliance_due_on", "compliance_fiscal_year")
CHUNK = 2000
# Saves of an award, call or program re-judge up to this many outputs at once;
# beyond it the outputs wait (blank) for the scheduler or the next roll-up.
INLINE = 500
# A read judges at most this many unjudged outputs before it counts.
READ_JUDGES = 2000

S = ComplianceStatus


Verdict = tuple[str, date | None, int]  # status, due date, fiscal year counted
MandateKey = tuple[Any, ...]


def verdict(output: Output, mandates: dict[MandateKey, Mandate] | None = None) -> Verdict:
    """``output``'s verdict (as loaded by ``compliance.with_facts``). The mandate
    depends on a few facts shared by many outputs: ``mandates`` keeps it per
    those facts within one pass."""
    facts = mandate_facts(output)
    key = _mandate_key(output.program_id, facts)
    found = mandates.get(key) if mandates is not None else None
    if found is None:
        found = is_oa_mandated(facts)
        if mandates is not None:
            mandates[key] = found
    status, due_on = status_of(compliance_facts(output, found), today=BEFORE_ANY_DUE_DATE)
    counted_on = output.published_on or to_tokyo(output.created_at).date()
    return status.value, due_on, fiscal_year_of(counted_on)


def _mandate_key(program_id: int, facts: MandateFacts) -> MandateKey:
    # The program's rules are a dict (unhashable); the program's id stands for them.
    return (program_id, facts.call_opened_at, facts.award_starts_on, facts.output_kind,
            facts.peer_reviewed, facts.supports_article)  # fmt: skip


def judge_rows(rows: QuerySet[Output]) -> int:
    """Judge and store the outputs of ``rows`` (any query of outputs); how many."""
    done = 0
    mandates: dict[MandateKey, Mandate] = {}
    # Keyset over primary keys, not an open cursor: each chunk is written as it goes.
    ids = rows.order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        chunk = list(ids.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return done
        last = chunk[-1]
        loaded = with_facts(Output.objects.filter(pk__in=chunk), lean=True)
        same: defaultdict[Verdict, list[int]] = defaultdict(list)
        for output in loaded:
            same[verdict(output, mandates)].append(output.pk)
        # One UPDATE per distinct verdict: a chunk has a few dozen, not thousands.
        for (status, due_on, fiscal_year), pks in same.items():
            Output.objects.filter(pk__in=pks).update(
                compliance_status=status,
                compliance_due_on=due_on,
                compliance_fiscal_year=fiscal_year,
            )
        done += len(chunk)


def judge_unjudged(limit: int | None = None) -> int:
    """Judge the outputs that have no verdict yet (new through a bulk load, or
    marked by a change of many at once); at most ``limit`` of them."""
    rows = Output.objects.filter(compliance_status="")
    if limit is not None:
        first = list(rows.order_by("pk").values_list("pk", flat=True)[:limit])
        rows = Output.objects.filter(pk__in=first)
    return judge_rows(rows)


def judge_all() -> int:
    return judge_rows(Output.objects.all())


def rejudge(rows: QuerySet[Output]) -> None:
    """After a change of their inputs: now when few, else left to ``judge_unjudged``."""
    if rows.count() <= INLINE:
        judge_rows(rows)
    else:
        Output.objects.filter(pk__in=rows.values("pk")).update(compliance_status="")


def in_status(status: ComplianceStatus, today: date) -> Q:
    """The outputs whose verdict is ``status`` on ``today`` (a Tokyo day)."""
    late = Q(compliance_status=S.PENDING, compliance_due_on__lt=today)
    if status == S.PENDING:
        return Q(compliance_status=S.PENDING) & ~late
    if status == S.NON_COMPLIANT:
        return Q(compliance_status=S.NON_COMPLIANT) | late
    return Q(compliance_status=status)


def mandated() -> Q:
    return ~Q(compliance_status=S.NOT_MANDATED)


def counts(rows: QuerySet[Output], today: date, *group: str) -> list[dict[str, Any]]:
    """The counted outputs of ``rows`` per ``group`` columns and status on ``today``.
    A few unjudged ones are judged first; after a change of many, the rest wait
    for the scheduler (minutes) rather than the reader."""
    judge_unjudged(limit=READ_JUDGES)
    per_status = {s.value: Count("pk", filter=in_status(s, today)) for s in S}
    return list(counted(rows).values(*group).annotate(**per_status).order_by())


def summary_of(row: dict[str, Any]) -> ComplianceSummary:
    return ComplianceSummary({s: row[s.value] for s in S})


# What a roll-up groups by: (key, name ja, name en, code).
_GROUP_COLUMNS: dict[GroupBy, tuple[str, str, str, str]] = {
    "award": ("award_id", "award__title_ja", "award__title_en", "award__grant_number"),
    "institution": (
        "institution_id", "institution__name_ja", "institution__name_en", "institution__code",
    ),
    "program": ("program_id", "program__name_ja", "program__name_en", "program__code"),
    "agency": ("funder_id", "funder__name_ja", "funder__name_en", "funder__code"),
}  # fmt: skip


def roll_up(rows: QuerySet[Output], by: GroupBy, *, today: date) -> list[Group]:
    """The counted outputs of ``rows`` per award, institution, program or funding
    agency, largest number of mandated outputs first."""
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    key, ja, en, code = _GROUP_COLUMNS[by]
    groups = [
        Group(
            key=row[key] or 0,
            label=localized(row[ja] or "", row[en] or "") if row[key] else "—",
            code=row[code] or "",
            summary=summary_of(row),
        )
        for row in counts(rows, today, key, ja, en, code)
    ]
    return sorted(groups, key=lambda g: (-g.summary.mandated, g.label))


def per_fiscal_year(rows: QuerySet[Output], today: date) -> dict[int, ComplianceSummary]:
    found = counts(rows, today, "compliance_fiscal_year")
    return {r["compliance_fiscal_year"]: summary_of(r) for r in found}


# What re-judges whom when it is saved.
def _outputs_reading(obj: models.Model) -> QuerySet[Output]:
    if isinstance(obj, Output):
        return Output.objects.filter(Q(pk=obj.pk) | Q(supports=obj.pk))
    if isinstance(obj, OutputFile):
        return Output.objects.filter(pk=obj.output_id)
    if isinstance(obj, Award):
        return Output.objects.filter(award=obj)
    if isinstance(obj, Call):
        return Output.objects.filter(award__call=obj)
    if isinstance(obj, Program):
        return Output.objects.filter(program=obj)
    raise TypeError(f"no verdict reads {type(obj).__name__}")


# What the mandate reads of the rows around an output: a save that changes none
# of it (a program's preset reloaded as it was, an award's budget) re-judges nothing.
READ_AROUND: dict[type[models.Model], tuple[str, ...]] = {
    Award: ("starts_on", "call_id", "program_id"),
    Call: ("opens_at",),
    Program: ("code", "rules"),
}
# Output fields a verdict does not read (saving only them re-judges nothing).
_NOT_INPUTS = {"datestamp", "updated_at", "revision", "is_latest", *FIELDS}


def _remember(sender: type[models.Model], instance: models.Model, raw: bool = False,
              **_: Any) -> None:  # fmt: skip
    fields = READ_AROUND[sender]
    before = None
    if not raw and instance.pk is not None:
        before = sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()
    instance._verdict_inputs_before = before  # type: ignore[attr-defined]


def _around_changed(sender: type[models.Model], instance: models.Model, raw: bool = False,
                    created: bool = False, **_: Any) -> None:  # fmt: skip
    if raw or created:
        return  # loaddata: judged by judge_unjudged; a new row has no outputs yet
    before = getattr(instance, "_verdict_inputs_before", None)
    if before is not None and before == tuple(getattr(instance, f) for f in READ_AROUND[sender]):
        return
    rejudge(_outputs_reading(instance))


def _output_changed(
    sender: type[models.Model],
    instance: models.Model,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **_: Any,
) -> None:
    if raw:
        return  # loaddata: judged by judge_unjudged
    if sender is Output and update_fields is not None and set(update_fields) <= _NOT_INPUTS:
        return
    judge_rows(_outputs_reading(instance))  # one output (and its back data): always now


def connect() -> None:
    own: tuple[type[models.Model], ...] = (Output, OutputFile)
    for model in own:
        uid = f"repository.compliance_store.{model._meta.label}"
        post_save.connect(_output_changed, sender=model, dispatch_uid=uid)
    post_delete.connect(_output_changed, sender=OutputFile,
                        dispatch_uid="repository.compliance_store.file-deleted")  # fmt: skip
    for around in READ_AROUND:
        uid = f"repository.compliance_store.{around._meta.label}"
        pre_save.connect(_remember, sender=around, dispatch_uid=uid + ".pre")
        post_save.connect(_around_changed, sender=around, dispatch_uid=uid + ".post")
