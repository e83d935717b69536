import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_program_list_page_in_japanese_and_english(client, loaded_programs):
    ja = client.get("/ja/programs/").content.decode()
    en = client.get("/en/programs/").content.decode()
    assert '<html lang="ja">' in ja
    assert "ムーンショット型研究開発制度" in ja
    assert '<html lang="en">' in en
    assert "Moonshot Research and Development Program" in en


def test_program_list_page_query_count_is_constant(client, loaded_programs):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/ja/programs/")
    assert len(ctx) <= 6


def test_moonshot_page_shows_goal_6_projects_and_budgets_in_oku_yen(client, loaded_programs):
    page = client.get("/ja/programs/moonshot/").content.decode()
    assert "PM1" in page or "超伝導量子回路の集積化技術の開発" in page
    assert "1,000億円" in page
    assert "平成30年度" in page


def test_moonshot_page_in_english_shows_fiscal_years_and_billions(client, loaded_programs):
    page = client.get("/en/programs/moonshot/").content.decode()
    assert "¥100 billion" in page
    assert "FY2018" in page


def test_unknown_program_page_is_404(client, loaded_programs):
    assert client.get("/ja/programs/nope/").status_code == 404
