"""Conflicts of interest between a reviewer and a proposal, computed from facts.

Every conflict says who and what, and carries plain evidence to store, so the review
office, the reviewer and an auditor read the same grounds. Sources, in rule order:

1. the submitting institution: the reviewer is affiliated with it, or was within the
   program's N years;
2. shared affiliations with the applicant or a co-investigator, positions from the
   disclosures included (concurrent, visiting, advisory, foreign: all count alike);
3. the reviewer is one of the proposal's people;
4. a research funding shared with one of the proposal's people;
5. the reviewer's own declaration.

The time rule, the same for every source: a period counts on the day ``on`` until N
years after it ends, where "N years after E" is the same month and day N years later
(29 February → 28 February, ``programs.rules.add_years``). So an affiliation that ended
on E conflicts while ``on <= E + N years`` and not the day after; N = 0 keeps only what
is current. A period not yet begun counts too: an appointment accepted or a funding
applied for together is a tie already. Two periods (the reviewer's and a proposal
person's) conflict when both still count on ``on`` and they overlap once each is
extended by N years after its end; a shared past that ended more than N years before
``on`` no longer counts, exactly as for the institution.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from openrd.core.decisions import Decision, Reason
from openrd.core.fiscal import format_wareki_date
from openrd.core.i18n import current_lang
from openrd.integrity.rules.entries import Funding, Position
from openrd.programs.rules import add_years

# The default citation; a program whose own review rules differ passes its own source.
REVIEW_POLICY_SOURCE = "競争的研究費の審査における利害関係者の排除（各配分機関の審査規程）"

SAME_INSTITUTION = "review.conflict.same_institution"
FORMER_INSTITUTION = "review.conflict.former_institution"
SHARED_AFFILIATION = "review.conflict.shared_affiliation"
CO_INVESTIGATOR = "review.conflict.co_investigator"
SHARED_FUNDING = "review.conflict.shared_funding"
DECLARED = "review.conflict.declared"

# Legal-form words that one record writes and another omits. Stripped only at either end
# of the name, so that a word merely containing them is never cut.
_LEGAL_FORMS_JA = (
    "国立研究開発法人",
    "独立行政法人",
    "国立大学法人",
    "公立大学法人",
    "大学共同利用機関法人",
    "学校法人",
    "一般社団法人",
    "公益社団法人",
    "一般財団法人",
    "公益財団法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "(株)",  # NFKC turns （株） and ㈱ into this
    "(有)",
)
# English forms only as a last word after a space or comma, so "Zinc" keeps its "inc";
# "University of" is part of a name and stays.
_LEGAL_SUFFIX_EN = re.compile(r"[\s,]+(co\.?,?\s*ltd|ltd|inc|corp|corporation|k\.?k)\.?$")


def _squeeze(text: str) -> str:
    """NFKC, casefold, no whitespace: the spelling differences that never mean anything."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def organisation_key(name: str, code: str = "") -> str:
    """A stable key for an organisation: its code when known, else its normalised name,
    so that "さくら量子株式会社", "株式会社さくら量子" and "さくら量子" are one organisation."""
    if code.strip():
        return code.strip()
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    while (shorter := _LEGAL_SUFFIX_EN.sub("", text)) != text:
        text = shorter
    key = squeezed = _squeeze(text)
    stripped = True
    while stripped:
        stripped = False
        for form in _LEGAL_FORMS_JA:
            if key.startswith(form) and key != form:
                key, stripped = key.removeprefix(form), True
            if key.endswith(form) and key != form:
                key, stripped = key.removesuffix(form), True
    # A name that is nothing but a legal form keeps its own spelling rather than "".
    return key or squeezed


def funding_key(funder: str, program: str, title: str, grant_number: str = "") -> str:
    """A stable identity for a research funding: the grant number when known (it names
    one grant), else funder, program and title normalised."""
    if grant_number.strip():
        return "grant:" + _squeeze(grant_number)
    return "|".join((organisation_key(funder), _squeeze(program), _squeeze(title)))


# ---------- Facts ----------


@dataclass(frozen=True)
class Affiliation:
    """An affiliation or position, from the account or from the disclosure."""

    organisation_key: str
    name: str
    start: date | None = None
    end: date | None = None  # None: current
    kind: str = "primary"
    country: str = "JP"


@dataclass(frozen=True)
class FundingLink:
    """A person's part in one research funding (received or applied for)."""

    key: str
    funder: str = ""
    title: str = ""
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class PersonFacts:
    person_key: str
    name: str
    affiliations: tuple[Affiliation, ...] = ()
    fundings: tuple[FundingLink, ...] = ()


