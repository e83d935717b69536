"""This fiscal year's integrity checklists on "My tasks": due for a researcher and for
each institution an officer fills in, a draft named as such, gone once completed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from openrd.core.fiscal import tokyo_datetime
from openrd.core.my_tasks import tasks_for
from openrd.integrity.checklists.my_tasks import CHECKLIST
from openrd.integrity.checklists.services import complete_checklist, save_checklist_draft
from openrd.integrity.rules.checklists import load_templates, template_in_force
from openrd.proposals.tests import conftest as proposal_fixtures
from openrd.proposals.tests.conftest import World

pytestmark = pytest.mark.django_db

# The proposals' test world, offered here by name as a fixture.
world = proposal_fixtures.world


def all_yes(kind: str) -> dict[str, dict[str, str]]:
    template = template_in_force(load_templates(), kind, timezone.localdate())
    assert template is not None
    return {item.code: {"answer": "yes", "note": ""} for item in template.items}


def checklist_tasks(user, now=None):
    with translation.override("en"):
        return [
            (str(t.title), str(t.detail), t.url)
            for t in tasks_for(user, now)
            if t.kind == CHECKLIST
        ]


def en(name: str, *args: object) -> str:
    with translation.override("en"):
        return reverse(f"integrity-checklists:{name}", args=args)


def test_a_researcher_without_this_years_checklist_is_asked_to_complete_it(world: World):
    # 1 April 2027 in Tokyo is already fiscal year 2027, though it is still 31 March in UTC.
    now = tokyo_datetime(2027, 4, 1, 0, 30)
    assert checklist_tasks(world.applicant, now) == [
        (
            "Complete your research-integrity checklist",
            "Not started yet for FY2027 (Reiwa 9).",
            en("mine"),
        )
    ]


def test_a_saved_draft_says_it_is_not_completed_yet(world: World):
    save_checklist_draft(
        actor=world.applicant, person=world.applicant, answers={"R-1": {"answer": "yes"}}
    )
    [(title, detail, url)] = checklist_tasks(world.applicant)
    assert title == "Complete your research-integrity checklist"
    assert detail.startswith("A draft is saved for FY")
    assert detail.endswith("but not completed yet.")
    assert url == en("mine")


def test_the_task_goes_once_the_checklist_is_completed_and_comes_back_next_fiscal_year(
    world: World,
):
    row = complete_checklist(
        actor=world.applicant, person=world.applicant, answers=all_yes("researcher")
    )
    assert checklist_tasks(world.applicant) == []
    # Another researcher's checklist is theirs alone.
    assert len(checklist_tasks(world.stranger)) == 1
    next_year = tokyo_datetime(row.fiscal_year + 1, 4, 1, 9)
    assert [t[0] for t in checklist_tasks(world.applicant, next_year)] == [
        "Complete your research-integrity checklist"
    ]
    assert checklist_tasks(world.applicant, next_year - timedelta(hours=10)) == []


def test_someone_who_is_not_a_researcher_or_officer_gets_no_checklist_task(world: World):
    assert checklist_tasks(world.nedo_staff) == []
    assert checklist_tasks(world.jst_staff) == []


def test_an_officer_is_asked_for_their_institutions_checklist_until_it_is_completed(
    world: World,
):
    [(title, detail, url)] = checklist_tasks(world.officer)
    assert title == f"Complete the research-integrity checklist of {world.startup.name_ja}"
    assert detail.startswith("Not started yet for FY")
    assert url == en("institution", world.startup.pk)
    save_checklist_draft(
        actor=world.officer, organisation=world.startup, answers={"I-1": {"answer": "yes"}}
    )
    [(_title, detail, _url)] = checklist_tasks(world.officer)
    assert detail.startswith("A draft is saved for FY")
    complete_checklist(
        actor=world.officer, organisation=world.startup, answers=all_yes("institution")
    )
    assert checklist_tasks(world.officer) == []
    # The institution's checklist is not the researcher's own.
    assert len(checklist_tasks(world.applicant)) == 1


def test_the_dashboard_lists_the_checklist_task_with_its_link(client, world: World):
    client.force_login(world.applicant)
    link = f'href="{en("mine")}"'
    page = client.get("/en/dashboard/").content.decode()
    assert "Research-integrity checklists" in page
    assert "Complete your research-integrity checklist" in page
    assert link in page
    complete_checklist(actor=world.applicant, person=world.applicant, answers=all_yes("researcher"))
    page = client.get("/en/dashboard/").content.decode()
    assert "Complete your research-integrity checklist" not in page
    assert "Research-integrity checklists" not in page


def test_an_officer_gets_one_task_per_institution_that_keeps_a_checklist(world: World):
    from openrd.accounts.models import Organisation, Role
    from openrd.accounts.services import assign_role, upsert_organisation

    second = upsert_organisation(code="hoshi", kind="university", name_ja="星大学")
    assign_role(world.officer, Role.INSTITUTION_OFFICER, organisation=second)
    # An agency keeps no institution checklist, whatever role is held there.
    agency = Organisation.objects.get(code="nedo")
    assign_role(world.officer, Role.INSTITUTION_OFFICER, organisation=agency)
    urls = [url for _t, _d, url in checklist_tasks(world.officer)]
    assert urls == [en("institution", second.pk), en("institution", world.startup.pk)]
    complete_checklist(actor=world.officer, organisation=second, answers=all_yes("institution"))
    assert [url for _t, _d, url in checklist_tasks(world.officer)] == [
        en("institution", world.startup.pk)
    ]


@pytest.mark.parametrize(("who", "queries"), [("nedo_staff", 0), ("applicant", 1), ("officer", 1)])
def test_the_provider_costs_at_most_one_query(
    world: World, who, queries, django_assert_num_queries
):
    from openrd.integrity.checklists.my_tasks import checklist_tasks as provider

    person = type(getattr(world, who)).objects.get(pk=getattr(world, who).pk)
    person.role_codes()  # read once per request by every provider
    with django_assert_num_queries(queries):
        assert len(provider(person, timezone.now())) == (0 if who == "nedo_staff" else 1)
