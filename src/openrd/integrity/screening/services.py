"""The only writers of the screening corpus, its flags and its runs.

A flag is evidence for the agency's staff and integrity officers: nothing here
changes the proposal, and reviewing a flag changes only the flag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, Role, User
from openrd.core import audit
from openrd.integrity.handdown import ResearchRecord
from openrd.integrity.models import (
    FlagStatus,
    RunStatus,
    ScreenedKind,
    ScreeningDocument,
    ScreeningFlag,
    ScreeningRun,
    ScreeningThreshold,
)
from openrd.integrity.screening import corpus, findings
from openrd.notifications.services import notify

if TYPE_CHECKING:
    from django.http import HttpRequest

FLAG_KIND = "integrity.flag"


@transaction.atomic
def record_document(record: ResearchRecord) -> None:
    """Keep the corpus document for ``record`` (see integrity.handdown); a proposal
    that becomes screenable is checked once the caller's transaction commits."""
    doc, fresh = corpus.store(record)
    if doc is not None and fresh and doc.kind == ScreenedKind.PROPOSAL:
        from openrd.integrity.screening.tasks import screen_proposal_task

        key = doc.source_key
        transaction.on_commit(lambda: screen_proposal_task.enqueue(source_key=key), robust=True)


@transaction.atomic
def screen_proposal(source_key: str) -> list[ScreeningFlag]:
    """Check one proposal against the corpus and keep a flag per finding; returns
    every flag found now (new or kept). Repeating it writes no duplicate."""
    doc = ScreeningDocument.objects.filter(source_key=source_key).select_related("agency").first()
    if doc is None or not findings.is_screenable(doc):
        return []
    found, new = [], []
    for finding in findings.find_for(doc):
        flag, created = _keep_flag(doc, finding)
        found.append(flag)
        if created:
            new.append(flag)
    if new:
        _tell_staff(doc, new)
    return found


def _keep_flag(doc: ScreeningDocument, finding: findings.Finding) -> tuple[ScreeningFlag, bool]:
    assert doc.agency_id is not None  # is_screenable: a flag goes to the proposal's agency
    flag, created = ScreeningFlag.objects.select_for_update().get_or_create(
        proposal_key=doc.source_key,
        kind=finding.kind,
        matched_key=finding.matched_key,
        defaults={
            "person_id": doc.person_id,
            "agency_id": doc.agency_id,
            "call_code": doc.call_code,
            "score": finding.score,
            "evidence": finding.evidence,
        },
    )
    if created:
        audit.record("integrity.screening.flagged", obj=flag, after=_flag_state(flag))
    elif flag.evidence != finding.evidence or flag.score != finding.score:
        # A re-check keeps the staff's review and note; only the evidence follows the corpus.
        before = {"score": flag.score}
        flag.score, flag.evidence, flag.call_code = finding.score, finding.evidence, doc.call_code
        flag.save(update_fields=["score", "evidence", "call_code", "updated_at"])
        audit.record("integrity.screening.flag_updated", obj=flag, before=before,
                     after={"score": flag.score})  # fmt: skip
    return flag, created


def _flag_state(flag: ScreeningFlag) -> dict[str, Any]:
    return {
        "proposal": flag.proposal_key,
        "kind": flag.kind,
        "matched": flag.matched_key,
        "score": flag.score,
        "status": flag.status,
    }


def screening_staff(agency_id: int) -> QuerySet[User]:
    """The people who receive the agency's flags."""
    return User.objects.filter(
        is_active=True,
        role_assignments__role__in=[Role.AGENCY_STAFF, Role.INTEGRITY_OFFICER],
        role_assignments__organisation_id=agency_id,
    ).distinct()


def _tell_staff(doc: ScreeningDocument, flags: list[ScreeningFlag]) -> None:
    """Only that there is something to look at, and where: the evidence stays on the page."""
    notify(
        list(screening_staff(doc.agency_id or 0)),
        FLAG_KIND,
        {
            "count": len(flags),
            "call_code": doc.call_code,
            "link": {"name": "integrity-screening:flags", "args": []},
        },
        dedupe_key=f"{FLAG_KIND}:{doc.source_key}:{flags[0].pk}",
    )


# ---------------------------------------------------------------- the staff's review


@transaction.atomic
def confirm_flag(
    flag: ScreeningFlag, actor: User, *, note: str, request: HttpRequest | None = None
) -> ScreeningFlag:
    """The finding stands; what follows is the agency's decision, outside this flag."""
    return _review(flag, actor, FlagStatus.CONFIRMED, note, request)


@transaction.atomic
def dismiss_flag(
    flag: ScreeningFlag, actor: User, *, note: str, request: HttpRequest | None = None
) -> ScreeningFlag:
    return _review(flag, actor, FlagStatus.DISMISSED, note, request)