@dataclass(frozen=True)
class ProposalFacts:
    proposal_key: str
    institution_key: str
    institution_name: str
    applicant: PersonFacts
    co_investigators: tuple[PersonFacts, ...] = ()


@dataclass(frozen=True)
class Declaration:
    """The reviewer's own declaration for one proposal."""

    conflicted: bool
    note: str = ""


@dataclass(frozen=True)
class ConflictPolicy:
    institution_years: int = 3  # N, set per program
    source: str = REVIEW_POLICY_SOURCE

    def __post_init__(self) -> None:
        if self.institution_years < 0:
            raise ValueError("institution_years cannot be negative")


@dataclass(frozen=True)
class Conflict:
    """One conflict: ``person_key`` is the proposal person it concerns, "" for the
    institution and the declaration; ``evidence`` holds plain strings to store."""

    code: str
    message: str
    source: str
    person_key: str = ""
    evidence: dict[str, str] = field(default_factory=dict)

    def as_reason(self) -> Reason:
        return Reason(self.code, self.message, self.source)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "source": self.source,
            "person_key": self.person_key,
            "evidence": dict(self.evidence),
        }


def affiliation_from_position(position: Position, code: str = "") -> Affiliation:
    """A disclosed position as an affiliation (kind and country kept as disclosed)."""
    return Affiliation(
        organisation_key=organisation_key(position.organisation, code),
        name=position.organisation,
        start=position.start,
        end=position.end,
        kind=position.kind,
        country=position.country,
    )


def funding_link_from_funding(funding: Funding, grant_number: str = "") -> FundingLink:
    """A disclosed funding as a link; its identity is the grant, not the entry's key."""
    return FundingLink(
        key=funding_key(funding.funder, funding.program, funding.title, grant_number),
        funder=funding.funder,
        title=funding.title,
        start=funding.start,
        end=funding.end,
    )


# ---------- Time ----------


def _counts_on(end: date | None, on: date, years: int) -> bool:
    """Whether a period still counts on ``on``: current, or ended at most N years before."""
    return end is None or on <= add_years(end, years)


def _meet(
    a: tuple[date | None, date | None], b: tuple[date | None, date | None], on: date, years: int
) -> bool:
    """Both periods still count on ``on`` and overlap once extended by N years after each end."""
    (a_start, a_end), (b_start, b_end) = a, b
    if not (_counts_on(a_end, on, years) and _counts_on(b_end, on, years)):
        return False
    a_reach = date.max if a_end is None else add_years(a_end, years)
    b_reach = date.max if b_end is None else add_years(b_end, years)
    return (a_start or date.min) <= b_reach and (b_start or date.min) <= a_reach


# ---------- Wording ----------


def _date(d: date) -> str:
    # The one date style of each language, as on every page these messages reach
    # ("令和3年4月1日", "1 April 2021 (Reiwa 3)"); the evidence keeps ISO dates.
    return format_wareki_date(d, current_lang())


def _kind_label(kind: str) -> str:
    labels = {
        "primary": _("main position"),
        "concurrent": _("concurrent position"),
        "visiting": _("visiting position"),
        "advisory": _("advisory or board position"),
        "foreign": _("foreign position"),
    }
    return labels.get(kind, kind)


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return _("%(start)s to %(end)s") % {"start": _date(start), "end": _date(end)}
    if start:
        return _("since %(start)s") % {"start": _date(start)}
    if end:
        return _("until %(end)s") % {"end": _date(end)}
    return ""


def _position(affiliation: Affiliation) -> str:
    kind = _kind_label(affiliation.kind)
    period = _period(affiliation.start, affiliation.end)
    if not period:
        return kind
    return _("%(position)s, %(period)s") % {"position": kind, "period": period}


def _funding_label(link: FundingLink) -> str:
    title = link.title or link.funder or link.key
    if link.title and link.funder:
        return _("“%(title)s” (%(funder)s)") % {"title": title, "funder": link.funder}
    return _("“%(title)s”") % {"title": title}


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _affiliation_evidence(prefix: str, affiliation: Affiliation) -> dict[str, str]:
    return {
        f"{prefix}organisation": affiliation.name,
        f"{prefix}kind": affiliation.kind,
        f"{prefix}country": affiliation.country,
        f"{prefix}start": _iso(affiliation.start),
        f"{prefix}end": _iso(affiliation.end),
    }


def _affiliation_order(a: Affiliation) -> tuple[str, date, date, str, str, str]:
    # Every field, so that the evidence chosen never depends on the order of the input.
    return (
        a.organisation_key,
        a.start or date.min,
        a.end or date.max,
        a.kind,
        a.name,
        a.country,
    )


