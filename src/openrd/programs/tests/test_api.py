import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_program_list_has_the_contract_fields(client, loaded_programs):
    response = client.get("/api/v1/programs")
    assert response.status_code == 200
    items = {p["code"]: p for p in response.json()}
    assert set(items) >= {"sip", "moonshot", "k_program", "sbir"}
    assert items["moonshot"]["name_ja"] == "ムーンショット型研究開発制度"
    assert items["moonshot"]["name_en"] == "Moonshot Research and Development Program"


def test_program_list_query_count_does_not_grow_with_programs(client, loaded_programs):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/programs")
    assert len(ctx) <= 3


def test_moonshot_detail_has_goals_projects_and_figures(client, loaded_programs):
    body = client.get("/api/v1/programs/moonshot").json()
    assert len(body["goals"]) == 9
    goal6_projects = [p for p in body["projects"] if p["parent"] == "goal-6"]
    assert len(goal6_projects) == 12
    funds = {(f["fiscal_year"], f["amount_yen"]) for f in body["figures"]}
    assert (2018, 100_000_000_000) in funds
    fy2018 = next(f for f in body["figures"] if f["fiscal_year"] == 2018)
    assert fy2018["fiscal_year_ja"] == "平成30年度（2018年度）"
    assert fy2018["amount_ja"] == "1,000億円"
    assert body["source"]["line"] > 0


def test_unknown_program_is_a_json_404_in_the_users_language(client, loaded_programs):
    response = client.get("/api/v1/programs/nope", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}


def test_openapi_document_lists_the_contract_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/programs", "/api/v1/programs/{code}", "/api/v1/me"} <= set(paths)
