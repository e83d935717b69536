"""Values and targets from CSV and Excel: every row checked, errors reported per
row and column, nothing imported when any row is bad."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.strategy.imports import ImportRefused, import_table
from openrd.strategy.models import Observation, Target

pytestmark = pytest.mark.django_db


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_long_csv_imports_every_value_audited(mini, meti_official):
    csv = "指標コード,年度,値,出典,状態\nmini-quantum-users,令和4年度,\"1,500,000\",調査,確定\n" \
          "mini-quantum-users,2023,1800000,,下書き\n"  # fmt: skip
    report = import_table(csv.encode("utf-8-sig"), "values.csv", actor=meti_official)
    assert (report.values, report.errors) == (2, [])
    rows = {o.fiscal_year: (o.value, o.status) for o in Observation.objects.all()}
    assert rows == {2022: (1_500_000, "confirmed"), 2023: (1_800_000, "draft")}
    assert AuditEntry.objects.filter(action="strategy.observation.recorded").count() == 2


def test_one_bad_excel_row_imports_nothing_and_names_the_row_and_column(mini, meti_official):
    content = xlsx([
        ["indicator", "fiscal_year", "value"],
        ["mini-quantum-users", 2022, 1_000_000],
        ["mini-quantum-users", 2023, "百万"],
        ["no-such-indicator", 2023, 1],
        ["mini-sbir-spending", 2023, 1],
    ])  # fmt: skip
    with pytest.raises(ImportRefused) as refused:
        import_table(content, "values.xlsx", actor=meti_official)
    errors = {(e.row, e.column) for e in refused.value.report.errors}
    assert (3, "value") in errors  # not a number
    assert (4, "indicator") in errors  # unknown code
    assert (5, "value") in errors  # METI is not responsible for the SBIR measure
    assert not Observation.objects.exists()
    assert not AuditEntry.objects.filter(action="strategy.observation.recorded").exists()


def test_the_review_sheets_wide_layout_brings_actuals_and_the_command_towers_targets(mini):
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    content = xlsx([
        ["指標コード", "令和4年度 実績", "2023年度実績", "FY2024 target"],
        ["mini-quantum-users", 1_000_000, 2_000_000, 3_500_000],
    ])  # fmt: skip
    report = import_table(content, "review.xlsx", actor=tower)
    assert (report.values, report.targets) == (2, 1)
    assert Target.objects.get(fiscal_year=2024, kind="interim").value == 3_500_000
    assert set(Observation.objects.values_list("fiscal_year", flat=True)) == {2022, 2023}


def test_a_ministry_may_not_set_targets_and_the_whole_sheet_is_refused(mini, meti_official):
    content = xlsx([["indicator", "2023年度 実績", "2024年度 目標"],
                    ["mini-quantum-users", 1, 2]])  # fmt: skip
    with pytest.raises(ImportRefused) as refused:
        import_table(content, "review.xlsx", actor=meti_official)
    assert [(e.row, e.column) for e in refused.value.report.errors] == [(2, "2024年度 目標")]
    assert not Observation.objects.exists()


def test_a_file_without_the_columns_says_which_it_needs(mini, meti_official):
    with pytest.raises(ImportRefused) as refused:
        import_table(b"name,amount\nx,1\n", "values.csv", actor=meti_official)
    assert refused.value.report.errors[0].row == 1


def test_the_import_page_lists_each_bad_row_and_keeps_nothing(client, mini, meti_official):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(meti_official)
    bad = SimpleUploadedFile("v.csv", b"indicator,fiscal_year,value\nmini-quantum-users,2023,x\n"
)  # fmt: skip
    page = client.post("/ja/strategy/import/", {"file": bad})
    assert page.status_code == 422
    assert "何もインポートしていません" in page.content.decode()
    assert not Observation.objects.exists()
    good = SimpleUploadedFile("v.csv", b"indicator,fiscal_year,value\nmini-quantum-users,2023,5\n")
    assert client.post("/ja/strategy/import/", {"file": good}).status_code == 302
    assert Observation.objects.get().value == 5


def test_someone_without_a_ministry_role_gets_404_on_the_import_page(client, mini):
    client.force_login(UserFactory(username="someone"))
    assert client.get("/ja/strategy/import/").status_code == 404