def _funding_order(f: FundingLink) -> tuple[str, date, date, str, str]:
    return (f.key, f.start or date.min, f.end or date.max, f.funder, f.title)


# ---------- The rules, in order ----------


def _institution(
    reviewer: PersonFacts, proposal: ProposalFacts, on: date, policy: ConflictPolicy
) -> list[Conflict]:
    at_institution = sorted(
        (a for a in reviewer.affiliations if a.organisation_key == proposal.institution_key),
        key=_affiliation_order,
    )
    evidence = {"organisation_key": proposal.institution_key}
    current = [a for a in at_institution if _counts_on(a.end, on, 0)]
    if current:
        # A current tie says everything a past one would, so only it is reported.
        return [
            Conflict(
                SAME_INSTITUTION,
                _(
                    "The reviewer is affiliated with %(organisation)s, the institution "
                    "submitting this proposal (%(position)s)."
                )
                % {"organisation": proposal.institution_name, "position": _position(current[0])},
                policy.source,
                evidence=evidence | _affiliation_evidence("", current[0]),
            )
        ]
    recent = [a for a in at_institution if _counts_on(a.end, on, policy.institution_years)]
    if not recent:
        return []
    latest = max(recent, key=lambda a: (a.end or date.max, _affiliation_order(a)))
    assert latest.end is not None  # not current, so it has ended
    return [
        Conflict(
            FORMER_INSTITUTION,
            _(
                "The reviewer was affiliated with %(organisation)s, the institution submitting "
                "this proposal, until %(end)s (%(position)s), within the %(years)d-year period "
                "set for this program."
            )
            % {
                "organisation": proposal.institution_name,
                "end": _date(latest.end),
                "position": _kind_label(latest.kind),
                "years": policy.institution_years,
            },
            policy.source,
            evidence=evidence
            | _affiliation_evidence("", latest)
            | {"years": str(policy.institution_years)},
        )
    ]


def _people(proposal: ProposalFacts) -> list[tuple[PersonFacts, bool]]:
    """The proposal's people in order, each with whether it is the applicant."""
    return [(proposal.applicant, True)] + [(p, False) for p in proposal.co_investigators]


def _shared_affiliations(
    reviewer: PersonFacts, person: PersonFacts, is_applicant: bool, on: date, policy: ConflictPolicy
) -> list[Conflict]:
    years = policy.institution_years
    conflicts: dict[str, Conflict] = {}
    for mine in sorted(reviewer.affiliations, key=_affiliation_order):
        for theirs in sorted(person.affiliations, key=_affiliation_order):
            key = mine.organisation_key
            if key in conflicts or key != theirs.organisation_key:
                continue
            if not _meet((mine.start, mine.end), (theirs.start, theirs.end), on, years):
                continue
            labels = {
                "person": person.name,
                "organisation": mine.name,
                "reviewer_position": _position(mine),
                "person_position": _position(theirs),
            }
            if is_applicant:
                message = (
                    _(
                        "The reviewer and the applicant %(person)s share an affiliation with "
                        "%(organisation)s (the reviewer: %(reviewer_position)s; the applicant: "
                        "%(person_position)s)."
                    )
                    % labels
                )
            else:
                message = (
                    _(
                        "The reviewer and the co-investigator %(person)s share an affiliation "
                        "with %(organisation)s (the reviewer: %(reviewer_position)s; the "
                        "co-investigator: %(person_position)s)."
                    )
                    % labels
                )
            conflicts[key] = Conflict(
                SHARED_AFFILIATION,
                message,
                policy.source,
                person.person_key,
                {"organisation_key": key}
                | _affiliation_evidence("reviewer_", mine)
                | _affiliation_evidence("person_", theirs),
            )
    return [conflicts[key] for key in sorted(conflicts)]


def _self_review(person: PersonFacts, is_applicant: bool, policy: ConflictPolicy) -> Conflict:
    if is_applicant:
        message = _("The reviewer is the applicant of this proposal.")
    else:
        message = _("The reviewer is a co-investigator of this proposal.")
    role = "applicant" if is_applicant else "co_investigator"
    return Conflict(CO_INVESTIGATOR, message, policy.source, person.person_key, {"role": role})


