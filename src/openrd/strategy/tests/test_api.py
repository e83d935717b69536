"""The contract points ``GET /api/v1/strategy/{year}`` and
``GET /api/v1/indicators/{code}``, and a ministry's entry of a value."""

from __future__ import annotations

import json
from datetime import date

import pytest

from openrd.accounts.models import Organisation
from openrd.accounts.services import issue_api_token, upsert_organisation
from openrd.awards.services import create_award
from openrd.core.models import AuditEntry
from openrd.programs.models import Program
from openrd.strategy.models import Observation

pytestmark = pytest.mark.django_db


def post(client, user, code, body, lang="ja"):
    _, raw = issue_api_token(user, name="t")
    return client.post(
        f"/api/v1/indicators/{code}/observations", json.dumps(body),
        content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang,
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip


def test_the_strategy_has_its_pillars_measures_and_indicators_with_targets(client, mini):
    body = client.get("/api/v1/strategy/2023").json()
    assert (body["code"], body["cabinet_decision_on"], body["ordinal"]) == (
        "mini-2023", "2023-06-09", 3,
    )  # fmt: skip
    (pillar,) = body["pillars"]
    (quantum,) = pillar["goals"]
    (measure,) = quantum["measures"]
    assert measure["primary_ministries"] == ["meti"]
    assert measure["collaborating_ministries"] == ["mext"]
    (indicator,) = measure["indicators"]
    assert [t["value"] for t in indicator["targets"]] == [0, 5_000_000, 10_000_000]
    assert indicator["targets"][2]["source"]["line"] == 4
    assert indicator["latest"] is None
    assert indicator["assessment"]["status"] == "no_data"
    assert client.get("/api/v1/strategy/1999").status_code == 404


def test_a_computed_indicator_says_so_with_its_definition_and_live_values(client, mini):
    startup = upsert_organisation(code="a-startup", kind="startup", name_ja="新興株式会社")
    from openrd.accounts.models import Role
    from openrd.accounts.services import assign_role
    from openrd.accounts.tests.factories import UserFactory

    staff = UserFactory(username="nedo")
    assign_role(staff, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    create_award(
        actor=staff, program=Program.objects.get(code="sbir"), grant_number="A-1",
        title_ja="課題", pi_name_ja="研究 一", institution=startup, starts_on=date(2023, 4, 1),
        ends_on=date(2024, 3, 31), budget=[(2023, 53_310_000_000)],
    )  # fmt: skip
    body = client.get("/api/v1/indicators/mini-sbir-spending", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["computed"] is True
    assert "startups" in body["definition"]
    assert body["values"] == [
        {"fiscal_year": 2023, "value": 53_310_000_000, "status": "confirmed", "computed": True,
         "as_of": None, "source": None, "entered_at": None},
    ]  # fmt: skip
    # Half of the FY2023 target, in FY2023: missed, at a 50 % achievement rate.
    assert body["assessment"]["status"] == "off_track"
    assert body["assessment"]["progress"] == pytest.approx(0.5)
    assert client.get("/api/v1/indicators/no-such-indicator").status_code == 404


def test_the_responsible_ministry_enters_a_value_and_progress_follows(client, mini,
                                                                      meti_official):  # fmt: skip
    response = post(client, meti_official, "mini-quantum-users",
                    {"fiscal_year": 2022, "value": "2,000,000", "confirmed": True})  # fmt: skip
    assert response.status_code == 201
    assert response.json()["value"] == 2_000_000
    body = client.get("/api/v1/indicators/mini-quantum-users").json()
    # 40 % of the way to FY2025's 5,000,000 with 40 % of FY2020→FY2025 gone: on track.
    assert body["assessment"]["status"] == "on_track"
    assert body["assessment"]["target_fiscal_year"] == 2025
    assert body["assessment"]["progress"] == pytest.approx(0.4)


def test_another_ministry_gets_404_and_the_attempt_is_audited(client, mini, mhlw_official):
    response = post(client, mhlw_official, "mini-quantum-users", {"fiscal_year": 2022, "value": 1})
    assert response.status_code == 404
    assert not Observation.objects.exists()
    assert AuditEntry.objects.filter(action="access.denied").exists()


def test_a_bad_value_is_a_field_error_in_the_readers_language(client, mini, meti_official):
    response = post(client, meti_official, "mini-quantum-users",
                    {"fiscal_year": 2022, "value": "多い"})  # fmt: skip
    assert response.status_code == 422
    assert "value" in json.dumps(response.json()["errors"])
    assert "数値" in json.dumps(response.json(), ensure_ascii=False)
    assert not Observation.objects.exists()
