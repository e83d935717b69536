"""The facts that conflict rules read, gathered from the database in bounded queries.

``rules.conflicts`` is pure: it compares :class:`PersonFacts` and :class:`ProposalFacts`.
This module builds them for many people or proposals at once, in a number of queries that
does not grow with the number of people (a review round checks thousands of proposals
against every reviewer, so one query per person would be thousands of queries).

A person's affiliations come from three places, so that a tie recorded in any of them
counts:

1. the account's affiliations (``accounts.Affiliation``), keyed by the organisation's code;
2. the account's main organisation (``User.organisation``), with unknown dates, unless a
   current primary position already names it (its dates are the better evidence);
3. the positions of the person's latest disclosure version, keyed by the normalised name,
   or by an organisation's code when the name is that organisation's Japanese or English
   name (see :class:`OrganisationNames`), so that "国立大学法人東京大学" typed in a
   disclosure and the registry's 東京大学 are one organisation.

Fundings, for now, are the latest disclosure's; awards made on the platform come later.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from openrd.accounts.models import Affiliation as AccountAffiliation
from openrd.accounts.models import AffiliationKind, Organisation, User
from openrd.integrity.models import DisclosureVersion
from openrd.integrity.rules.entries import Funding, Position
from openrd.proposals.models import MemberStatus, Proposal, ProposalMember
from openrd.review.rules.conflicts import (
    Affiliation,
    FundingLink,
    PersonFacts,
    ProposalFacts,
    affiliation_from_position,
    funding_link_from_funding,
    organisation_key,
)


@dataclass(frozen=True)
class OrganisationNames:
    """Every registered organisation's normalised names, each with the codes bearing it.

    The whole registry, not only the organisations of the people being gathered: were it
    only those, a disclosed "さくら量子株式会社" would get the code ``sakura`` in one batch
    and the bare name in another, and a reviewer's facts gathered apart from a proposal's
    would silently miss it. One query; a round loads it once and passes it to every call.
    """

    codes: Mapping[str, frozenset[str]]

    @classmethod
    def load(cls) -> OrganisationNames:
        codes: dict[str, set[str]] = defaultdict(set)
        for code, name_ja, name_en in Organisation.objects.values_list(
            "code", "name_ja", "name_en"
        ).order_by():
            for name in (name_ja, name_en):
                if name.strip():
                    codes[organisation_key(name)].add(code)
        return cls({key: frozenset(found) for key, found in codes.items()})

    def code_for(self, name: str, own: Mapping[str, frozenset[str]] | None = None) -> str:
        """The code of the one organisation so named, else "" (the name is then the key).

        The person's own organisations (``own``, from the account) are asked first: a name
        two registered organisations share is most likely the one the person works at.
        A name still ambiguous stays unresolved, because merging two organisations would
        report a conflict that does not exist."""
        key = organisation_key(name)
        for index in (own or {}, self.codes):
            found = index.get(key, frozenset())
            if len(found) == 1:
                return next(iter(found))
            if found:
                break  # ambiguous among the person's own: the registry knows no better
        return ""


def _names_of(organisations: Iterable[Organisation]) -> dict[str, frozenset[str]]:
    codes: dict[str, set[str]] = defaultdict(set)
    for org in organisations:
        for name in (org.name_ja, org.name_en):
            if name.strip():
                codes[organisation_key(name)].add(org.code)
    return {key: frozenset(found) for key, found in codes.items()}


def _from_account(affiliation: AccountAffiliation) -> Affiliation:
    org = affiliation.organisation
    return Affiliation(
        organisation_key=organisation_key(org.name_ja, org.code),
        # The Japanese name, as recorded: facts must not depend on the language active
        # when they are gathered, since the conflicts built from them are stored.
        name=org.name_ja,
        start=affiliation.start_date,
        end=affiliation.end_date,
        kind=affiliation.kind,
        country=org.country,
    )


def _from_main_organisation(org: Organisation) -> Affiliation:
    # The account says only "works here now": since when is not recorded.
    return Affiliation(
        organisation_key=organisation_key(org.name_ja, org.code),
        name=org.name_ja,
        kind=AffiliationKind.PRIMARY.value,
        country=org.country,
    )


def _is_current(affiliation: Affiliation, on: date) -> bool:
    return affiliation.end is None or affiliation.end >= on


def _fundings(fundings: Iterable[Funding]) -> tuple[FundingLink, ...]:
    # A funding under a non-disclosure agreement names neither its research nor its
    # money: its key would be the bare funder (or nothing), and every two such fundings
    # would look like one shared funding. It identifies nothing, so it is left out.
    return tuple(funding_link_from_funding(f) for f in fundings if not f.nda)


def _person_facts(
    user: User,
    account: list[AccountAffiliation],
    disclosure: DisclosureVersion | None,
    names: OrganisationNames,
    on: date,
) -> PersonFacts:
    known = [a.organisation for a in account]
    if user.organisation is not None:
        known.append(user.organisation)
    own = _names_of(known)

    affiliations = [_from_account(a) for a in account]
    positions: tuple[Position, ...] = ()
    fundings: tuple[FundingLink, ...] = ()
    if disclosure is not None:
        content = disclosure.content
        positions, fundings = content.positions, _fundings(content.fundings)
    affiliations += [
        affiliation_from_position(p, names.code_for(p.organisation, own)) for p in positions
    ]

    main = user.organisation
    if main is not None:
        main_key = organisation_key(main.name_ja, main.code)
        named = any(
            a.organisation_key == main_key
            and a.kind == AffiliationKind.PRIMARY
            and _is_current(a, on)
            for a in affiliations
        )
        if not named:
            affiliations.append(_from_main_organisation(main))

    return PersonFacts(
        person_key=str(user.pk),
        # Japanese first, like the institution's name, whatever language is active.
        name=user.name_ja or user.name_en or user.get_username(),
        affiliations=tuple(affiliations),
        fundings=fundings,
    )


def _person_facts_by_id(
    ids: Iterable[int], *, on: date | None, names: OrganisationNames | None
) -> dict[int, PersonFacts]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    on = on or timezone.localdate()
    names = names or OrganisationNames.load()  # query: the registry's names
    # query: the people with their main organisations
    users = list(User.objects.filter(pk__in=wanted).select_related("organisation"))
    # query: every account affiliation of them, with its organisation
    account: dict[int, list[AccountAffiliation]] = defaultdict(list)
    for affiliation in (
        AccountAffiliation.objects.filter(person_id__in=wanted)
        .select_related("organisation")
        .order_by("person_id", "start_date", "pk")
    ):
        account[affiliation.person_id].append(affiliation)
    # query: each person's latest disclosure version. A correlated subquery rather than
    # PostgreSQL's DISTINCT ON, so that it runs the same on SQLite; (person, number) is
    # unique, so it finds exactly one row per person who has disclosed.
    latest_number = (
        DisclosureVersion.objects.filter(person_id=OuterRef("person_id"))
        .order_by("-number")
        .values("number")[:1]
    )
    latest = {
        v.person_id: v
        for v in DisclosureVersion.objects.filter(
            person_id__in=wanted, number=Subquery(latest_number)
        ).only("person_id", "number", "fundings", "positions")
    }
    return {
        user.pk: _person_facts(user, account[user.pk], latest.get(user.pk), names, on)
        for user in users
    }


def person_facts_for(
    users: Iterable[User], *, on: date | None = None, names: OrganisationNames | None = None
) -> dict[int, PersonFacts]:
    """The facts of every user, by primary key, in four queries however many there are
    (three when ``names`` is given; none for no users).

    ``on`` (default today) only decides whether a primary position is current, so that
    the main organisation is not added beside it; the conflict rules apply time
    themselves. Users not saved, or no longer in the database, have no entry."""
    return _person_facts_by_id((u.pk for u in users if u.pk is not None), on=on, names=names)


def proposal_facts_for(
    proposals: Iterable[Proposal], *, on: date | None = None, names: OrganisationNames | None = None
) -> dict[int, ProposalFacts]:
    """The facts of every proposal, by primary key, in six queries however many there
    are (five when ``names`` is given; none for no proposals): the proposals with their
    institutions, their accepted members, then :func:`person_facts_for` once for
    everyone concerned.

    The co-investigators are the members who accepted, of either role (a collaborator
    without a budget share works on the proposal too); an invitation not yet answered,
    declined or withdrawn makes no one part of it."""
    wanted = sorted({p.pk for p in proposals if p.pk is not None})
    if not wanted:
        return {}
    # query: the proposals, with only what the facts need of them and their institutions
    rows = list(
        Proposal.objects.filter(pk__in=wanted)
        .select_related("institution")
        .only("applicant_id", "institution__code", "institution__name_ja")
    )
    # query: the accepted members, in the order they were added
    members: dict[int, list[int]] = defaultdict(list)
    for proposal_id, person_id in (
        ProposalMember.objects.filter(
            proposal_id__in=wanted, status=MemberStatus.ACCEPTED, person__isnull=False
        )
        .order_by("proposal_id", "pk")
        .values_list("proposal_id", "person_id")
    ):
        members[proposal_id].append(person_id)
    people = _person_facts_by_id(
        [p.applicant_id for p in rows] + [m for ms in members.values() for m in ms],
        on=on,
        names=names,
    )
    facts: dict[int, ProposalFacts] = {}
    for proposal in rows:
        institution = proposal.institution
        # The applicant listed again as a member would only repeat the same person.
        co_ids = [m for m in members[proposal.pk] if m != proposal.applicant_id]
        facts[proposal.pk] = ProposalFacts(
            proposal_key=str(proposal.pk),
            institution_key=organisation_key(institution.name_ja, institution.code),
            institution_name=institution.name_ja,
            applicant=people[proposal.applicant_id],
            co_investigators=tuple(people[m] for m in co_ids),
        )
    return facts
