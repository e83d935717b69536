"""Registry snapshots: every row checked first and reported by row and column,
nothing imported when one is bad; imported companies keyed on their corporate
number, so the same snapshot again changes and duplicates nothing, and a later
one updates; facts recorded as the registry's; JSON as well as CSV."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.identifiers import corporate_number_check_digit
from openrd.core.models import AuditEntry
from openrd.ecosystem.imports import ImportRefused, import_snapshot
from openrd.ecosystem.models import Company, CompanyFact, EligibilityAssessment

pytestmark = pytest.mark.django_db


def number(base: str) -> str:
    return f"{corporate_number_check_digit(base)}{base}"


A, B, C = number("010001000011"), number("010001000012"), number("010001000013")
HEADER = "法人番号,商号又は名称,フリガナ,国内所在地（都道府県）,設立年月日,資本金,従業員数,業種\n"


@pytest.fixture
def tower():
    return UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])


def csv(*rows: str) -> bytes:
    return ("\ufeff" + HEADER + "".join(r + "\n" for r in rows)).encode()


GOOD = csv(
    f"{A},量子新興株式会社,リョウシシンコウ,東京都,2020-06-01,10000000,12,software_information",
    f"{B},大手製造株式会社,オオテセイゾウ,愛知県,1950-01-01,5000000000,8000,manufacturing",
)


def test_a_snapshot_imports_companies_with_the_registrys_facts(tower):
    report = import_snapshot(GOOD, "houjin.csv", actor=tower, as_of=date(2026, 4, 1),
                             snapshot="法人番号公表サイト 2026-04")  # fmt: skip
    assert (report.created, report.updated, report.facts) == (2, 0, 8)
    startup = Company.objects.get(corporate_number=A)
    assert (startup.name_kana, startup.prefecture) == ("リョウシシンコウ", "東京都")
    assert set(startup.facts.values_list("source", flat=True)) == {"public_registry"}
    assert startup.facts.first().source_ref == "法人番号公表サイト 2026-04"
    statuses = dict(EligibilityAssessment.objects.filter(current=True, rule="sme")
                    .values_list("company__corporate_number", "status"))  # fmt: skip
    assert statuses == {A: "yes", B: "no"}


def test_the_same_snapshot_again_changes_nothing_and_a_later_one_updates(tower):
    import_snapshot(GOOD, "houjin.csv", actor=tower, as_of=date(2026, 4, 1))
    counts = (Company.objects.count(), CompanyFact.objects.count(),
              EligibilityAssessment.objects.count(), AuditEntry.objects.count())  # fmt: skip
    again = import_snapshot(GOOD, "houjin.csv", actor=tower, as_of=date(2026, 4, 1))
    assert (again.created, again.updated) == (0, 2)
    now = (Company.objects.count(), CompanyFact.objects.count(),
           EligibilityAssessment.objects.count(), AuditEntry.objects.count())  # fmt: skip
    assert now == counts
    later = csv(f"{A},量子新興株式会社,リョウシシンコウ,東京都,2020-06-01,10000000,400,"
                "software_information")  # fmt: skip
    import_snapshot(later, "houjin.csv", actor=tower, as_of=date(2026, 10, 1))
    assert Company.objects.count() == 2
    employees = CompanyFact.objects.filter(company__corporate_number=A, kind="employees")
    assert sorted(employees.values_list("value", flat=True)) == ["12", "400"]  # both kept, dated


def test_a_bad_row_imports_nothing_and_says_where(tower):
    bad = csv(f"{A},量子新興株式会社,リョウシシンコウ,東京都,2020-06-01,10000000,12,"
              "software_information",
              "1234567890123,誤り株式会社,,,2020-13-01,-5,many,mining",
              f"{A},重複株式会社,,,,,,")  # fmt: skip
    with pytest.raises(ImportRefused) as refused:
        import_snapshot(bad, "houjin.csv", actor=tower, as_of=date(2026, 4, 1))
    errors = {(e.row, e.column) for e in refused.value.report.errors}
    assert {(3, "corporate_number"), (3, "founded_on"), (3, "capital_yen"), (3, "employees"),
            (3, "industry"), (4, "corporate_number")} <= errors  # fmt: skip
    assert not Company.objects.exists()
    assert not CompanyFact.objects.exists()


def test_json_snapshots_with_a_successor_in_the_same_file(tower):
    rows = [
        {"corporate_number": C, "name": "承継会社株式会社", "capital_yen": 30_000_000,
         "employees": 20, "industry": "services"},
        {"corporate_number": A, "name": "量子新興株式会社", "status": "merged",
         "closed_on": "2026-03-31", "successor": C},
    ]  # fmt: skip
    content = json.dumps(rows, ensure_ascii=False).encode()
    report = import_snapshot(content, "snapshot.json", actor=tower, as_of=date(2026, 4, 1))
    assert report.created == 2
    merged = Company.objects.get(corporate_number=A)
    assert (merged.status, merged.successor.corporate_number) == ("merged", C)
    with pytest.raises(ImportRefused):
        import_snapshot(json.dumps([{"corporate_number": B, "name": "x",
                                     "successor": number("099999999991")}]).encode(),
                        "snapshot.json", actor=tower, as_of=date(2026, 4, 1))  # fmt: skip


def test_only_staff_import_registry_snapshots(loaded_programs):
    officer = UserFactory(username="officer", roles=[Role.INSTITUTION_OFFICER])
    with pytest.raises(PermissionDenied):
        import_snapshot(GOOD, "houjin.csv", actor=officer, as_of=date(2026, 4, 1))


def test_the_command_imports_a_snapshot_or_lists_every_bad_row(tower, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv("1234567890123,誤り株式会社,,,,,,"))
    err = StringIO()
    with pytest.raises(CommandError, match="nothing imported: 1 error"):
        call_command("import_companies", str(bad), "--as", "tower", stderr=err)
    assert "row 2, corporate_number" in err.getvalue()
    good = tmp_path / "houjin.csv"
    good.write_bytes(GOOD)
    out = StringIO()
    call_command("import_companies", str(good), "--as", "tower", "--as-of", "2026-04-01",
                 "--source", "snapshot 2026-04", stdout=out)  # fmt: skip
    assert "2 compan(y/ies) created" in out.getvalue()
    assert CompanyFact.objects.filter(source_ref="snapshot 2026-04").count() == 8
