"""The only writers of deposits: one function per change, in a transaction, each
writing the audit log. States change through ``move`` (``core.lifecycle``) under
``rules.lifecycle.DEPOSIT_TRANSITIONS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, User
from openrd.awards.models import Award
from openrd.core import audit
from openrd.core.fiscal import to_tokyo
from openrd.core.lifecycle import enter_state
from openrd.core.refusals import Refused
from openrd.repository.models import (
    AccessRights,
    DepositStatus,
    FileAccess,
    Output,
    OutputCreator,
    OutputFile,
    OutputKind,
)
from openrd.repository.rules.lifecycle import (
    DepositFacts,
    check_deposit_transition,
    check_editable,
    check_new_version,
)
from openrd.repository.rules.policy import exception_reason_codes
from openrd.repository.vocabularies import LANGUAGES, LICENCES, RESOURCE_TYPES

S = DepositStatus

# The record's own fields a depositor (or a curator) may set.
METADATA_FIELDS = (
    "resource_type", "title_ja", "title_en", "abstract_ja", "abstract_en", "language",
    "keywords", "doi", "journal_title", "issn", "volume", "issue", "page_start", "page_end",
    "publisher", "accepted_on", "published_on", "peer_reviewed", "text_version", "licence",
    "access_rights", "embargo_until", "embargo_reason", "gold_oa",
)  # fmt: skip
CREATOR_FIELDS = (
    "family_name_ja", "given_name_ja", "family_name_en", "given_name_en", "name_kana",
    "erad_researcher_number", "orcid", "affiliation_name_ja", "affiliation_name_en", "role",
)  # fmt: skip


def today_in_tokyo(now: datetime | None = None) -> date:
    return to_tokyo(now or timezone.now()).date()


def lock(output: Output) -> Output:
    """The output's row, locked and read afresh for the rest of the transaction."""
    return Output.objects.select_for_update().get(pk=output.pk)


def deposit_facts(output: Output, *, today: date) -> DepositFacts:
    return DepositFacts(
        status=output.status,
        today=today,
        kind=output.kind,
        has_title=bool(output.title_ja.strip() or output.title_en.strip()),
        creators=output.creators.count(),
        files=output.files.count(),
        access_rights=output.access_rights,
        embargo_until=output.embargo_until,
        has_journal_or_doi=bool(output.journal_title.strip() or output.doi.strip()),
        has_licence=bool(output.licence),
        withdrawal_reason=output.withdrawal_reason,
    )


def _touch(output: Output, now: datetime) -> None:
    """What harvesters see has changed: a new datestamp (OAI-PMH ``from``)."""
    if output.published_at is not None:
        output.datestamp = now
        output.save(update_fields=["datestamp", "updated_at"])


def move(
    locked: Output,
    target: str,
    *,
    actor: User | None,
    action: str,
    now: datetime,
    effect: Callable[[Output], dict[str, Any]] | None = None,
) -> Output:
    facts = deposit_facts(locked, today=today_in_tokyo(now))
    return enter_state(
        locked,
        target,
        decision=check_deposit_transition(facts, target),
        actor=actor,
        action=action,
        at=now,
        detail=_("This step cannot be taken now."),
        effect=effect,
    )


# --- creating and editing ---------------------------------------------------------


