"""The dashboard and indicator pages in both languages: statuses as text and
glyph, a ministry's view, the chart with its data table and downloads, and the
responsible ministry's form that keeps what was typed."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from openrd.strategy.models import Observation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("lang", "title", "status"),
    [("ja", "テスト戦略2023", "データなし"), ("en", "Test strategy 2023", "No data")],
)
def test_the_dashboard_shows_measures_and_indicators_with_their_status(client, mini, lang, title,
                                                                        status):  # fmt: skip
    page = client.get(f"/{lang}/strategy/2023/")
    assert page.status_code == 200
    text = page.content.decode()
    assert title in text
    assert "量子技術の国内利用者数" in text or "Domestic users of quantum technology" in text
    assert status in text  # as words, not colour alone
    assert 'class="badge__icon" aria-hidden="true">–' in text


def test_the_latest_strategy_is_where_the_menu_leads(client, mini):
    response = client.get("/ja/strategy/")
    assert response.status_code == 302
    assert response["Location"] == "/ja/strategy/2023/"


def test_a_ministry_sees_only_the_measures_it_is_named_on(client, mini):
    meti = client.get("/ja/strategy/2023/?ministry=meti").content.decode()
    assert "量子の利用者を増やす" in meti
    assert "SBIR</h4>" not in meti
    cao = client.get("/ja/strategy/2023/?ministry=cao").content.decode()
    assert "量子の利用者を増やす" not in cao


def test_the_indicator_page_has_a_chart_a_captioned_table_and_downloads(client, mini,
                                                                        meti_official):  # fmt: skip
    from openrd.strategy.models import Indicator
    from openrd.strategy.services import record_observation

    indicator = Indicator.objects.get(code="mini-quantum-users")
    record_observation(indicator, actor=meti_official, fiscal_year=2022, value=2_000_000,
                       confirmed=True)  # fmt: skip
    page = client.get("/ja/strategy/indicators/mini-quantum-users/").content.decode()
    assert 'role="img"' in page
    assert "<caption>" in page
    assert "2,000,000人" in page
    assert "順調" in page  # 40 % of the way with 40 % of the time gone
    csv = client.get("/ja/strategy/indicators/mini-quantum-users.csv")
    assert "2,000,000人" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/ja/strategy/indicators/mini-quantum-users.xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "年度"
    assert any("令和4年度" in str(r[0]) for r in rows[1:])


def test_only_the_responsible_ministry_sees_the_form_and_a_bad_value_keeps_what_was_typed(
    client, mini, meti_official, mhlw_official
):
    url = "/ja/strategy/indicators/mini-quantum-users/"
    client.force_login(mhlw_official)
    assert "値を保存" not in client.get(url).content.decode()
    refused = client.post(url + "values/", {"fiscal_year": "2023", "value": "5"})
    assert refused.status_code == 404
    client.force_login(meti_official)
    assert "値を保存" in client.get(url).content.decode()
    bad = client.post(url + "values/", {"fiscal_year": "2023", "value": "三百万",
                                        "source": "経済産業省調べ", "confirmed": "1"})  # fmt: skip
    assert bad.status_code == 422
    text = bad.content.decode()
    assert 'value="三百万"' in text
    assert 'value="経済産業省調べ"' in text
    assert 'name="confirmed" value="1" checked' in text
    assert "数値を入力してください。" in text
    assert not Observation.objects.exists()
    good = client.post(url + "values/", {"fiscal_year": "2023", "value": "3,000,000",
                                         "confirmed": "1"})  # fmt: skip
    assert good.status_code == 302
    assert Observation.objects.get().value == 3_000_000


def test_a_computed_indicator_shows_the_awards_behind_its_value(client, mini):
    from datetime import date

    from openrd.accounts.models import Organisation, Role
    from openrd.accounts.services import assign_role, upsert_organisation
    from openrd.accounts.tests.factories import UserFactory
    from openrd.awards.services import create_award
    from openrd.programs.models import Program

    staff = UserFactory(username="nedo")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    startup = upsert_organisation(code="p-startup", kind="startup", name_ja="量子新興株式会社")
    create_award(
        actor=staff, program=Program.objects.get(code="sbir"), grant_number="P-1",
        title_ja="量子センサの実証", pi_name_ja="研究 一", institution=startup,
        starts_on=date(2023, 4, 1), ends_on=date(2024, 3, 31), budget=[(2023, 30_000_000)],
    )  # fmt: skip
    page = client.get("/ja/strategy/indicators/mini-sbir-spending/").content.decode()
    assert "算出" in page  # says it is computed
    assert "P-1" in page
    assert "量子新興株式会社" in page
    assert "3,000万円" in page


def test_the_dashboard_charts_indicators_by_status_with_a_table_and_downloads(client, mini):
    text = client.get("/ja/strategy/2023/").content.decode()
    assert 'id="chart-status-title">指標の状況（柱ごと）</title>' in text
    assert 'id="chart-status-desc">柱: ' in text
    # The mini strategy's pillar holds both indicators, neither with a value yet.
    assert '<caption id="status-caption">' in text
    assert '<th scope="row">柱</th>' in text
    csv = client.get("/ja/strategy/2023/status.csv").content.decode("utf-8-sig").splitlines()
    assert csv[1].split(",")[0] == "柱"
    assert sum(int(n) for n in csv[1].split(",")[1:]) == 2
    meti = client.get("/ja/strategy/2023/status.csv?ministry=meti").content.decode("utf-8-sig")
    assert sum(int(n) for n in meti.splitlines()[1].split(",")[1:]) == 1  # METI's one measure
    assert client.get("/ja/strategy/2023/status.xlsx").content[:2] == b"PK"
