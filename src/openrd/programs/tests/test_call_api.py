import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openrd.accounts.models import Role
from openrd.accounts.services import issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import fiscal_year_of, to_tokyo
from openrd.core.models import AuditEntry
from openrd.programs.models import Call
from openrd.programs.services import close_call, open_call
from openrd.programs.tests.call_data import agency_staff, command_tower_admin, make_call

pytestmark = pytest.mark.django_db


def _payload(**overrides):
    now = to_tokyo(timezone.now()).replace(microsecond=0)
    fy = fiscal_year_of(now)
    body = {
        "program": "k_program",
        "topic": "vision-1-cross-cyber-bio-03",
        "agency": "jst",
        "code": "k-ai-security-api",
        "title_ja": "AIセキュリティ公募",
        "opens_at": (now + timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=40)).isoformat(),
        "fiscal_year": fy,
        "first_budget_year": fy,
        "last_budget_year": fy + 4,
        "total_budget_yen": 4_000_000_000,
        "cap_per_proposal_yen": 1_000_000_000,
        "eligibility": {"max_duration_years": 5},
        "documents": [{"code": "proposal", "name_ja": "研究開発提案書"}],
        "criteria": [
            {"code": "merit", "name_ja": "技術的優位性", "weight": 50},
            {"code": "security", "name_ja": "経済安全保障上の重要性", "weight": 50},
        ],
    }
    return body | overrides


def _post(client, user, path, body=None, lang="ja"):
    headers = {"HTTP_ACCEPT_LANGUAGE": lang}
    if user is not None:
        _, raw = issue_api_token(user, name="t")
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client.post(path, json.dumps(body or {}), content_type="application/json", **headers)


@pytest.fixture
def jst_staff(loaded_programs):
    return agency_staff("jst")


@pytest.fixture
def calls(loaded_programs):
    """An open JST Moonshot call, a closed one, an upcoming one and a draft."""
    now = timezone.now()
    open_ = make_call(code="ms-open")
    open_call(open_, actor=None)
    closed = make_call(code="ms-closed")
    open_call(closed, actor=None)
    close_call(closed, actor=None)
    upcoming = make_call(code="ms-upcoming", opens_at=now + timedelta(days=2))
    open_call(upcoming, actor=None)
    draft = make_call(code="ms-draft")
    return {"open": open_, "closed": closed, "upcoming": upcoming, "draft": draft}


# ---------------------------------------------------------------- reading


def test_list_has_the_contract_fields_and_no_drafts(client, calls):
    response = client.get("/api/v1/calls")
    assert response.status_code == 200
    items = {c["code"]: c for c in response.json()}
    assert set(items) == {"ms-open", "ms-closed", "ms-upcoming"}
    item = items["ms-open"]
    assert set(item) >= {
        "id", "code", "program", "topic", "agency", "title_ja", "title_en", "opens_at",
        "closes_at", "fiscal_year", "status", "cap_per_proposal_yen", "total_budget_yen",
    }  # fmt: skip
    assert (item["program"], item["topic"], item["agency"]) == ("moonshot", "goal-6", "jst")
    assert item["status"] == "open"
    assert item["cap_per_proposal_yen"] == 3_000_000_000
    assert item["opens_at"].endswith("+09:00")
    assert item["closes_at"].endswith("+09:00")
    assert items["ms-upcoming"]["phase"] == "upcoming"


def test_list_filters_by_program_agency_status_and_fiscal_year(client, calls):
    def codes(query):
        return sorted(c["code"] for c in client.get(f"/api/v1/calls?{query}").json())

    fy = calls["open"].fiscal_year
    assert codes("program=moonshot") == ["ms-closed", "ms-open", "ms-upcoming"]
    assert codes("program=sip") == []
    assert codes("agency=jst") == ["ms-closed", "ms-open", "ms-upcoming"]
    assert codes("agency=nedo") == []
    assert codes("status=open") == ["ms-open"]
    assert codes("status=closed") == ["ms-closed"]
    assert codes("status=upcoming") == ["ms-upcoming"]
    assert codes(f"fiscal_year={fy}&status=open") == ["ms-open"]
    assert codes(f"fiscal_year={fy + 1}") == []


