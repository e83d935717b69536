"""The strategy as tables: measures, indicators, targets, values long and wide;
a value sheet downloaded, changed in one cell and uploaded again imports that
one cell, and leaves computed values and what the strategy states alone."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from openrd.core.models import AuditEntry
from openrd.core.spreadsheet import table_csv
from openrd.strategy.exports import (
    indicators_table,
    measures_table,
    targets_table,
    values_table,
    wide_table,
)
from openrd.strategy.imports import import_table, read_table
from openrd.strategy.models import Indicator, Observation
from openrd.strategy.services import record_observation

pytestmark = pytest.mark.django_db


def test_measures_and_indicators_carry_their_ministries_codes_and_citations(mini):
    header, body = measures_table(mini)
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert rows["quantum-users"]["担当府省"] == "経済産業省"
    assert rows["quantum-users"]["協力府省"] == "文部科学省"
    assert rows["quantum-users"]["等"] == "等"
    assert rows["quantum-users"]["関連プログラム"] == "moonshot"
    header, body = indicators_table(mini)
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert rows["mini-sbir-spending"]["算出方法"] == "startup_sme_spending_yen"
    assert rows["mini-quantum-users"]["出典"] == "l.4「量子」"


def test_targets_are_listed_by_kind_and_year(mini):
    _header, body = targets_table(mini)
    quantum = [(r[2], r[3], r[4]) for r in body if r[0] == "mini-quantum-users"]
    assert quantum == [(2020, "基準値", 0), (2025, "中間目標", 5_000_000),
                       (2030, "最終目標", 10_000_000)]  # fmt: skip


def test_the_wide_sheet_puts_targets_and_actuals_in_their_years(mini, meti_official):
    indicator = Indicator.objects.get(code="mini-quantum-users")
    record_observation(indicator, actor=meti_official, fiscal_year=2024, value=1_500_000)
    header, body = wide_table(mini)
    row = dict(zip(header, next(r for r in body if r[0] == "mini-quantum-users"), strict=True))
    assert (row["基準年度"], row["基準値"]) == (2020, 0)
    assert row["2025年度 目標"] == 5_000_000
    assert row["2024年度 実績"] == 1_500_000
    assert row["2024年度 目標"] == ""
    assert row["備考"] == "下書き: 2024年度"


def test_a_downloaded_sheet_sent_back_with_one_change_imports_only_that(
    client, mini, meti_official
):
    indicator = Indicator.objects.get(code="mini-quantum-users")
    record_observation(indicator, actor=meti_official, fiscal_year=2023, value=1_000_000,
                       confirmed=True)  # fmt: skip
    downloaded = client.get("/ja/strategy/2023/export/values-wide.xlsx")
    assert downloaded.status_code == 200
    book = load_workbook(io.BytesIO(downloaded.content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "mini-quantum-users":
            row[header.index("2023年度 実績")].value = 1_250_000
    out = io.BytesIO()
    book.save(out)
    report = import_table(out.getvalue(), "review.xlsx", actor=meti_official)
    # The seed's targets came back unchanged; the one changed cell is imported.
    assert (report.values, report.targets) == (1, 0)
    assert report.skipped >= 3
    assert Observation.objects.get(fiscal_year=2023).value == 1_250_000
    assert AuditEntry.objects.filter(action="strategy.observation.recorded").count() == 2


def test_the_long_sheet_round_trips_and_its_computed_rows_are_skipped(mini, meti_official):
    indicator = Indicator.objects.get(code="mini-quantum-users")
    record_observation(indicator, actor=meti_official, fiscal_year=2023, value=7, confirmed=True)
    header, body = values_table(mini)
    assert header[:5] == ["指標コード", "指標名", "年度", "値", "状態"]
    assert [r[:5] for r in body] == [["mini-quantum-users", "量子技術の国内利用者数", 2023, 7,
                                      "確定"]]  # fmt: skip
    body.append(["mini-sbir-spending", "スタートアップ等への支出", 2023, 5, "算出", "", ""])
    body.append(["mini-quantum-users", "量子技術の国内利用者数", 2024, 9, "下書き", "調べ", ""])
    content = table_csv(header, body)
    assert read_table(content, "values.csv")[0] == header
    report = import_table(content, "values.csv", actor=meti_official)
    assert (report.values, report.skipped) == (1, 2)
    assert Observation.objects.get(fiscal_year=2024).value == 9


@pytest.mark.parametrize("kind", ["measures", "indicators", "targets", "values", "values-wide"])
def test_every_table_downloads_as_csv_and_excel(client, mini, meti_official, kind):
    indicator = Indicator.objects.get(code="mini-quantum-users")
    record_observation(indicator, actor=meti_official, fiscal_year=2023, value=7)
    csv = client.get(f"/ja/strategy/2023/export/{kind}.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    assert len(csv.content.decode("utf-8-sig").splitlines()) >= 2  # a header and rows
    xlsx = client.get(f"/ja/strategy/2023/export/{kind}.xlsx")
    assert xlsx.content[:2] == b"PK"
    assert client.get("/ja/strategy/2023/export/nothing.csv").status_code == 404