def _clean_metadata(
    fields: Mapping[str, Any], *, kind: str
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The fields checked one by one: the good ones, and every error under its field."""
    unknown = set(fields) - set(METADATA_FIELDS)
    if unknown:
        raise ValueError(f"unknown output fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned = dict(fields)
    if "resource_type" in cleaned:
        term = RESOURCE_TYPES.get(str(cleaned["resource_type"]))
        if term is None:
            errors["resource_type"] = [_("Choose a resource type from the list.")]
        elif kind != OutputKind.OTHER and term.kind != kind:
            errors["resource_type"] = [_("This resource type is not of this kind of output.")]
    if "language" in cleaned and cleaned["language"] not in LANGUAGES:
        errors["language"] = [_("Choose a language from the list.")]
    if cleaned.get("licence") and cleaned["licence"] not in LICENCES:
        errors["licence"] = [_("Choose a licence from the list.")]
    keywords = cleaned.get("keywords")
    if keywords is not None:
        if isinstance(keywords, str):
            keywords = [k for k in (w.strip() for w in keywords.replace("、", ",").split(",")) if k]
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            errors["keywords"] = [_("Give the keywords as a list of words.")]
        elif any(len(k) > 100 for k in keywords) or len(keywords) > 30:
            errors["keywords"] = [_("At most 30 keywords of up to 100 characters each.")]
        else:
            cleaned["keywords"] = keywords
    return {k: v for k, v in cleaned.items() if k not in errors}, errors


def _validate(
    output: Output, exclude: Sequence[str] = (), errors: dict[str, list[str]] | None = None
) -> None:
    """The record as a whole (model validation and the cross-field checks); the
    errors already found come in ``errors`` so every one is reported at once."""
    errors = dict(errors or {})
    try:
        output.full_clean(exclude=["award", "program", "institution", "funder", *exclude])
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(str(m) for m in v)
    if output.access_rights == AccessRights.EMBARGOED and output.embargo_until is None:
        errors.setdefault("embargo_until", []).append(_("Give the date the embargo ends."))
    if output.access_rights != AccessRights.EMBARGOED and output.embargo_until is not None:
        errors.setdefault("embargo_until", []).append(
            _("Only an embargoed record has an embargo date.")
        )
    if output.accepted_on and output.published_on and output.published_on < output.accepted_on:
        errors.setdefault("published_on", []).append(
            _("The publication date cannot be before the acceptance date.")
        )
    if errors:
        raise ValidationError(errors)


def _award_funder(award: Award) -> Organisation | None:
    if award.call_id is not None and award.call is not None:
        return award.call.agency
    return award.program.agencies.order_by("code").first()


@transaction.atomic
def create_output(
    *,
    actor: User,
    award: Award,
    kind: str,
    institution: Organisation | None = None,
    **fields: Any,
) -> Output:
    """A new draft deposit of ``kind`` for ``award``, in the repository of
    ``institution`` (by default the award's institution)."""
    if kind not in OutputKind.values:
        raise ValidationError({"kind": [_("Choose the kind of output.")]})
    fields.setdefault(
        "resource_type",
        {"article": "journal_article", "dataset": "dataset"}.get(kind, "other"),
    )
    cleaned, errors = _clean_metadata(fields, kind=kind)
    output = Output(
        award=award,
        program=award.program,
        funder=_award_funder(award),
        institution=institution or award.institution,
        deposited_by=actor,
        kind=kind,
        **cleaned,
    )
    _validate(output, errors=errors)
    output.save()
    output.concept_id = output.pk
    output.save(update_fields=["concept_id"])
    audit.record("repository.output.created", actor=actor, obj=output, after=audit.snapshot(output))
    return output


@transaction.atomic
def save_output(
    output: Output,
    *,
    actor: User,
    revision: int | None = None,
    as_curator: bool = False,
    now: datetime | None = None,
    **fields: Any,
) -> Output:
    """Save the metadata of a draft (or, for a curator, of a record being curated
    or published); ``revision`` guards against overwriting someone else's edit."""
    now = now or timezone.now()
    locked = lock(output)
    decision = check_editable(locked.status, as_curator=as_curator)
    if not decision.allowed:
        raise Refused(decision)
    if revision is not None and revision != locked.revision:
        raise ValidationError(
            {"revision": [_("Someone else saved this record meanwhile: reload it and try again.")]}
        )
    cleaned, errors = _clean_metadata(fields, kind=locked.kind)
    before = audit.snapshot(locked, cleaned.keys())
    for name, value in cleaned.items():
        setattr(locked, name, value)
    _validate(locked, errors=errors)
    locked.revision += 1
    locked.save()
    if locked.status == S.PUBLISHED:
        _touch(locked, now)
    audit.record(
        "repository.output.saved",
        actor=actor,
        obj=locked,
        before=before,
        after=audit.snapshot(locked, cleaned.keys()),
    )
    return locked


@transaction.atomic
def set_creators(
    output: Output,
    creators: Sequence[Mapping[str, Any]],
    *,
    actor: User,
    as_curator: bool = False,
    now: datetime | None = None,
) -> list[OutputCreator]:
    """Replace the authors, in order. Each is validated; errors come back as
    ``creators.<row>.<field>`` and nothing is saved."""
    locked = lock(output)
    decision = check_editable(locked.status, as_curator=as_curator)
    if not decision.allowed:
        raise Refused(decision)
    errors: dict[str, list[str]] = {}
    rows: list[OutputCreator] = []
    for i, data in enumerate(creators):
        unknown = set(data) - {*CREATOR_FIELDS, "person", "affiliation"}
        if unknown:
            raise ValueError(f"unknown creator fields: {sorted(unknown)}")
        row = OutputCreator(output=locked, order=i + 1, **data)
        if row.affiliation is not None:
            row.affiliation_name_ja = row.affiliation_name_ja or row.affiliation.name_ja
            row.affiliation_name_en = row.affiliation_name_en or row.affiliation.name_en
        if not (row.family_name_ja.strip() or row.family_name_en.strip()):
            errors[f"creators.{i}.family_name_ja"] = [_("Give the author's family name.")]
        try:
            row.full_clean(exclude=["output", "person", "affiliation"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"creators.{i}.{field}", []).extend(messages)
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    before = [c.name for c in locked.creators.all()]
    locked.creators.all().delete()
    OutputCreator.objects.bulk_create(rows)
    if locked.status == S.PUBLISHED:
        _touch(locked, now or timezone.now())
    audit.record(
        "repository.output.creators",
        actor=actor,
        obj=locked,
        before={"creators": before},
        after={"creators": [c.name for c in rows]},
    )
    return rows


@transaction.atomic
def attach_file(
    output: Output,
    upload: object,
    *,
    actor: User,
    name: str,
    access: str = FileAccess.OPEN,
    text_version: str = "",
    label: str = "",
    as_curator: bool = False,
    now: datetime | None = None,
) -> OutputFile:
    """Store ``upload`` (sniffed, hashed, size-limited) and attach it under ``name``."""
    from openrd.repository.storage import store_output_file

    locked = lock(output)
    decision = check_editable(locked.status, as_curator=as_curator)
    if not decision.allowed:
        raise Refused(decision)
    if access not in FileAccess.values:
        raise ValidationError({"access": [_("Choose who may download the file.")]})
    name = name.strip().replace("/", "_").replace("\\", "_")
    if not name:
        raise ValidationError({"name": [_("Give the file a name.")]})
    if locked.files.filter(name=name).exists():
        raise ValidationError({"name": [_("A file of this name is attached already.")]})
    stored = store_output_file(upload, name=name)
    order = (locked.files.aggregate(m=Max("order"))["m"] or 0) + 1
    attached = OutputFile(
        output=locked,
        stored=stored,
        name=name,
        label=label,
        access=access,
        text_version=text_version or locked.text_version,
        order=order,
    )
    attached.full_clean(exclude=["output", "stored"])
    attached.save()
    if locked.status == S.PUBLISHED:
        _touch(locked, now or timezone.now())
    audit.record(
        "repository.file.attached",
        actor=actor,
        obj=locked,
        after={"file": name, "sha256": stored.sha256, "size": stored.size, "access": access},
    )
    return attached


# --- the workflow -------------------------------------------------------------------


@transaction.atomic
def submit(output: Output, *, actor: User, now: datetime | None = None) -> Output:
    """The depositor hands the record to the institution's curators."""
    now = now or timezone.now()

    def effect(o: Output) -> dict[str, Any]:
        o.submitted_at = now
        o.save(update_fields=["submitted_at"])
        return {}

    moved = move(
        lock(output),
        S.SUBMITTED,
        actor=actor,
        action="repository.output.submitted",
        now=now,
        effect=effect,
    )
    _tell_curators(moved, now=now)
    return moved


@transaction.atomic
def return_to_depositor(
    output: Output, *, actor: User, note: str, now: datetime | None = None
) -> Output:
    if not note.strip():
        raise ValidationError({"note": [_("Say what the depositor should change.")]})
    now = now or timezone.now()

    def effect(o: Output) -> dict[str, Any]:
        o.curator_note = note.strip()
        o.save(update_fields=["curator_note"])
        return {"note": o.curator_note}

    moved = move(
        lock(output),
        S.DRAFT,
        actor=actor,
        action="repository.output.returned",
        now=now,
        effect=effect,
    )
    _tell_depositor(moved, "repository.deposit_returned", now=now, note=moved.curator_note)
    return moved


@transaction.atomic
def curate(output: Output, *, actor: User, now: datetime | None = None) -> Output:
    """A curator has checked the metadata, the files and the licence."""
    now = now or timezone.now()
    return move(lock(output), S.CURATED, actor=actor, action="repository.output.curated", now=now)


def _opened(o: Output) -> bool:
    return o.access_rights == AccessRights.OPEN


@transaction.atomic
def publish(output: Output, *, actor: User, now: datetime | None = None) -> Output:
    """Make the record public: its landing page, OAI-PMH and (if open) its files.
    A new version becomes the latest of its concept."""
    now = now or timezone.now()

    def effect(o: Output) -> dict[str, Any]:
        o.published_at = now
        o.datestamp = now
        if _opened(o):
            o.opened_at = now
        o.is_latest = True
        o.save(update_fields=["published_at", "datestamp", "opened_at", "is_latest"])
        older = Output.objects.filter(concept_id=o.concept_id, is_latest=True).exclude(pk=o.pk)
        # The older versions' records say they have a newer version: new datestamps.
        older.filter(published_at__isnull=False).update(is_latest=False, datestamp=now)
        older.update(is_latest=False)
        return {"access_rights": o.access_rights, "version": o.version_number}

    moved = move(
        lock(output),
        S.PUBLISHED,
        actor=actor,
        action="repository.output.published",
        now=now,
        effect=effect,
    )
    _tell_depositor(moved, "repository.published", now=now)
    return moved


@transaction.atomic
def withdraw(output: Output, *, actor: User, reason: str, now: datetime | None = None) -> Output:
    """Take a published record down: its page becomes a tombstone with ``reason``,
    its files are no longer served and OAI-PMH reports it deleted."""
    now = now or timezone.now()
    locked = lock(output)
    locked.withdrawal_reason = reason.strip()

    def effect(o: Output) -> dict[str, Any]:
        o.withdrawn_at = now
        o.datestamp = now
        o.save(update_fields=["withdrawn_at", "datestamp", "withdrawal_reason"])
        # The other versions' records no longer list this one: new datestamps.
        Output.objects.filter(concept_id=o.concept_id, status=S.PUBLISHED).exclude(pk=o.pk).update(
            datestamp=now
        )
        return {"reason": o.withdrawal_reason}

    try:
        return move(
            locked,
            S.WITHDRAWN,
            actor=actor,
            action="repository.output.withdrawn",
            now=now,
            effect=effect,
        )
    except Refused:
        locked.refresh_from_db()
        raise


@transaction.atomic
def new_version(output: Output, *, actor: User) -> Output:
    """A draft copy of a published record's metadata, authors and files: the next
    version of the same concept, published when curated."""
    source = lock(output)
    if source.status != S.PUBLISHED:
        raise Refused(check_new_version(source.status))
    if Output.objects.filter(concept_id=source.concept_id, published_at__isnull=True).exists():
        raise ValidationError({"version": [_("A new version of this record is in progress.")]})
    last = Output.objects.filter(concept_id=source.concept_id).aggregate(m=Max("version_number"))
    copy = Output.objects.get(pk=source.pk)
    copy.pk = None
    copy.id = None
    copy._state.adding = True
    copy.version_number = (last["m"] or 1) + 1
    copy.status = S.DRAFT
    copy.is_latest = False
    copy.deposited_by = actor
    copy.published_at = copy.opened_at = copy.submitted_at = copy.datestamp = None
    copy.withdrawn_at = None
    copy.withdrawal_reason = copy.curator_note = ""
    copy.revision = 1
    copy.save()
    copy.other_awards.set(source.other_awards.all())
    OutputCreator.objects.bulk_create(
        [OutputCreator(**{**_row(c), "output": copy}) for c in source.creators.all()]
    )
    OutputFile.objects.bulk_create(
        [
            OutputFile(
                output=copy,
                stored=f.stored,
                name=f.name,
                label=f.label,
                order=f.order,
                access=f.access,
                text_version=f.text_version,
            )
            for f in source.files.all()
        ]
    )
    audit.record(
        "repository.output.new_version",
        actor=actor,
        obj=copy,
        after={"concept": copy.concept_id, "version": copy.version_number},
    )
    return copy


def _row(creator: OutputCreator) -> dict[str, Any]:
    return {
        f.attname: getattr(creator, f.attname)
        for f in OutputCreator._meta.concrete_fields
        if not f.primary_key and f.name != "output"
    }


@transaction.atomic
def report_oa_exception(
    output: Output, *, actor: User, reason: str, note: str = "", today: date | None = None
) -> Output:
    """Immediate OA is not possible for this output: the researcher says why
    (without penalty) and opens it once the obstacle is gone."""
    if reason not in exception_reason_codes():
        raise ValidationError({"reason": [_("Choose a reason from the list.")]})
    if reason == "other" and not note.strip():
        raise ValidationError({"note": [_("Describe the reason.")]})
    locked = lock(output)
    before = audit.snapshot(locked, ["oa_exception", "oa_exception_note"])
    locked.oa_exception = reason
    locked.oa_exception_note = note.strip()
    locked.oa_exception_reported_on = today or today_in_tokyo()
    locked.save(
        update_fields=[
            "oa_exception",
            "oa_exception_note",
            "oa_exception_reported_on",
            "updated_at",
        ]
    )
    audit.record(
        "repository.output.oa_exception",
        actor=actor,
        obj=locked,
        before=before,
        after={"oa_exception": reason, "oa_exception_note": locked.oa_exception_note},
    )
    return locked


@transaction.atomic
def lift_embargoes(*, now: datetime | None = None) -> list[int]:
    """Open every published record whose embargo ends today or earlier (Asia/Tokyo),
    with its embargoed files. Run daily by the scheduler; safe to run twice."""
    now = now or timezone.now()
    today = today_in_tokyo(now)
    due = list(
        Output.objects.select_for_update()
        .filter(status=S.PUBLISHED, access_rights=AccessRights.EMBARGOED, embargo_until__lte=today)
        .order_by("pk")
    )
    for output in due:
        ended = output.embargo_until
        output.access_rights = AccessRights.OPEN
        output.embargo_until = None
        output.opened_at = now
        output.datestamp = now
        # Files first: the save re-judges the output's compliance, which reads them.
        output.files.filter(access=FileAccess.EMBARGOED).update(access=FileAccess.OPEN)
        output.save(
            update_fields=["access_rights", "embargo_until", "opened_at", "datestamp", "updated_at"]
        )
        audit.record(
            "repository.output.embargo_lifted",
            obj=output,
            before={"access_rights": AccessRights.EMBARGOED, "embargo_until": ended},
            after={"access_rights": AccessRights.OPEN, "at": now},
        )
    return [o.pk for o in due]


def _context(output: Output) -> dict[str, Any]:
    return {
        "title": {"ja": output.title_ja or output.title_en, "en": output.title_en},
        "grant_number": output.award.grant_number,
        "link": {"name": "repository:deposit", "args": [output.pk]},
    }


def _tell_depositor(output: Output, kind: str, *, now: datetime, **extra: Any) -> None:
    """The depositor hears of their deposit, unless they took the step themselves
    (a curator depositing for a researcher publishes their own deposit)."""
    from openrd.notifications.services import notify

    depositor = output.deposited_by
    if depositor is None or not depositor.is_active:
        return
    notify([depositor], kind, _context(output) | extra, now=now)


def _tell_curators(output: Output, *, now: datetime) -> None:
    from openrd.accounts.models import Role
    from openrd.notifications.services import notify

    curators = User.objects.filter(
        role_assignments__role=Role.CURATOR,
        role_assignments__organisation_id=output.institution_id,
        is_active=True,
    ).distinct()
    notify(curators, "repository.deposit_submitted", _context(output), now=now)
