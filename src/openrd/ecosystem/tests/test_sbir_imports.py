"""SBIR award records from public lists: every row checked, a bad row imports
nothing, a company not yet on record is created from its row, a second import
updates and never duplicates; the phases count for the company's page and for
matching; the command prints the report."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.ecosystem.imports import ImportRefused
from openrd.ecosystem.matching import candidates
from openrd.ecosystem.models import Company, SbirAwardRecord
from openrd.ecosystem.sbir_imports import import_sbir_records
from openrd.ecosystem.tests.test_companies import number

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)
A, B = number("010006000001"), number("010006000002")
GOOD = (
    "法人番号,企業名,府省,年度,フェーズ,課題名,交付額\n"
    f'{A},記録新興株式会社,meti,2023,フェーズ1,省エネ素材の実現可能性調査,"10,000,000"\n'
    f"{A},記録新興株式会社,経済産業省,2024,２,省エネ素材の実証,50000000\n"
    f"{B},第二新興株式会社,mlit,2024年度,Phase 1,橋梁点検の調査,\n"
)


@pytest.fixture
def staff(loaded_programs):
    return UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])


def test_a_list_imports_creates_companies_and_updates_on_a_second_import(staff):
    report = import_sbir_records(GOOD.encode(), "sbir.csv", actor=staff, today=TODAY)
    assert (report.created, report.facts, report.updated) == (2, 3, 0)
    again = GOOD.replace("50000000", "60000000")
    report = import_sbir_records(again.encode(), "sbir.csv", actor=staff, today=TODAY)
    assert (report.created, report.facts, report.updated) == (0, 0, 3)
    assert SbirAwardRecord.objects.count() == 3
    record = SbirAwardRecord.objects.get(phase=2)
    assert (record.amount_yen, record.ministry.code, record.fiscal_year) == (60_000_000, "meti",
                                                                            2024)  # fmt: skip
    (candidate,) = candidates([Company.objects.get(corporate_number=A)])
    assert candidate.phase_reached == 2  # a phase reached outside the platform counts


def test_a_bad_row_imports_nothing_and_names_its_row_and_column(staff):
    bad = GOOD + f"{number('010006000003')},,総務省,1990,4,,十万\n"
    with pytest.raises(ImportRefused) as refused:
        import_sbir_records(bad.encode(), "sbir.csv", actor=staff, today=TODAY)
    columns = {(e.row, e.column) for e in refused.value.report.errors}
    assert {(5, "fiscal_year"), (5, "phase"), (5, "title_ja"), (5, "amount_yen")} <= columns
    assert not SbirAwardRecord.objects.exists()
    assert not Company.objects.exists()


def test_only_staff_import_and_the_command_reports(staff, tmp_path, client):
    path = tmp_path / "sbir.json"
    rows = [{"corporate_number": A, "company": "記録新興株式会社", "ministry": "meti",
             "fiscal_year": 2023, "phase": "3", "title": "実証"}]  # fmt: skip
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    UserFactory(username="someone", roles=[Role.RESEARCHER])
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_companies", str(path), "--as", "someone", "--sbir")
    out = StringIO()
    call_command("import_companies", str(path), "--as", "tower", "--sbir", stdout=out)
    assert "1 SBIR record(s) added" in out.getvalue()
    company = Company.objects.get(corporate_number=A)
    page = client.get(f"/ja/ecosystem/companies/{company.pk}/").content.decode()
    assert "フェーズ3" in page
    assert "実証" in page
    assert client.get(f"/api/v1/companies/{A}").json()["sbir_phases_reached"] == [3]