def _review(
    flag: ScreeningFlag, actor: User, status: str, note: str, request: HttpRequest | None
) -> ScreeningFlag:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why, in a few words.")})
    locked = ScreeningFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.status != FlagStatus.OPEN:
        # A review is final: a second one would overwrite the first reviewer's note.
        raise ValidationError({"note": _("This flag has already been reviewed.")})
    before = {"status": locked.status, "note": locked.note}
    locked.status, locked.note = status, note
    locked.reviewed_at, locked.reviewed_by = timezone.now(), actor
    locked.save(update_fields=["status", "note", "reviewed_at", "reviewed_by", "updated_at"])
    audit.record(
        f"integrity.screening.{status}", actor=actor, obj=locked, before=before,
        after={"status": locked.status, "note": locked.note}, request=request,
    )  # fmt: skip
    return locked


# ---------------------------------------------------------------- thresholds


@transaction.atomic
def save_thresholds(
    agency: Organisation,
    actor: User,
    *,
    max_yen_per_fiscal_year: int | None,
    max_effort_percent: int | None,
    duplicate_cosine: float,
    request: HttpRequest | None = None,
) -> ScreeningThreshold:
    errors: dict[str, str] = {}
    if max_yen_per_fiscal_year is not None and max_yen_per_fiscal_year <= 0:
        errors["max_yen_per_fiscal_year"] = _("Give an amount above zero, or leave it empty.")
    if max_effort_percent is not None and not 1 <= max_effort_percent <= 100:
        errors["max_effort_percent"] = _("Give a whole percent from 1 to 100, or leave it empty.")
    if not 0 < duplicate_cosine <= 1:
        errors["duplicate_cosine"] = _("Give a similarity above 0 and at most 1.")
    if errors:
        raise ValidationError(errors)
    row = ScreeningThreshold.objects.select_for_update().filter(agency=agency).first()
    before = _threshold_state(row) if row else None
    if row is None:
        row = ScreeningThreshold(agency=agency)
    row.max_yen_per_fiscal_year = max_yen_per_fiscal_year
    row.max_effort_percent = max_effort_percent
    row.duplicate_cosine = duplicate_cosine
    row.updated_by = actor
    row.save()
    audit.record("integrity.screening.thresholds_saved", actor=actor, obj=row, before=before,
                 after=_threshold_state(row), request=request)  # fmt: skip
    return row


def _threshold_state(row: ScreeningThreshold) -> dict[str, Any]:
    return {
        "max_yen_per_fiscal_year": row.max_yen_per_fiscal_year,
        "max_effort_percent": row.max_effort_percent,
        "duplicate_cosine": row.duplicate_cosine,
    }


# ---------------------------------------------------------------- whole-call runs


@transaction.atomic
def start_run(
    agency: Organisation, call_code: str, actor: User, *, request: HttpRequest | None = None
) -> ScreeningRun:
    """Queue a screening of every active proposal of the call; a run of that call still
    queued or running is returned instead of a second one."""
    running = ScreeningRun.objects.filter(
        agency=agency, call_code=call_code, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()
    if running is not None:
        return running
    run = ScreeningRun.objects.create(agency=agency, call_code=call_code, requested_by=actor)
    audit.record("integrity.screening.run_started", actor=actor, obj=run,
                 after={"call": call_code, "status": run.status}, request=request)  # fmt: skip
    from openrd.integrity.screening.tasks import screen_call_task

    run_id = run.pk
    transaction.on_commit(lambda: screen_call_task.enqueue(run_id=run_id), robust=True)
    return run


def execute_run(run_id: int) -> ScreeningRun | None:
    """The run's work: each proposal in its own transaction, progress after each."""
    with transaction.atomic():
        run = ScreeningRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
            return run
        keys = list(
            ScreeningDocument.objects.filter(
                agency_id=run.agency_id, call_code=run.call_code,
                kind=ScreenedKind.PROPOSAL, active=True,
            ).order_by("pk").values_list("source_key", flat=True)
        )  # fmt: skip
        run.status, run.total, run.done, run.flags_found = RunStatus.RUNNING, len(keys), 0, 0
        run.started_at = run.started_at or timezone.now()
        run.save(update_fields=["status", "total", "done", "flags_found", "started_at"])
    flags = 0
    try:
        for done, key in enumerate(keys, start=1):
            flags += len(screen_proposal(key))
            ScreeningRun.objects.filter(pk=run_id).update(done=done, flags_found=flags)
    except Exception as exc:
        _finish(run_id, RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    return _finish(run_id, RunStatus.DONE)


@transaction.atomic
def _finish(run_id: int, status: str, *, error: str = "") -> ScreeningRun:
    run = ScreeningRun.objects.select_for_update().get(pk=run_id)
    before = {"status": run.status}
    run.status, run.error, run.finished_at = status, error[:4000], timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    audit.record("integrity.screening.run_finished", obj=run, before=before,
                 after={"status": status, "done": run.done, "flags": run.flags_found,
                        "error": run.error})  # fmt: skip
    return run
