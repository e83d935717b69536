"""Companies as sourced facts: a fact is checked for its kind, a company
declares only its own facts and never a registry's, the founding date from a
registry outranks a declaration, each change of facts writes a new assessment
with its rule-set version (the old one kept, no longer current), and the
platform organisation's SME flag follows; the API shows facts with their
sources and the current assessments."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core.identifiers import corporate_number_check_digit
from openrd.core.models import AuditEntry
from openrd.ecosystem.models import EligibilityAssessment
from openrd.ecosystem.services import reassess, record_fact, upsert_company

pytestmark = pytest.mark.django_db


def number(base: str) -> str:
    return f"{corporate_number_check_digit(base)}{base}"


@pytest.fixture
def tower():
    return UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])


@pytest.fixture
def startup(tower):
    org = upsert_organisation(code="q-startup", kind="startup", name_ja="量子新興株式会社")
    company = upsert_company(actor=tower, corporate_number=number("010001000001"),
                             name_ja="量子新興株式会社", name_kana="リョウシシンコウ",
                             prefecture="東京都", organisation=org)  # fmt: skip
    officer = UserFactory(username="q-officer")
    assign_role(officer, Role.INSTITUTION_OFFICER, organisation=org)
    return company, officer


def declare(company, actor, kind, value, as_of=date(2026, 4, 1), **kw):
    return record_fact(company, actor=actor, kind=kind, value=value, as_of=as_of, **kw)


def current(company, rule):
    return EligibilityAssessment.objects.get(company=company, rule=rule, current=True)


def test_declared_facts_make_an_sme_and_an_sbir_eligible_startup(startup):
    company, officer = startup
    declare(company, officer, "industry", "software_information")
    declare(company, officer, "capital_yen", "10,000,000")
    declare(company, officer, "employees", 12)
    declare(company, officer, "founded_on", "2020-06-01")
    for kind in ("single_large_share", "large_total_share", "large_officers_share"):
        declare(company, officer, kind, "0")
    sme = current(company, "sme")
    assert (sme.status, sme.version, sme.small) == ("yes", "sme-basic-act-1999", False)
    assert sme.facts["capital_yen"] == 10_000_000
    assert current(company, "sbir").status == "yes"
    assert Organisation.objects.get(code="q-startup").is_sme is True
    assert Organisation.objects.get(code="q-startup").founded_on == date(2020, 6, 1)


def test_a_change_of_facts_writes_a_new_assessment_and_keeps_the_old(startup):
    company, officer = startup
    declare(company, officer, "industry", "retail")
    declare(company, officer, "employees", 40)
    first = current(company, "sme")
    assert first.status == "yes"
    declare(company, officer, "employees", 80, as_of=date(2026, 10, 1))  # over 50 for retail
    assert current(company, "sme").status == "undetermined"  # capital unknown
    declare(company, officer, "capital_yen", 60_000_000, as_of=date(2026, 10, 1))
    latest = current(company, "sme")
    assert latest.status == "no"
    # Industry alone (undetermined), then yes, undetermined and no: each kept.
    statuses = EligibilityAssessment.objects.filter(company=company, rule="sme").order_by("id")
    assert [a.status for a in statuses] == ["undetermined", "yes", "undetermined", "no"]
    first.refresh_from_db()
    assert (first.current, first.status) == (False, "yes")  # kept as it was
    assert Organisation.objects.get(code="q-startup").is_sme is False
    # Reassessing the same facts writes nothing new.
    count = EligibilityAssessment.objects.count()
    reassess(company)
    assert EligibilityAssessment.objects.count() == count


def test_a_company_declares_only_its_own_facts_and_never_a_registrys(startup, tower):
    company, officer = startup
    other = upsert_company(actor=tower, corporate_number=number("010001000002"),
                           name_ja="別会社株式会社")  # fmt: skip
    with pytest.raises(PermissionDenied):
        declare(other, officer, "employees", 3)
    with pytest.raises(PermissionDenied):
        declare(company, officer, "founded_on", "2010-01-01", source="public_registry")
    declare(company, tower, "founded_on", "2009-04-01", source="public_registry",
            source_ref="法人番号公表サイト 2026-04")  # fmt: skip
    # A later declaration does not move the registry's founding date.
    declare(company, officer, "founded_on", "2021-01-01", as_of=date(2026, 11, 1))
    assert current(company, "sbir").facts["founded_on"] == "2009-04-01"
    assert Organisation.objects.get(code="q-startup").founded_on == date(2009, 4, 1)
    with pytest.raises(PermissionDenied):
        upsert_company(actor=officer, corporate_number=company.corporate_number, name_ja="改名")


@pytest.mark.parametrize(
    ("kind", "value", "field"),
    [("employees", "-1", "value"), ("capital_yen", "三億", "value"),
     ("founded_on", "2020/13/01", "value"), ("industry", "mining", "value"),
     ("large_total_share", "3/2", "value"), ("wealth", "1", "kind")],
)  # fmt: skip
def test_a_bad_fact_names_its_field_and_saves_nothing(startup, kind, value, field):
    company, officer = startup
    with pytest.raises(ValidationError) as error:
        declare(company, officer, kind, value)
    assert field in error.value.message_dict
    assert not company.facts.exists()


def test_a_bad_corporate_number_is_refused(tower):
    with pytest.raises(ValidationError) as error:
        upsert_company(actor=tower, corporate_number="1234567890123", name_ja="誤り株式会社")
    assert "corporate_number" in error.value.message_dict


def test_the_api_gives_facts_with_sources_and_the_current_assessments(client, startup, tower):
    company, officer = startup
    declare(company, officer, "industry", "manufacturing")
    declare(company, tower, "capital_yen", 300_000_000, source="registry_document",
            source_ref="登記事項証明書")  # fmt: skip
    body = client.get(f"/api/v1/companies/{company.corporate_number}").json()
    assert body["name_ja"] == "量子新興株式会社"
    capital = next(f for f in body["facts"] if f["kind"] == "capital_yen")
    assert (capital["source"], capital["source_ref"], capital["counts"]) == (
        "registry_document", "登記事項証明書", True)  # fmt: skip
    sme = next(a for a in body["assessments"] if a["rule"] == "sme")
    assert (sme["status"], sme["version"]) == ("yes", "sme-basic-act-1999")
    assert sme["reasons"][0]["code"] == "sme.capital_within"
    assert client.get("/api/v1/companies/1234").status_code == 422
    assert client.get(f"/api/v1/companies/{number('099999999999')}").status_code == 404
    assert AuditEntry.objects.filter(action="ecosystem.assessment.written").exists()
