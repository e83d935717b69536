"""The PD's portfolio of a Moonshot goal: every project's stage, budget and gates,
as a chart, a table and a CSV, read in a bounded number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.awards import services
from openrd.awards.models import Award
from openrd.awards.portfolio import portfolio
from openrd.core.fiscal import format_wareki_date
from openrd.programs.models import Program, ProgramElement

pytestmark = pytest.mark.django_db

URL = "/{lang}/awards/portfolio/moonshot/goal-6/"


def _award(staff, number: str, element: str, budget, gates=()) -> Award:
    return services.create_award(
        actor=staff,
        program=Program.objects.get(code="moonshot"),
        grant_number=number,
        title_ja=f"{number} の研究開発",
        title_en=f"Research and development {number}",
        pi_name_ja="山本 剛",
        pi_name_en="Tsuyoshi Yamamoto",
        institution=Organisation.objects.get(code="jst"),
        starts_on=date(2020, 12, 1),
        ends_on=date(2030, 11, 30),
        budget=budget,
        element=ProgramElement.objects.get(program__code="moonshot", code=element),
        gates=gates,
    )


@pytest.fixture
def staff(loaded_programs):
    person = UserFactory(username="jst-staff")
    assign_role(person, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jst"))
    return person


@pytest.fixture
def folio(staff):
    pd = UserFactory()
    assign_role(pd, Role.PROGRAM_DIRECTOR, organisation=Organisation.objects.get(code="jst"))
    first = _award(
        staff,
        "MS6-PM1",
        "goal-6-pm1",
        [(2024, 300_000_000), (2025, 250_000_000)],
        gates=[
            ("第1回評価", "First review", date(2025, 6, 1)),
            ("第2回評価", "Second review", date(2027, 6, 1)),
        ],
    )
    services.evaluate_gate(
        first.stage_gates.order_by("due_on").first(), "continue", actor=pd, reasons="順調"
    )
    second = _award(
        staff,
        "MS6-PM2",
        "goal-6-pm2",
        [(2024, 100_000_000), (2026, 50_000_000)],
        gates=[("中間評価", "Interim review", date(2026, 6, 1))],
    )
    # Under another goal: not in goal 6's portfolio.
    _award(staff, "MS1-X", "goal-1", [(2024, 700_000_000)])
    return first, second


@pytest.mark.usefixtures("folio")
def test_the_portfolio_reads_the_goals_projects_with_stage_and_totals():
    got = portfolio("moonshot", "goal-6")
    assert [r.grant_number for r in got.projects] == ["MS6-PM1", "MS6-PM2"]
    one, two = got.projects
    assert (one.stage, one.next_gate.name_ja) == (1, "第2回評価")
    assert [g.status for g in one.gates] == ["continue", "pending"]
    assert (two.stage, two.next_gate.name_ja) == (0, "中間評価")
    assert (one.total, two.total) == (550_000_000, 150_000_000)
    assert got.fiscal_years == [2024, 2025, 2026]
    # By hand: 2024 = 3億 + 1億, 2025 = 2.5億, 2026 = 0.5億.
    assert got.totals_by_year == [(2024, 400_000_000), (2025, 250_000_000), (2026, 50_000_000)]
    assert got.total == 700_000_000
    assert got.amounts(two) == [100_000_000, None, 50_000_000]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_page_shows_each_project_its_stage_gates_and_the_totals(client, folio, lang):
    first, second = folio
    response = client.get(URL.format(lang=lang))
    assert response.status_code == 200
    page = response.content.decode()
    title = {"ja": "目標6：誤り耐性型汎用量子コンピュータ", "en": "Goal 6: A fault-tolerant"}
    assert title[lang] in page
    for award in (first, second):
        assert award.grant_number in page
        assert f'href="/{lang}/awards/{award.pk}/"' in page
        assert award.title_ja in page if lang == "ja" else award.title_en in page
    assert "MS1-X" not in page
    assert 'data-stage="1"' in page
    assert 'data-stage="0"' in page
    expected = {
        "ja": ["第1回評価", "継続", "未評価", "令和9年6月1日", "令和6年度", "実施中"],
        "en": ["First review", "Continue", "Not evaluated yet", "1 June 2027 (Reiwa 9)", "Active"],
    }[lang]
    for text in expected:
        assert text in page, text
    evaluated_on = format_wareki_date(timezone.localdate(), lang)
    history = page.split(f'data-project="{first.grant_number}"', 1)[1].split("</tr>", 1)[0]
    assert f"First review — {evaluated_on}" in history or f"第1回評価 — {evaluated_on}" in history
    with translation.override(lang):
        assert _("%(passed)s of %(gates)s") % {"passed": 1, "gates": 2} in page
    # The totals by fiscal year, computed by hand: 4億, 2.5億, 5,000万; 7億 in all.
    totals = page.split("data-totals", 1)[1].split("</tfoot>", 1)[0]
    sums = {
        "ja": ["4億円", "2.5億円", "5,000万円", "7億円"],
        "en": ["¥400 million", "¥250 million", "¥50 million", "¥700 million"],
    }[lang]
    for amount in sums:
        assert amount in totals, amount
    assert f'href="/{lang}/awards/portfolio/moonshot/goal-6.csv"' in page
    assert 'class="table table--cards"' in page
    assert "<caption>" in page


def test_the_chart_is_an_svg_with_a_text_alternative(client, folio):
    page = client.get(URL.format(lang="ja")).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-portfolio-title chart-portfolio-desc"' in svg
    assert '<title id="chart-portfolio-title">年度別予算</title>' in svg
    desc = svg.split('<desc id="chart-portfolio-desc">', 1)[1].split("</desc>", 1)[0]
    assert "4億円" in desc
    assert "MS6-PM1 3億円" in desc
    assert "MS6-PM2 1億円" in desc
    assert "style=" not in svg


@pytest.mark.parametrize(
    ("lang", "header", "year"),
    [
        ("ja", ["課題番号", "タイトル", "状態", "年度", "Budget (yen)"], "令和6年度"),
        ("en", ["Grant number", "Title", "Status", "Fiscal year", "Budget (yen)"], "FY2024"),
    ],
)
def test_the_csv_has_a_bom_and_one_row_per_project_and_year(client, folio, lang, header, year):
    response = client.get(f"/{lang}/awards/portfolio/moonshot/goal-6.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "portfolio-moonshot-goal-6.csv" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    with translation.override(lang):
        assert rows[0] == [_(h) for h in header]
    assert [(r[0], r[4]) for r in rows[1:]] == [
        ("MS6-PM1", "300000000"),
        ("MS6-PM1", "250000000"),
        ("MS6-PM2", "100000000"),
        ("MS6-PM2", "50000000"),
    ]
    assert rows[1][3].startswith(year)


def test_an_unknown_program_or_element_is_a_404(client, folio):
    for url in (
        "/ja/awards/portfolio/moonshot/no-such-goal/",
        "/ja/awards/portfolio/no-such-program/goal-6/",
        "/ja/awards/portfolio/sip/goal-6/",
        "/ja/awards/portfolio/moonshot/no-such-goal.csv",
    ):
        assert client.get(url).status_code == 404, url


def test_a_goal_without_projects_says_so(client, staff):
    page = client.get(URL.format(lang="en")).content.decode()
    assert "No project is funded under this goal or theme yet." in page


def test_the_award_page_links_to_its_goals_portfolio(client, folio):
    first, _second = folio
    page = client.get(f"/ja/awards/{first.pk}/").content.decode()
    assert 'href="/ja/awards/portfolio/moonshot/goal-6/"' in page
    goal_level = Award.objects.get(grant_number="MS1-X")  # its element has no parent
    assert "/awards/portfolio/" not in client.get(f"/ja/awards/{goal_level.pk}/").content.decode()


def test_the_query_count_does_not_grow_with_the_awards(client, folio, staff):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL.format(lang="ja")).status_code == 200
            assert client.get(URL.format(lang="ja")[:-1] + ".csv").status_code == 200
        return len(queries)

    two = count()
    _award(staff, "MS6-PM3", "goal-6-pm3", [(2025, 80_000_000)],
           gates=[("評価", "Review", date(2026, 1, 1))])  # fmt: skip
    _award(staff, "MS6-PM4", "goal-6-pm4", [(2024, 90_000_000), (2027, 10_000_000)])
    four = count()
    assert len(portfolio("moonshot", "goal-6").projects) == 4
    assert four == two
