"""The writers of companies, their facts and their assessments; each audited.

``record_fact`` checks the value for its kind and who may give it (a company
declares its own facts; registry facts are the staff's and never the company's
to change), then ``reassess`` reads the current facts under the rule sets in
force and stores a new assessment wherever the answer or what it read changed,
and brings the platform organisation's SME flag and founding date in line, so
that the proposals' eligibility check reads the assessed status.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openrd.accounts.services import upsert_organisation
from openrd.core import audit
from openrd.core.fiscal import to_tokyo
from openrd.core.identifiers import IdentifierError, normalize_corporate_number
from openrd.ecosystem.keywords import valid_keywords
from openrd.ecosystem.models import (
    SOURCE_WEIGHT,
    Company,
    CompanyFact,
    DatePrecision,
    EligibilityAssessment,
    FactKind,
    FactSource,
)
from openrd.ecosystem.rules.sme import (
    Assessment,
    ControlFacts,
    SizeFacts,
    assess_program,
    assess_sme,
)
from openrd.ecosystem.sme_files import current_sme_rules, rule_files

COMPANY_FIELDS = ["corporate_number", "name_ja", "name_kana", "name_en", "individual",
                  "prefecture", "city", "street", "status", "closed_on", "successor_id",
                  "organisation_id"]  # fmt: skip
SHARES = (FactKind.SINGLE_LARGE_SHARE, FactKind.LARGE_TOTAL_SHARE, FactKind.LARGE_OFFICERS_SHARE)


def normalized_number(raw: str | None) -> str | None:
    """The corporate number in its 13 digits, None for none; a field error otherwise."""
    if raw is None or not str(raw).strip():
        return None
    try:
        return normalize_corporate_number(str(raw))
    except IdentifierError as error:
        raise ValidationError({"corporate_number": [error.message]}) from None


@transaction.atomic
def upsert_company(*, actor: Any, corporate_number: str | None = None, **fields: Any) -> Company:
    """Create the company with that corporate number or update it (an individual
    proprietor, without one, is always created)."""
    if actor is not None and not actor.has_perm("ecosystem.manage_companies"):
        raise PermissionDenied
    number = normalized_number(corporate_number)
    company = Company.objects.select_for_update().filter(corporate_number=number).first() if (
        number
    ) else None  # fmt: skip
    before = audit.snapshot(company, COMPANY_FIELDS)
    if company is None:
        company = Company(corporate_number=number)
    for name, value in fields.items():
        setattr(company, name, value)
    company.full_clean()
    company.save()
    after = audit.snapshot(company, COMPANY_FIELDS)
    if before != after:
        audit.record(
            "ecosystem.company.created" if before is None else "ecosystem.company.updated",
            actor=actor, obj=company, before=before, after=after,
        )  # fmt: skip
    return company


def normalized_value(kind: str, raw: Any, precision: str = "") -> tuple[str, str]:
    """(value, precision) in the normal form of the fact's kind; a field error otherwise."""
    text = str(raw).strip().replace(",", "")
    try:
        if kind == FactKind.FOUNDED_ON:
            precision = precision or DatePrecision.DAY
            if precision not in DatePrecision.values:
                raise ValueError
            return date.fromisoformat(text).isoformat(), precision
        if kind in (FactKind.CAPITAL_YEN, FactKind.EMPLOYEES):
            number = int(text)
            if number < 0:
                raise ValueError
            return str(number), ""
        if kind == FactKind.INDUSTRY:
            industries = {i for s in rule_files()[0].values() for i in s.industries}
            if text not in industries:
                raise ValueError
            return text, ""
        if kind in SHARES:
            share = Fraction(text)
            if not 0 <= share <= 1:
                raise ValueError
            return str(share), ""
    except (ValueError, ZeroDivisionError):
        pass
    else:
        raise ValidationError({"kind": [_("Choose a kind of fact.")]})
    messages: dict[str, str] = {
        FactKind.FOUNDED_ON: _("Enter the date as YYYY-MM-DD."),
        FactKind.INDUSTRY: _("Choose one of the industries of the SME Basic Act."),
    }
    message = messages.get(
        kind, _("Enter a number of 0 or more (a share as a fraction such as 1/3).")
    )
    raise ValidationError({"value": [message]})


@transaction.atomic
def record_fact(
    company: Company,
    *,
    actor: Any,
    kind: str,
    value: Any,
    as_of: date,
    source: str = FactSource.SELF_DECLARED,
    source_ref: str = "",
    precision: str = "",
    reassess_after: bool = True,
) -> CompanyFact:
    """Record one fact as of a day from a source (or correct that same entry),
    then reassess the company (a bulk import reassesses once at its end)."""
    if source not in FactSource.values:
        raise ValidationError({"source": [_("Choose where the fact comes from.")]})
    perm = (
        "ecosystem.declare_fact"
        if source == FactSource.SELF_DECLARED
        else "ecosystem.record_registry_fact"
    )
    if not actor.has_perm(perm, company):
        raise PermissionDenied
    if kind not in FactKind.values:
        raise ValidationError({"kind": [_("Choose a kind of fact.")]})
    text, precision = normalized_value(kind, value, precision)
    row = CompanyFact.objects.filter(company=company, kind=kind, as_of=as_of, source=source).first()
    if row is not None and (row.value, row.precision, row.source_ref) == (
        text,
        precision,
        source_ref.strip()[:200],
    ):
        return row  # said again as it was: nothing changes, nothing to reassess
    before = audit.snapshot(row, ["value", "precision", "source_ref"])
    if row is None:
        row = CompanyFact(company=company, kind=kind, as_of=as_of, source=source)
    row.value, row.precision, row.source_ref = text, precision, source_ref.strip()[:200]
    row.entered_by = actor
    row.save()
    audit.record(
        "ecosystem.fact.recorded", actor=actor, obj=row, before=before,
        after={"company": company.pk, "kind": kind, "value": text, "as_of": as_of.isoformat(),
               "source": source},
    )  # fmt: skip
    if reassess_after:
        reassess(company, actor=actor)
    return row


