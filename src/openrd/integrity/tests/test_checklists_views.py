"""Checklist pages: the researcher's own, the officer's institution's, the agencies' list;
everyone else gets 404."""

import pytest
from django.urls import reverse
from django.utils import translation

from openrd.integrity.checklists.queries import institution_checklist, researcher_checklist
from openrd.integrity.rules.checklists import checklist_fiscal_year
from openrd.proposals.tests import conftest as proposal_fixtures
from openrd.proposals.tests.conftest import World

pytestmark = pytest.mark.django_db

# The proposals' test world, offered here by name as a fixture.
world = proposal_fixtures.world


def url(name, **kwargs):
    with translation.override("en"):
        return reverse(f"integrity-checklists:{name}", kwargs=kwargs)


def test_a_bad_answer_is_shown_beside_its_item_and_what_was_typed_is_kept(client, world: World):
    client.force_login(world.applicant)
    response = client.post(
        url("mine"),
        {"action": "complete", "answer-R-1": "no", "note-R-2": "兼業は報告済み"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Answer this item." in html
    assert "兼業は報告済み" in html
    assert researcher_checklist(world.applicant, checklist_fiscal_year_now()) is None


def checklist_fiscal_year_now():
    from django.utils import timezone

    return checklist_fiscal_year(timezone.now())


def test_a_draft_is_saved_and_shown_again(client, world: World):
    client.force_login(world.applicant)
    response = client.post(url("mine"), {"action": "save", "answer-R-1": "yes"})
    assert response.status_code == 302
    row = researcher_checklist(world.applicant, checklist_fiscal_year_now())
    assert row.answers == {"R-1": {"answer": "yes", "note": ""}}
    assert 'value="yes" checked' in client.get(url("mine")).content.decode()


def test_the_officer_fills_in_their_institutions_checklist(client, world: World):
    client.force_login(world.officer)
    assert client.get(url("institutions")).status_code == 302
    page = url("institution", pk=world.startup.pk)
    assert client.post(page, {"action": "save", "answer-I-1": "yes"}).status_code == 302
    assert institution_checklist(world.startup, checklist_fiscal_year_now()) is not None


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("officer", "mine"),
        ("applicant", "institutions"),
        ("applicant", "institution"),
        ("stranger", "institution"),
        ("applicant", "completion"),
        ("officer", "completion"),
    ],
)
def test_others_get_404(client, world: World, who, name):
    client.force_login(getattr(world, who))
    kwargs = {"pk": world.startup.pk} if name == "institution" else {}
    assert client.get(url(name, **kwargs)).status_code == 404


def test_agency_staff_see_every_institutions_status_as_text(client, world: World):
    client.force_login(world.nedo_staff)
    response = client.get(url("completion"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.startup.name_ja in html
    assert "Not started" in html
