"""The effort ledger's pages and API: one's own, what-if, and who else may read it."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.integrity.effort.services import record_commitment
from openrd.integrity.handdown import ResearchRecord
from openrd.integrity.models_effort import EffortCommitment

pytestmark = pytest.mark.django_db

CANARY = "カナリア課題-7f3a9c"


def line(person, effort: int, *, key: str, agency: str = "nedo", kind: str = "award"):
    record_commitment(
        ResearchRecord(
            source_key=key, kind=kind, person_id=person.pk, active=True,
            agency_id=Organisation.objects.get(code=agency).pk, program_code="sbir",
            title_ja=CANARY if kind == "award" else "応募中の課題", effort_percent=effort,
            starts_on=date(2025, 4, 1), ends_on=date(2028, 3, 31),
        )
    )  # fmt: skip


@pytest.fixture
def people(loaded_programs):
    researcher = UserFactory(username="researcher", roles=[Role.RESEARCHER])
    line(researcher, 60, key="award:1")
    line(researcher, 30, key="proposal:2", kind="proposal")
    nedo, jst = UserFactory(username="nedo-staff"), UserFactory(username="jst-staff")
    assign_role(nedo, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="nedo"))
    assign_role(jst, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jst"))
    admin = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    other = UserFactory(username="other", roles=[Role.RESEARCHER])
    return researcher, nedo, jst, admin, other


def own_page(client, query: str = ""):
    with translation.override("en"):
        url = reverse("integrity-effort:mine")
    return client.get(url + query)


def person_page(client, person):
    with translation.override("en"):
        url = reverse("integrity-effort:person", args=[person.pk])
    return client.get(url)


def test_the_own_ledger_shows_each_line_and_both_totals(client, people):
    researcher = people[0]
    client.force_login(researcher)
    response = own_page(client)
    body = response.content.decode()
    assert response.status_code == 200
    assert CANARY in body
    assert "応募中の課題" in body
    assert "60% / 100%" in body  # awarded
    assert "90%" in body  # with the pending proposal
    assert "Not counted (pending)" in body


def test_what_if_at_exactly_100_is_allowed_and_just_above_is_refused_with_the_breakdown(
    client, people
):
    researcher = people[0]
    client.force_login(researcher)
    allowed = own_page(client, "?percent=40").content.decode()
    assert "awarded effort would be 100%: within 100%" in allowed
    refused = own_page(client, "?percent=41").content.decode()
    assert "awarded effort would be 101%: over 100%" in refused
    assert f"{CANARY} 60%" in refused
    assert EffortCommitment.objects.filter(person=researcher).count() == 2  # nothing saved


def test_what_if_by_htmx_answers_the_result_alone_and_a_bad_percent_is_explained(client, people):
    client.force_login(people[0])
    with translation.override("en"):
        url = reverse("integrity-effort:mine")
    partial = client.get(url + "?percent=41", headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="what-if-result"')
    assert "101%" in partial
    bad = own_page(client, "?percent=101").content.decode()
    assert "Give a whole percentage from 1 to 100." in bad


def test_the_own_ledger_needs_a_sign_in(client, people):
    assert own_page(client).status_code == 302


def test_agency_staff_see_their_applicants_ledger_across_agencies(client, people):
    researcher, nedo, _jst, admin, _other = people
    line(researcher, 10, key="award:3", agency="jst")
    for viewer in (nedo, admin):
        client.force_login(viewer)
        response = person_page(client, researcher)
        assert response.status_code == 200
        assert CANARY in response.content.decode()
        assert "70% / 100%" in response.content.decode()


def test_another_agencys_staff_and_other_researchers_get_an_audited_404(client, people):
    researcher, _nedo, jst, _admin, other = people
    for viewer in (jst, other):
        client.force_login(viewer)
        response = person_page(client, researcher)
        assert response.status_code == 404
        assert CANARY not in response.content.decode()
        api = client.get(f"/api/v1/integrity/people/{researcher.pk}/effort")
        assert api.status_code == 404
        assert CANARY not in api.content.decode()
        assert AuditEntry.objects.filter(action="access.denied", actor=viewer).exists()


def test_a_retired_commitment_no_longer_opens_the_ledger_to_that_agency(client, people):
    researcher, nedo = people[0], people[1]
    for key in ("award:1", "proposal:2"):
        record_commitment(
            ResearchRecord(source_key=key, kind=key.split(":")[0], person_id=researcher.pk,
                           active=False)
        )  # fmt: skip
    client.force_login(nedo)
    assert person_page(client, researcher).status_code == 404


def test_api_own_ledger_and_what_if(client, people):
    researcher = people[0]
    client.force_login(researcher)
    mine = client.get("/api/v1/me/effort").json()
    assert (mine["awarded_percent"], mine["with_pending_percent"]) == (60, 90)
    assert {(x["key"], x["awarded"]) for x in mine["lines"]} == {
        ("award:1", True),
        ("proposal:2", False),
    }
    at_limit = client.get("/api/v1/me/effort/what-if?percent=40").json()
    assert (at_limit["awarded_after_percent"], at_limit["allowed"]) == (100, True)
    over = client.get("/api/v1/me/effort/what-if?percent=41", headers={"Accept-Language": "en"})
    body = over.json()
    assert (body["awarded_after_percent"], body["allowed"]) == (101, False)
    assert [r["code"] for r in body["reasons"]] == ["effort.over_100"]
    assert f"{CANARY} 60%" in body["reasons"][0]["message"]
    assert client.get("/api/v1/me/effort/what-if?percent=0").status_code == 422


def test_api_person_ledger_for_the_applicants_agency(client, people):
    researcher, nedo = people[0], people[1]
    client.force_login(nedo)
    response = client.get(f"/api/v1/integrity/people/{researcher.pk}/effort")
    assert response.status_code == 200
    assert response.json()["person_id"] == researcher.pk
    assert client.get("/api/v1/integrity/people/999999/effort").status_code == 404


def test_the_api_needs_credentials(client, people):
    assert client.get("/api/v1/me/effort").status_code == 401


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_ledger_page_renders_in_both_languages_with_its_table_headers(client, people, lang):
    client.force_login(people[0])
    with translation.override(lang):
        url = reverse("integrity-effort:mine")
    assert url.startswith(f"/{lang}/integrity/effort/")
    response = client.get(url + "?percent=41")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in body
    assert body.count('<th scope="col">') == 7
    assert '<th scope="row">' in body
