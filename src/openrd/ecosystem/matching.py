"""Matching on the records: the facts of challenges and companies gathered in a
fixed number of queries, ranked and explained by ``rules.matching``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from openrd.awards.models import Award
from openrd.ecosystem.challenge_files import weights
from openrd.ecosystem.challenges import public_challenges
from openrd.ecosystem.models import (
    Challenge,
    ChallengeStatus,
    Company,
    CompanyStatus,
    EligibilityAssessment,
)
from openrd.ecosystem.rules.matching import (
    ELIGIBLE,
    NOT_ELIGIBLE,
    UNDETERMINED,
    Candidate,
    Match,
    Need,
    rank_candidates,
    rank_needs,
)
from openrd.ecosystem.sbir import PHASE_NUMBERS, SBIR
from openrd.ecosystem.sbir_imports import phase_reached_elsewhere

# The assessment that says whether a company is a startup or SME for matching:
# SBIR's where there is one (it adds the age rule), else the SME Act's.
ELIGIBILITY_RULES = ("sbir", "sme")


def need_of(challenge: Challenge) -> Need:
    return Need(
        key=challenge.code,
        name=challenge.title,
        keywords=tuple(challenge.keywords or ()),
        text=" ".join((challenge.title_ja, challenge.title_en, challenge.need_ja,
                       challenge.need_en)),
        prefecture=challenge.prefecture,
    )  # fmt: skip


def _key(company: Company) -> str:
    return company.corporate_number or f"id-{company.pk}"


def candidates(companies: Iterable[Company]) -> list[Candidate]:
    """Each company's facts for matching: its profile, the titles of its awards,
    the SBIR phase it reached and its current eligibility."""
    rows = list(companies)
    orgs = {c.organisation_id: c.pk for c in rows if c.organisation_id}
    titles: defaultdict[int, list[str]] = defaultdict(list)
    phase: defaultdict[int, int] = defaultdict(int)
    awards = Award.objects.filter(institution_id__in=orgs).values_list(
        "institution_id", "title_ja", "title_en", "program__code", "element__code"
    )
    for org, title_ja, title_en, program, element in awards:
        company = orgs[org]
        titles[company] += [title_ja, title_en]
        if program == SBIR:
            phase[company] = max(phase[company], PHASE_NUMBERS.get(element or "", 0))
    for company, reached in phase_reached_elsewhere([c.pk for c in rows]).items():
        phase[company] = max(phase[company], reached)  # phases reached outside the platform
    status: dict[int, dict[str, str]] = defaultdict(dict)
    for company, rule, value in EligibilityAssessment.objects.filter(
        company__in=[c.pk for c in rows], current=True, rule__in=ELIGIBILITY_RULES
    ).values_list("company_id", "rule", "status"):
        status[company][rule] = value
    found = []
    for c in rows:
        assessed = next((status[c.pk][r] for r in ELIGIBILITY_RULES if r in status[c.pk]), "")
        # The assessment's statuses are the rules' own words (yes / no / undetermined).
        eligibility = assessed if assessed in (ELIGIBLE, NOT_ELIGIBLE) else UNDETERMINED
        found.append(Candidate(
            key=_key(c), name=c.name, keywords=tuple(c.keywords or ()),
            text=" ".join([c.name_ja, c.name_en, c.description_ja, c.description_en,
                           *titles[c.pk]]),
            prefecture=c.prefecture, phase_reached=phase[c.pk], eligibility=eligibility,
        ))  # fmt: skip
    return found


def matchable_companies() -> QuerySet[Company]:
    """Active companies (a closed or merged firm proposes nothing)."""
    return Company.objects.filter(status=CompanyStatus.ACTIVE)


def companies_for(challenge: Challenge, *, limit: int = 20) -> list[tuple[Match, Company]]:
    """The best companies for a challenge, each with its explained match."""
    companies = {_key(c): c for c in matchable_companies()}
    ranked = rank_candidates(need_of(challenge), candidates(companies.values()), weights())
    return [(m, companies[m.candidate.key]) for m in ranked[:limit]]


def challenges_for(company: Company, *, limit: int = 20) -> list[tuple[Match, Challenge]]:
    """The open challenges that suit a company best, each explained."""
    (candidate,) = candidates([company])
    open_ = {c.code: c for c in public_challenges().filter(status=ChallengeStatus.OPEN)}
    ranked = rank_needs(candidate, [need_of(c) for c in open_.values()], weights())
    return [(m, open_[m.need.key]) for m in ranked[:limit]]