def current_facts(company: Company) -> dict[str, CompanyFact]:
    """The fact of each kind that counts: the founding date from the weightiest
    source (it does not change; a registry outranks a declaration), the others
    the latest observed (on the same day, the weightiest source)."""
    chosen: dict[str, CompanyFact] = {}
    for fact in company.facts.all():
        seen = chosen.get(fact.kind)
        weight = SOURCE_WEIGHT[FactSource(fact.source)]
        if seen is None:
            chosen[fact.kind] = fact
            continue
        seen_weight = SOURCE_WEIGHT[FactSource(seen.source)]
        if fact.kind == FactKind.FOUNDED_ON:
            better = (weight, fact.as_of) > (seen_weight, seen.as_of)
        else:
            better = (fact.as_of, weight) > (seen.as_of, seen_weight)
        if better:
            chosen[fact.kind] = fact
    return chosen


def _int(facts: dict[str, CompanyFact], kind: str) -> int | None:
    return int(facts[kind].value) if kind in facts else None


def _share(facts: dict[str, CompanyFact], kind: str) -> Fraction | None:
    return Fraction(facts[kind].value) if kind in facts else None


def evaluate(company: Company, *, on: date) -> list[Assessment]:
    """Every rule set's answer for the company's current facts on the day."""
    facts = current_facts(company)
    size = SizeFacts(
        industry=facts[FactKind.INDUSTRY].value if FactKind.INDUSTRY in facts else "",
        capital_yen=_int(facts, FactKind.CAPITAL_YEN),
        employees=_int(facts, FactKind.EMPLOYEES),
        individual=company.individual,
    )
    sme = assess_sme(size, current_sme_rules(on))
    founded = facts.get(FactKind.FOUNDED_ON)
    founded_on = date.fromisoformat(founded.value) if founded else None
    control = ControlFacts(*(_share(facts, k) for k in SHARES))
    programs = [
        assess_program(sme, rules, founded_on=founded_on, on=on, control=control)
        for rules in rule_files()[1].values()
        if rules.effective_on <= on
    ]
    return [sme, *programs]


@transaction.atomic
def reassess(company: Company, *, actor: Any = None, on: date | None = None
             ) -> list[EligibilityAssessment]:  # fmt: skip
    """Store each rule set's answer where it differs from the current one (in
    status, version, facts read or reasons); the current ones after."""
    day = on or to_tokyo(timezone.now()).date()
    current = {a.rule: a for a in company.assessments.select_for_update().filter(current=True)}
    kept: list[EligibilityAssessment] = []
    for result in evaluate(company, on=day):
        data = result.as_dict()
        old = current.get(result.rule)
        if old is not None and (old.version, old.status, old.facts, old.reasons) == (
            result.version,
            result.status.value,
            data["facts"],
            data["reasons"],
        ):
            kept.append(old)
            continue
        if old is not None:
            old.current = False
            old.save(update_fields=["current"])
        row = EligibilityAssessment.objects.create(
            company=company, rule=result.rule, version=result.version,
            status=result.status.value, small=result.small, facts=data["facts"],
            reasons=data["reasons"], on=day,
        )  # fmt: skip
        audit.record(
            "ecosystem.assessment.written", actor=actor, obj=row,
            before={"status": old.status, "version": old.version} if old else None,
            after={"rule": row.rule, "version": row.version, "status": row.status},
        )  # fmt: skip
        kept.append(row)
    _sync_organisation(company, kept)
    return kept


def _sync_organisation(company: Company, assessments: list[EligibilityAssessment]) -> None:
    """The platform organisation's SME flag and founding date follow the
    assessment and the facts, for the proposals' eligibility check."""
    org = company.organisation
    if org is None:
        return
    sme = next((a for a in assessments if a.rule == "sme"), None)
    is_sme = {"yes": True, "no": False}.get(sme.status) if sme else None
    founded = current_facts(company).get(FactKind.FOUNDED_ON)
    founded_on = date.fromisoformat(founded.value) if founded else org.founded_on
    if (org.is_sme, org.founded_on) != (is_sme, founded_on):
        upsert_organisation(code=org.code, is_sme=is_sme, founded_on=founded_on)


PROFILE = ["description_ja", "description_en", "keywords"]


@transaction.atomic
def update_profile(
    company: Company, *, actor: Any, description_ja: str, description_en: str, keywords: Any
) -> Company:
    """What the company says it does (its officers', or the staff's): matching reads it."""
    if not actor.has_perm("ecosystem.edit_profile", company):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    words = valid_keywords(keywords)
    if words is None:
        errors["keywords"] = [_("Give at most 20 keywords of at most 40 characters each.")]
    for name, text in (("description_ja", description_ja), ("description_en", description_en)):
        if len(text.strip()) > 2000:
            errors[name] = [_("At most %(n)d characters.") % {"n": 2000}]
    if errors or words is None:
        raise ValidationError(errors)
    company = Company.objects.select_for_update().get(pk=company.pk)
    before = audit.snapshot(company, PROFILE)
    company.description_ja, company.description_en = description_ja.strip(), description_en.strip()
    company.keywords = words
    company.save(update_fields=[*PROFILE, "updated_at"])
    audit.record("ecosystem.company.profile", actor=actor, obj=company, before=before,
                 after=audit.snapshot(company, PROFILE))  # fmt: skip
    return company