def _shared_fundings(
    reviewer: PersonFacts, person: PersonFacts, is_applicant: bool, on: date, policy: ConflictPolicy
) -> list[Conflict]:
    years = policy.institution_years
    conflicts: dict[str, Conflict] = {}
    for mine in sorted(reviewer.fundings, key=_funding_order):
        for theirs in sorted(person.fundings, key=_funding_order):
            if mine.key in conflicts or mine.key != theirs.key:
                continue
            if not _meet((mine.start, mine.end), (theirs.start, theirs.end), on, years):
                continue
            labels = {"person": person.name, "funding": _funding_label(mine)}
            if is_applicant:
                message = (
                    _(
                        "The reviewer and the applicant %(person)s both take part in the "
                        "research funding %(funding)s."
                    )
                    % labels
                )
            else:
                message = (
                    _(
                        "The reviewer and the co-investigator %(person)s both take part in the "
                        "research funding %(funding)s."
                    )
                    % labels
                )
            conflicts[mine.key] = Conflict(
                SHARED_FUNDING,
                message,
                policy.source,
                person.person_key,
                {
                    "funding_key": mine.key,
                    "funder": mine.funder,
                    "title": mine.title,
                    "reviewer_start": _iso(mine.start),
                    "reviewer_end": _iso(mine.end),
                    "person_start": _iso(theirs.start),
                    "person_end": _iso(theirs.end),
                },
            )
    return [conflicts[key] for key in sorted(conflicts)]


def _declared(declaration: Declaration, source: str) -> Conflict:
    note = declaration.note.strip()
    if note:
        message = _(
            "The reviewer has declared a conflict of interest with this proposal (%(note)s)."
        )
        message %= {"note": note}
    else:
        message = _("The reviewer has declared a conflict of interest with this proposal.")
    return Conflict(DECLARED, message, source, evidence={"note": note})


def declared_conflict(note: str = "", source: str = REVIEW_POLICY_SOURCE) -> Conflict:
    """The conflict a reviewer declares themselves, with their note."""
    return _declared(Declaration(True, note), source)


def find_conflicts(
    reviewer: PersonFacts,
    proposal: ProposalFacts,
    *,
    on: date,
    policy: ConflictPolicy,
    declaration: Declaration | None = None,
) -> tuple[Conflict, ...]:
    """Every conflict between the reviewer and the proposal on the day ``on``: in rule
    order, then in the order of the proposal's people (applicant first), then by
    organisation or funding key. The same code, person and organisation (or funding)
    is reported once."""
    # Comparing the reviewer with themself would find every affiliation "shared": being
    # one of the proposal's people is reported by its own rule instead.
    others = [(p, a) for p, a in _people(proposal) if p.person_key != reviewer.person_key]
    found: list[Conflict] = _institution(reviewer, proposal, on, policy)
    for person, is_applicant in others:
        found += _shared_affiliations(reviewer, person, is_applicant, on, policy)
    found += [
        _self_review(person, is_applicant, policy)
        for person, is_applicant in _people(proposal)
        if person.person_key == reviewer.person_key
    ]
    for person, is_applicant in others:
        found += _shared_fundings(reviewer, person, is_applicant, on, policy)
    if declaration is not None and declaration.conflicted:
        found.append(_declared(declaration, policy.source))
    return _unique(found)


def _unique(conflicts: Iterable[Conflict]) -> tuple[Conflict, ...]:
    # The same person listed twice (applicant and co-investigator, or a duplicated row)
    # must not make the same fact appear twice.
    seen: set[tuple[str, str, str]] = set()
    result: list[Conflict] = []
    for conflict in conflicts:
        what = conflict.evidence.get("organisation_key") or conflict.evidence.get("funding_key", "")
        identity = (conflict.code, conflict.person_key, what)
        if identity in seen:
            continue
        seen.add(identity)
        result.append(conflict)
    return tuple(result)


# ---------- Opening a proposal ----------


def check_may_review(
    conflicts: Iterable[Conflict],
    *,
    confirmed_no_conflict: bool,
    accepted_confidentiality: bool,
    source: str = REVIEW_POLICY_SOURCE,
) -> Decision:
    """A reviewer may open a proposal only with no conflict, having confirmed that there is
    none and accepted confidentiality; every missing piece is its own reason."""
    reasons = [Reason("review.conflicted", c.message, c.source) for c in conflicts]
    if not confirmed_no_conflict:
        reasons.append(
            Reason(
                "review.no_conflict_unconfirmed",
                _(
                    "Confirm that you have no conflict of interest with this proposal "
                    "before opening it."
                ),
                source,
            )
        )
    if not accepted_confidentiality:
        reasons.append(
            Reason(
                "review.confidentiality_not_accepted",
                _("Accept the confidentiality undertaking before opening this proposal."),
                source,
            )
        )
    return Decision(tuple(reasons))
