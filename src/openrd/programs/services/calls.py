"""The writers of calls for proposals: drafting, changing, opening and closing a call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.core import audit
from openrd.core.lifecycle import enter_state
from openrd.core.refusals import Refused
from openrd.notifications.queries import subscribers
from openrd.notifications.services import notify
from openrd.programs.follow import program_topic
from openrd.programs.models import (
    CALL_TOPIC_KINDS,
    Call,
    CallCriterion,
    CallDocument,
    CallStatus,
    Program,
)
from openrd.programs.rules import (
    TighteningError,
    call_rules,
    check_call_editable,
    check_call_transition,
    check_duration,
    program_rules,
)
from openrd.programs.rules.call_terms import check_call_change

# What a caller may set on a call; the status moves only through open_call/close_call.
CALL_FIELDS = (
    "topic",
    "presenting_ministry",
    "code",
    "title_ja",
    "title_en",
    "summary_ja",
    "summary_en",
    "opens_at",
    "closes_at",
    "fiscal_year",
    "first_budget_year",
    "last_budget_year",
    "total_budget_yen",
    "cap_per_proposal_yen",
    "eligibility",
)
DOCUMENT_FIELDS = ("code", "name_ja", "name_en", "required", "order")
CRITERION_FIELDS = ("code", "name_ja", "name_en", "weight", "order")
CRITERIA_TOTAL = 100


Errors = dict[str, list[ValidationError]]


def _add(errors: Errors, name: str, message: str, code: str) -> None:
    errors.setdefault(name, []).append(ValidationError(message, code=code))


def _merge(errors: Errors, exc: ValidationError, prefix: str = "") -> None:
    for name, errs in exc.error_dict.items():
        errors.setdefault(
            f"{prefix}{name}" if name != "__all__" or not prefix else prefix[:-1], []
        ).extend(errs)


def _refuse_unknown(
    fields: Iterable[str], allowed: Iterable[str], errors: Errors, prefix: str = ""
) -> None:
    for name in sorted(set(fields) - set(allowed)):
        _add(
            errors,
            f"{prefix}{name}",
            _("Unknown field: it is not part of this request."),
            "unknown_field",
        )


def _aware(value: object) -> bool:
    return isinstance(value, datetime) and value.utcoffset() is not None


def _check_call(call: Call, errors: Errors) -> None:
    """Field rules of one call, each error on the field that has to change."""
    try:
        call.clean_fields()
    except ValidationError as exc:
        _merge(errors, exc)

    def ok(*names: str) -> bool:
        return not any(name in errors for name in names)

    for name in ("opens_at", "closes_at"):
        if ok(name) and not _aware(getattr(call, name)):
            _add(errors, name, _("Enter a date and time with its time zone."), "naive_datetime")
    if ok("opens_at", "closes_at") and call.closes_at <= call.opens_at:
        _add(errors, "closes_at", _("The call must close after it opens."), "closes_before_opens")
    if ok("fiscal_year", "first_budget_year") and call.first_budget_year < call.fiscal_year:
        _add(
            errors,
            "first_budget_year",
            _("Budget years cannot start before the call's fiscal year."),
            "budget_before_call",
        )
    if ok("first_budget_year", "last_budget_year") and (
        call.last_budget_year < call.first_budget_year
    ):
        _add(
            errors,
            "last_budget_year",
            _("The last budget year cannot come before the first."),
            "budget_years_reversed",
        )
    if ok("total_budget_yen", "cap_per_proposal_yen") and (
        call.cap_per_proposal_yen > call.total_budget_yen
    ):
        _add(
            errors,
            "cap_per_proposal_yen",
            _("The cap per proposal cannot exceed the call's total budget."),
            "cap_over_total",
        )

    program = call.program
    if ok("agency"):
        if call.agency.kind != OrganisationKind.FUNDING_AGENCY:
            _add(errors, "agency", _("A call is run by a funding agency."), "not_an_agency")
        elif not program.agencies.filter(pk=call.agency_id).exists():
            _add(
                errors,
                "agency",
                _("This funding agency does not run the program."),
                "agency_not_of_program",
            )
    ministry = call.presenting_ministry
    if (
        ok("presenting_ministry")
        and ministry is not None
        and ministry.kind != OrganisationKind.MINISTRY
    ):
        _add(errors, "presenting_ministry", _("Choose a ministry."), "not_a_ministry")
    topic = call.topic
    if ok("topic") and topic is not None:
        if topic.program_id != program.pk:
            _add(errors, "topic", _("This topic belongs to another program."), "foreign_topic")
        elif topic.kind not in CALL_TOPIC_KINDS:
            _add(
                errors,
                "topic",
                _("A call is opened under a goal, theme, topic or phase."),
                "not_a_topic",
            )
    if ok("eligibility"):
        try:
            rules = call_rules(program_rules(program.rules), call.eligibility, call_code=call.code)
        except TighteningError as exc:
            _add(errors, "eligibility", exc.message, "loosens_program_rules")
        else:
            if ok("first_budget_year", "last_budget_year"):
                years = call.last_budget_year - call.first_budget_year + 1
                duration = check_duration(rules, years)
                for reason in duration.reasons:
                    _add(errors, "last_budget_year", reason.message, "too_many_budget_years")
    for check in (call.validate_unique, call.validate_constraints):
        try:
            # Constraints on fields already in error would only repeat those errors.
            check(exclude=set(errors))
        except ValidationError as exc:
            _merge(errors, exc)


def _parts[P: CallDocument | CallCriterion](
    model: type[P], entries: object, name: str, allowed: tuple[str, ...], errors: Errors
) -> list[P]:
    """Build a call's documents or criteria from plain dicts, every error under
    ``name.<position>.<field>`` as the API reports list items."""
    if not isinstance(entries, list | tuple):
        _add(errors, name, _("Enter a list."), "not_a_list")
        return []
    parts: list[P] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        prefix = f"{name}.{i}."
        if not isinstance(entry, Mapping):
            _add(errors, f"{name}.{i}", _("Enter an object."), "not_an_object")
            continue
        _refuse_unknown(entry, allowed, errors, prefix)
        values = {k: v for k, v in entry.items() if k in allowed}
        values.setdefault("order", i)
        part = model(**values)
        try:
            part.full_clean(exclude=["call"])
        except ValidationError as exc:
            _merge(errors, exc, prefix)
        if part.code in seen:
            _add(errors, f"{prefix}code", _("This code is used twice."), "duplicate_code")
        seen.add(part.code)
        parts.append(part)
    return parts


def _validated(
    call: Call, documents: object, criteria: object, errors: Errors
) -> tuple[list[CallDocument], list[CallCriterion]]:
    _check_call(call, errors)
    docs = _parts(CallDocument, documents, "documents", DOCUMENT_FIELDS, errors)
    crits = _parts(CallCriterion, criteria, "criteria", CRITERION_FIELDS, errors)
    if not any(key.startswith("criteria") for key in errors):
        total = sum(c.weight for c in crits)
        if total != CRITERIA_TOTAL:
            _add(
                errors,
                "criteria",
                _("The weights of the review criteria must add up to 100 (now %(total)d).")
                % {"total": total},
                "weights_not_100",
            )
    if errors:
        raise ValidationError(errors)
    return docs, crits


def _save_parts(call: Call, docs: list[CallDocument], crits: list[CallCriterion]) -> None:
    for doc in docs:
        doc.call = call
    for crit in crits:
        crit.call = call
    CallDocument.objects.bulk_create(docs)
    CallCriterion.objects.bulk_create(crits)


def _parts_snapshot(call: Call) -> dict[str, Any]:
    return {
        "documents": [
            {"code": d.code, "name_ja": d.name_ja, "required": d.required}
            for d in call.documents.order_by("order", "id")
        ],
        "criteria": [
            {"code": c.code, "name_ja": c.name_ja, "weight": c.weight}
            for c in call.criteria.order_by("order", "id")
        ],
    }


def _call_snapshot(call: Call) -> dict[str, Any]:
    return (audit.snapshot(call) or {}) | _parts_snapshot(call)


@transaction.atomic
def create_call(
    *,
    actor: Any,
    program: Program,
    agency: Organisation,
    documents: list[dict[str, Any]],
    criteria: list[dict[str, Any]],
    **fields: Any,
) -> Call:
    """Draft a call under ``program``, with its required documents and its review
    criteria (weights adding up to 100). Every error, on every field, is raised
    at once as a ValidationError before anything is written."""
    errors: Errors = {}
    _refuse_unknown(fields, CALL_FIELDS, errors)
    call = Call(
        program=program,
        agency=agency,
        status=CallStatus.DRAFT,
        **{k: v for k, v in fields.items() if k in CALL_FIELDS},
    )
    docs, crits = _validated(call, documents, criteria, errors)
    call.save()
    _save_parts(call, docs, crits)
    audit.record("programs.call.created", actor=actor, obj=call, after=_call_snapshot(call))
    return call


@transaction.atomic
def update_call(
    call: Call,
    *,
    actor: Any,
    documents: list[dict[str, Any]] | None = None,
    criteria: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Call:
    """Change a draft call; documents or criteria, when given, replace the old ones.

    An open or closed call is refused (``Refused``): applicants have read its terms.
    """
    # Locked and re-read, so a call opened meanwhile is not edited on stale data.
    locked = Call.objects.select_for_update().select_related("program").get(pk=call.pk)
    decision = check_call_editable(locked.status, call_code=locked.code)
    if not decision.allowed:
        raise Refused(decision)
    before = _call_snapshot(locked)
    errors: Errors = {}
    _refuse_unknown(fields, (*CALL_FIELDS, "agency"), errors)
    for name, value in fields.items():
        if name in CALL_FIELDS or name == "agency":
            setattr(locked, name, value)
    keep_docs = [{f: getattr(d, f) for f in DOCUMENT_FIELDS} for d in locked.documents.all()]
    keep_crits = [{f: getattr(c, f) for f in CRITERION_FIELDS} for c in locked.criteria.all()]
    docs, crits = _validated(
        locked,
        keep_docs if documents is None else documents,
        keep_crits if criteria is None else criteria,
        errors,
    )
    locked.save()
    if documents is not None:
        locked.documents.all().delete()
        _save_parts(locked, docs, [])
    if criteria is not None:
        locked.criteria.all().delete()
        _save_parts(locked, [], crits)
    audit.record(
        "programs.call.updated",
        actor=actor,
        obj=locked,
        before=before,
        after=_call_snapshot(locked),
    )
    return locked


def _move(call: Call, target: CallStatus, action: str, actor: Any, now: datetime | None) -> Call:
    locked = Call.objects.select_for_update().get(pk=call.pk)
    moment = now or timezone.now()
    decision = check_call_transition(
        locked.status, target, closes_at=locked.closes_at, now=moment, call_code=locked.code
    )
    enter_state(locked, target, decision=decision, actor=actor, action=action, at=moment)
    call.status = locked.status
    return locked


@transaction.atomic
def open_call(call: Call, *, actor: Any, now: datetime | None = None) -> Call:
    """Publish a draft call. ``now`` is the moment it is opened (the demo
    replays a past call's history with it); by default the present."""
    opened = _move(call, CallStatus.OPEN, "programs.call.opened", actor, now)
    program = opened.program
    notify(
        subscribers(program_topic(program)),
        "call.opened",
        {
            "call_title": {"ja": opened.title_ja, "en": opened.title_en},
            "program_name": {"ja": program.name_ja, "en": program.name_en},
            "closes_at": opened.closes_at,
            "cap_yen": opened.cap_per_proposal_yen,
            "link": {"name": "calls:detail", "args": [opened.pk]},
        },
    )
    return opened


@transaction.atomic
def close_call(call: Call, *, actor: Any, now: datetime | None = None) -> Call:
    """End an open call, at or before its closing time."""
    return _move(call, CallStatus.CLOSED, "programs.call.closed", actor, now)


@transaction.atomic
def extend_call_deadline(
    call: Call, *, actor: Any, closes_at: datetime, now: datetime | None = None
) -> Call:
    """Give an open call more time: the one change its terms allow once applicants
    rely on them (``rules.call_terms.check_call_change``). A draft changes through
    ``update_call``; anything else is refused."""
    locked = Call.objects.select_for_update().get(pk=call.pk)
    moment = now or timezone.now()
    if locked.status == CallStatus.DRAFT:
        # A draft may move either way, with every other field checked again.
        return update_call(locked, actor=actor, closes_at=closes_at)
    decision = check_call_change(
        locked.status,
        {"closes_at": closes_at},
        closes_at=locked.closes_at,
        now=moment,
        call_code=locked.code,
    )
    if not decision.allowed:
        raise Refused(decision)
    before = {"closes_at": locked.closes_at.isoformat()}
    locked.closes_at = closes_at
    locked.save(update_fields=["closes_at", "updated_at"])
    audit.record(
        "programs.call.deadline_extended",
        actor=actor,
        obj=locked,
        before=before,
        after={"closes_at": closes_at.isoformat()},
    )
    call.closes_at = locked.closes_at
    return locked