def test_an_open_call_past_its_deadline_is_listed_as_closed(client, calls):
    # Nobody closed it, but its deadline has passed: the list must not offer it as open.
    Call.objects.filter(code="ms-open").update(
        opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1)
    )
    assert [c["code"] for c in client.get("/api/v1/calls?status=open").json()] == []
    closed = {c["code"]: c for c in client.get("/api/v1/calls?status=closed").json()}
    assert closed["ms-open"]["phase"] == "closed"


def test_an_unknown_status_filter_is_a_field_error(client, calls):
    response = client.get("/api/v1/calls?status=draft", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_list_query_count_does_not_grow_with_calls(client, loaded_programs):
    make_call(code="one")
    open_call(Call.objects.get(code="one"), actor=None)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/calls").json()) == 1
    for code in ("two", "three"):
        open_call(make_call(code=code), actor=None)
    with CaptureQueriesContext(connection) as three:
        assert len(client.get("/api/v1/calls").json()) == 3
    assert len(three) == len(one)


def test_detail_has_budget_years_effective_eligibility_documents_and_criteria(client, calls):
    call = calls["open"]
    body = client.get(f"/api/v1/calls/{call.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["code"] == "ms-open"
    assert body["summary_ja"] == ""
    assert (body["first_budget_year"], body["last_budget_year"]) == (
        call.fiscal_year,
        call.fiscal_year + 4,
    )
    # The program allows 10 years and stage gates; the call narrows to 5.
    assert body["eligibility"]["max_duration_years"] == 5
    assert body["eligibility"]["stage_gates"] is True
    assert body["eligibility_set_by_call"] == {"max_duration_years": 5}
    words = {r["text"]: r["source"] for r in body["rules_in_words"]}
    assert words["Support lasts up to 5 years."] == "Call guidelines of ms-open"
    assert [d["code"] for d in body["documents"]] == ["research-plan", "budget-sheet", "letter"]
    assert [d["required"] for d in body["documents"]] == [True, True, False]
    assert [(c["code"], c["weight"]) for c in body["criteria"]] == [("novelty", 60), ("team", 40)]


def test_a_draft_is_404_for_the_public_and_for_another_agency(client, calls):
    draft = calls["draft"]
    assert client.get(f"/api/v1/calls/{draft.pk}").status_code == 404
    nedo = agency_staff("nedo")
    client.force_login(nedo)
    assert client.get(f"/api/v1/calls/{draft.pk}").status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied", object_id=str(draft.pk))
    assert [e.actor for e in denied.order_by("id")] == [None, nedo]


def test_a_draft_is_visible_to_its_agency_and_the_command_tower(client, calls):
    draft = calls["draft"]
    for user in (agency_staff("jst"), command_tower_admin()):
        client.force_login(user)
        assert client.get(f"/api/v1/calls/{draft.pk}").json()["status"] == "draft"


def test_an_unknown_call_is_404(client, calls):
    assert client.get("/api/v1/calls/999999").status_code == 404
    assert not AuditEntry.objects.filter(action="access.denied").exists()


# ---------------------------------------------------------------- creating


def test_agency_staff_create_a_draft_call(client, jst_staff):
    response = _post(client, jst_staff, "/api/v1/calls", _payload())
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["agency"], body["topic"]) == (
        "draft",
        "jst",
        "vision-1-cross-cyber-bio-03",
    )
    assert AuditEntry.objects.get(action="programs.call.created").actor == jst_staff


def test_staff_of_another_agency_get_404_and_an_audit_entry(client, loaded_programs):
    # NEDO also runs the K Program, but not this call: the call is JST's.
    nedo = agency_staff("nedo")
    response = _post(client, nedo, "/api/v1/calls", _payload())
    assert response.status_code == 404
    assert not Call.objects.exists()
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor, denied.object_type) == (nedo, "programs.program")


def test_a_researcher_gets_404_and_a_visitor_401(client, loaded_programs):
    researcher = UserFactory(roles=[Role.RESEARCHER])
    assert _post(client, researcher, "/api/v1/calls", _payload()).status_code == 404
    assert _post(client, None, "/api/v1/calls", _payload()).status_code == 401
    assert not Call.objects.exists()


def _field_errors(response):
    assert response.status_code == 422, response.content
    assert not Call.objects.exists()
    return {e["field"]: e["msg"] for e in response.json()["errors"]}


def test_an_unknown_field_is_refused(client, jst_staff):
    errors = _field_errors(_post(client, jst_staff, "/api/v1/calls", _payload(budget=1)))
    assert errors == {"budget": "不明な項目です。このリクエストでは使用できません。"}


