"""The life of a deposit, as a table: which state may follow which, and what each
target state asks before it is entered.

draft → submitted → curated → published → withdrawn; a curator may send a
submitted or curated deposit back to draft with a note. Only a draft is edited
by its depositor; a curator edits the metadata while curating. A published
record is never deleted: withdrawal leaves a tombstone (and OAI-PMH says
"deleted" for ever after).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.core.i18n import current_lang
from openrd.repository.models import AccessRights
from openrd.repository.models import DepositStatus as S
from openrd.repository.models import OutputKind as K

SOURCE = "OpenRD 機関リポジトリ運用規程（登録・査読・公開・取り下げ）"

DEPOSIT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.DRAFT, S.CURATED}),
    S.CURATED: frozenset({S.DRAFT, S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
}
# Who edits the record in each state: the depositor in draft, a curator while
# curating; a published record changes only by a new version (or a curator's
# correction, which moves its datestamp).
DEPOSITOR_EDITABLE = frozenset({S.DRAFT})
CURATOR_EDITABLE = frozenset({S.SUBMITTED, S.CURATED, S.PUBLISHED})


@dataclass(frozen=True)
class DepositFacts:
    """What the lifecycle rules need to know about one deposit at one moment."""

    status: str
    today: date
    kind: str = K.ARTICLE
    has_title: bool = True
    creators: int = 1
    files: int = 0
    access_rights: str = AccessRights.OPEN
    embargo_until: date | None = None
    has_journal_or_doi: bool = True
    has_licence: bool = True
    withdrawal_reason: str = ""


def _reason(code: str, message: str) -> Reason:
    return Reason(code, message, SOURCE)


def _label(status: str) -> str:
    label = str(S(status).label)
    return label.lower() if current_lang() == "en" else label


def _complete(facts: DepositFacts) -> list[Reason | None]:
    """What a deposit must carry before a curator sees it."""
    metadata_only = facts.access_rights == AccessRights.METADATA_ONLY
    embargo_date_missing = facts.access_rights == AccessRights.EMBARGOED and (
        facts.embargo_until is None or facts.embargo_until <= facts.today
    )
    return [
        None if facts.has_title else _reason("deposit.no_title", _("Give the title.")),
        None if facts.creators else _reason("deposit.no_creators", _("Name at least one author.")),
        None
        if facts.files or metadata_only
        else _reason(
            "deposit.no_files",
            _("Attach the file (the accepted manuscript), or make the record metadata only."),
        ),
        None
        if facts.kind != K.ARTICLE or facts.has_journal_or_doi
        else _reason("deposit.no_journal", _("Give the journal or the article's DOI.")),
        None
        if metadata_only or facts.has_licence
        else _reason("deposit.no_licence", _("Choose the licence under which the file is open.")),
        _reason(
            "deposit.embargo_date",
            _("An embargo needs the date it ends, after today."),
        )
        if embargo_date_missing
        else None,
    ]


def _to_submitted(facts: DepositFacts) -> Decision:
    return Decision.of(*_complete(facts))


def _to_draft(facts: DepositFacts) -> Decision:
    return Decision()


def _to_curated(facts: DepositFacts) -> Decision:
    return Decision.of(*_complete(facts))


def _to_published(facts: DepositFacts) -> Decision:
    return Decision.of(*_complete(facts))


def _to_withdrawn(facts: DepositFacts) -> Decision:
    if facts.withdrawal_reason.strip():
        return Decision()
    return Decision.of(
        _reason(
            "deposit.withdrawal_reason",
            _("Say why the record is withdrawn: the tombstone shows it."),
        )
    )


GUARDS: dict[str, Callable[[DepositFacts], Decision]] = {
    S.SUBMITTED: _to_submitted,
    S.DRAFT: _to_draft,
    S.CURATED: _to_curated,
    S.PUBLISHED: _to_published,
    S.WITHDRAWN: _to_withdrawn,
}
assert {t for ts in DEPOSIT_TRANSITIONS.values() for t in ts} <= set(GUARDS), (
    "a target lacks a guard"
)


def check_deposit_transition(facts: DepositFacts, target: str) -> Decision:
    """May the deposit move from its state to ``target`` now?"""
    if target not in DEPOSIT_TRANSITIONS[facts.status]:
        if facts.status == S.WITHDRAWN:
            message = _("This record has been withdrawn; nothing more can be done with it.")
        else:
            message = _("A deposit that is %(status)s cannot become %(target)s.") % {
                "status": _label(facts.status),
                "target": _label(target),
            }
        return Decision.of(_reason("deposit.transition", message))
    return GUARDS[target](facts)


def check_editable(status: str, *, as_curator: bool) -> Decision:
    allowed = CURATOR_EDITABLE if as_curator else DEPOSITOR_EDITABLE
    if status in allowed:
        return Decision()
    if as_curator:
        message = _("A withdrawn record or a draft is not edited by a curator.")
    else:
        message = _(
            "Only a draft can be edited; this deposit is %(status)s. Ask the curator to "
            "send it back, or make a new version."
        ) % {"status": _label(status)}
    return Decision.of(_reason("deposit.not_editable", message))


def check_new_version(status: str) -> Decision:
    """Only a published record is the base of a new version."""
    if status == S.PUBLISHED:
        return Decision()
    return Decision.of(
        _reason("deposit.not_published", _("Only a published record can have a new version."))
    )
