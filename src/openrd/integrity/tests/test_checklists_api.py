"""The checklist API: the signed-in researcher's own checklist (read, draft, complete)
and the agencies' completion list, with the errors each answers."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from openrd.core.models import AuditEntry
from openrd.integrity.checklists.queries import researcher_checklist
from openrd.integrity.checklists.services import complete_checklist
from openrd.integrity.models import ChecklistCompletion
from openrd.integrity.rules.checklists import (
    checklist_fiscal_year,
    load_templates,
    template_in_force,
)
from openrd.integrity.tests.test_api import _bearer
from openrd.proposals.tests import conftest as proposal_fixtures
from openrd.proposals.tests.conftest import World

pytestmark = pytest.mark.django_db

# The proposals' test world, offered here by name as a fixture.
world = proposal_fixtures.world

MINE = "/api/v1/me/checklist"
COMPLETE = "/api/v1/me/checklist/complete"
COMPLETION = "/api/v1/integrity/checklists/completion"


def all_yes(kind: str) -> dict[str, dict[str, str]]:
    template = template_in_force(load_templates(), kind, timezone.localdate())
    assert template is not None
    return {item.code: {"answer": "yes", "note": ""} for item in template.items}


def send(client, method: str, path: str, user, body: object) -> object:
    return getattr(client, method)(
        path, json.dumps(body), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en", **_bearer(user),
    )  # fmt: skip


def get(client, path: str, user):
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en", **_bearer(user))


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["msg"] for e in response.json()["errors"]}


def this_year() -> int:
    return checklist_fiscal_year(timezone.now())


@pytest.mark.parametrize(
    ("method", "path"), [("get", MINE), ("put", MINE), ("post", COMPLETE), ("get", COMPLETION)]
)
def test_every_endpoint_needs_a_token(client, method, path):
    assert getattr(client, method)(path).status_code == 401


def test_an_untouched_checklist_reads_as_not_started_with_every_item(client, world: World):
    response = get(client, MINE, world.applicant)
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "researcher"
    assert body["status"] == "not_started"
    assert body["fiscal_year"] == this_year()
    assert body["completed_at"] is None
    assert body["answers"] == {}
    assert [item["code"] for item in body["items"]] == list(all_yes("researcher"))
    assert not ChecklistCompletion.objects.exists()


def test_a_draft_is_saved_partial_and_read_back(client, world: World):
    response = send(client, "put", MINE, world.applicant, {"answers": {"R-1": {"answer": "yes"}}})
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert response.json()["answers"] == {"R-1": {"answer": "yes", "note": ""}}
    row = researcher_checklist(world.applicant, this_year())
    assert row is not None
    assert row.completed_at is None
    assert AuditEntry.objects.filter(action="integrity.checklist.saved", actor=world.applicant)
    again = get(client, MINE, world.applicant).json()
    assert (again["status"], again["answers"]) == ("draft", {"R-1": {"answer": "yes", "note": ""}})


def test_an_answer_the_item_does_not_offer_is_a_422_on_that_answer(client, world: World):
    response = send(client, "put", MINE, world.applicant, {"answers": {"R-1": {"answer": "maybe"}}})
    assert response.status_code == 422
    assert not ChecklistCompletion.objects.exists()


def test_completing_with_missing_answers_is_a_422_per_item_and_completes_nothing(
    client, world: World
):
    answers = all_yes("researcher")
    del answers["R-2"]
    answers["R-6"] = {"answer": "no", "note": ""}
    errors = errors_of(send(client, "post", COMPLETE, world.applicant, {"answers": answers}))
    assert set(errors) == {"answers.R-2.answer", "answers.R-6.note"}
    assert all(errors.values())
    assert researcher_checklist(world.applicant, this_year()) is None
    assert not AuditEntry.objects.filter(action="integrity.checklist.completed").exists()
    # A draft saved before stays a draft.
    send(client, "put", MINE, world.applicant, {"answers": {"R-1": {"answer": "yes"}}})
    errors_of(send(client, "post", COMPLETE, world.applicant, {"answers": {}}))
    row = researcher_checklist(world.applicant, this_year())
    assert row is not None
    assert row.completed_at is None


def test_completing_every_answer_completes_this_years_checklist(client, world: World):
    response = send(client, "post", COMPLETE, world.applicant, {"answers": all_yes("researcher")})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert body["completed_at"] is not None
    row = researcher_checklist(world.applicant, this_year())
    assert row is not None
    assert row.completed_at is not None
    assert AuditEntry.objects.filter(action="integrity.checklist.completed").count() == 1
    assert get(client, MINE, world.applicant).json()["status"] == "completed"
    # Completed is final for the year.
    again = send(client, "put", MINE, world.applicant, {"answers": {"R-1": {"answer": "no"}}})
    assert again.status_code == 409


def test_an_unknown_field_in_the_body_is_a_422(client, world: World):
    body = {"answers": {"R-1": {"answer": "yes", "score": 3}}}
    assert send(client, "put", MINE, world.applicant, body).status_code == 422
    assert not ChecklistCompletion.objects.exists()


def test_someone_who_is_not_a_researcher_has_no_checklist_of_their_own(client, world: World):
    assert get(client, MINE, world.nedo_staff).status_code == 404
    body = {"answers": all_yes("researcher")}
    assert send(client, "post", COMPLETE, world.nedo_staff, body).status_code == 404
    assert not ChecklistCompletion.objects.exists()
    assert AuditEntry.objects.filter(action="access.denied", actor=world.nedo_staff).exists()


def test_agency_staff_read_each_institutions_status(client, world: World):
    complete_checklist(
        actor=world.officer, organisation=world.startup, answers=all_yes("institution")
    )
    response = get(client, COMPLETION, world.nedo_staff)
    assert response.status_code == 200
    rows = {row["organisation_code"]: row for row in response.json()}
    assert rows["sakura"]["status"] == "completed"
    assert rows["sakura"]["completed_at"] is not None
    assert {row["status"] for code, row in rows.items() if code != "sakura"} <= {"not_started"}
    only = get(client, f"{COMPLETION}?kind=startup", world.nedo_staff)
    assert only.status_code == 200
    assert {row["kind"] for row in only.json()} == {"startup"}
    assert "sakura" in {row["organisation_code"] for row in only.json()}


@pytest.mark.parametrize("who", ["applicant", "officer"])
def test_the_completion_list_is_a_404_for_others(client, world: World, who):
    person = getattr(world, who)
    response = get(client, COMPLETION, person)
    assert response.status_code == 404
    assert "sakura" not in response.content.decode()
    assert AuditEntry.objects.filter(action="access.denied", actor=person).exists()


@pytest.mark.parametrize("kind", ["bogus", "ministry", "funding_agency"])
def test_a_kind_that_keeps_no_checklist_is_a_422(client, world: World, kind):
    response = get(client, f"{COMPLETION}?kind={kind}", world.nedo_staff)
    errors = errors_of(response)
    assert list(errors) == ["kind"]


def test_the_kinds_the_api_accepts_are_those_that_keep_a_checklist():
    from typing import get_args

    from openrd.integrity.checklists.api import InstitutionKind
    from openrd.integrity.checklists.queries import INSTITUTION_KINDS

    assert set(get_args(InstitutionKind)) == {"", *INSTITUTION_KINDS}