def test_an_unknown_eligibility_rule_is_refused(client, jst_staff):
    body = _payload(eligibility={"max_duration": 5})
    errors = _field_errors(_post(client, jst_staff, "/api/v1/calls", body))
    assert list(errors) == ["eligibility.max_duration"]


@pytest.mark.parametrize(
    "value", ["2023-02-30T12:00:00+09:00", "2023-10-25T12:00:00", "not a date"]
)
def test_an_impossible_or_naive_datetime_is_a_field_error(client, jst_staff, value):
    response = _post(client, jst_staff, "/api/v1/calls", _payload(opens_at=value), lang="en")
    errors = _field_errors(response)
    assert list(errors) == ["opens_at"]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (-1, "金額に負の値は入力できません。"),
        (1.5, "金額は1円単位の整数で入力してください。"),
        ("100.5", "金額は1円単位の整数で入力してください。"),
    ],
)
def test_negative_or_fractional_yen_is_a_field_error(client, jst_staff, amount, message):
    body = _payload(cap_per_proposal_yen=amount)
    errors = _field_errors(_post(client, jst_staff, "/api/v1/calls", body))
    assert errors == {"cap_per_proposal_yen": message}


def test_criteria_weights_must_add_up_to_100(client, jst_staff):
    criteria = [{"code": "merit", "name_ja": "技術", "weight": 70}]
    response = _post(client, jst_staff, "/api/v1/calls", _payload(criteria=criteria), lang="en")
    assert _field_errors(response) == {
        "criteria": "The weights of the review criteria must add up to 100 (now 70)."
    }


def test_closing_before_opening_is_a_field_error_in_japanese(client, jst_staff):
    body = _payload()
    body["closes_at"], body["opens_at"] = body["opens_at"], body["closes_at"]
    errors = _field_errors(_post(client, jst_staff, "/api/v1/calls", body))
    assert errors == {"closes_at": "締切日時は公募開始日時より後にしてください。"}


def test_an_unknown_program_or_topic_is_a_field_error(client, jst_staff):
    errors = _field_errors(_post(client, jst_staff, "/api/v1/calls", _payload(program="nope")))
    assert list(errors) == ["program"]
    errors = _field_errors(_post(client, jst_staff, "/api/v1/calls", _payload(topic="goal-6")))
    assert list(errors) == ["topic"]


# ---------------------------------------------------------------- opening and closing


def test_agency_staff_open_and_close_their_call(client, calls, jst_staff):
    draft = calls["draft"]
    opened = _post(client, jst_staff, f"/api/v1/calls/{draft.pk}/open")
    assert (opened.status_code, opened.json()["status"]) == (200, "open")
    closed = _post(client, jst_staff, f"/api/v1/calls/{draft.pk}/close")
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")


def test_reopening_a_closed_call_is_a_409_with_reasons(client, calls, jst_staff):
    response = _post(client, jst_staff, f"/api/v1/calls/{calls['closed'].pk}/open", lang="en")
    assert response.status_code == 409
    body = response.json()
    assert body["reasons"][0]["code"] == "call.transition_not_allowed"
    assert body["detail"] == "Only a draft call can be opened; this one is closed."


def test_another_agency_cannot_close_a_public_call_and_is_audited(client, calls):
    nedo = agency_staff("nedo")
    response = _post(client, nedo, f"/api/v1/calls/{calls['open'].pk}/close")
    assert response.status_code == 404
    assert Call.objects.get(code="ms-open").status == "open"
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor, denied.object_id) == (nedo, str(calls["open"].pk))


def test_another_agency_cannot_open_a_draft_it_cannot_see(client, calls):
    nedo = agency_staff("nedo")
    response = _post(client, nedo, f"/api/v1/calls/{calls['draft'].pk}/open")
    assert response.status_code == 404
    assert Call.objects.get(code="ms-draft").status == "draft"
    assert AuditEntry.objects.filter(action="access.denied", actor=nedo).count() == 1


def test_openapi_document_lists_the_call_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/calls",
        "/api/v1/calls/{id}",
        "/api/v1/calls/{id}/open",
        "/api/v1/calls/{id}/close",
    } <= set(paths)
    assert {"200", "422"} <= set(paths["/api/v1/calls"]["get"]["responses"])
    assert {"201", "401", "404", "422"} <= set(paths["/api/v1/calls"]["post"]["responses"])
