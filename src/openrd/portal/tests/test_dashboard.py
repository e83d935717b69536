"""The "My tasks" page, where sign-in lands, its count in the header and its API."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from openrd.accounts.models import Role, TokenScope
from openrd.accounts.services import issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.integrity.checklists.services import complete_checklist
from openrd.integrity.tests.test_checklists_tasks import all_yes
from openrd.programs.follow import follow_program
from openrd.proposals import services
from openrd.proposals.tests.conftest import (
    disclose_and_pledge,
    make_call,
)
from openrd.proposals.tests.test_services import draft

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("checklists_done")]

RIGHT = "correct-horse-battery"


def test_the_dashboard_needs_a_sign_in(client):
    response = client.get("/ja/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/ja/accounts/login/?next=/ja/dashboard/")


def test_nothing_to_do_says_so_and_offers_the_researchers_next_steps_in_japanese(client, world):
    client.force_login(world.applicant)  # pledged, no draft, follows nothing
    page = client.get("/ja/dashboard/").content.decode()
    assert "<h1>やること</h1>" in page
    assert "現在対応が必要なことはありません" in page
    assert 'href="/ja/calls/?status=open"' in page
    assert 'href="/ja/disclosures/"' in page
    # The drafts section is there, empty, pointing to the open calls.
    assert "作成中の下書きはありません。" in page
    assert "機関承認を待っている提案書" not in page  # not an officer


def test_an_officers_empty_dashboard_points_to_the_institutions_proposals(client, world):
    client.force_login(world.officer)
    page = client.get("/en/dashboard/").content.decode()
    assert "Nothing needs your attention right now." in page
    assert "No proposal awaits your institution&#x27;s endorsement." in page
    assert 'href="/en/proposals/"' in page
    assert "Drafts to finish" not in page  # not a researcher


def test_tasks_are_listed_by_section_with_counts_links_and_countdowns(client, world):
    p = draft(world)
    other = make_call(code="sbir-second", closes_at=timezone.now() + timedelta(hours=4, minutes=30))
    follow_program(world.applicant, "sbir")
    client.force_login(world.applicant)
    page = client.get("/en/dashboard/").content.decode()
    assert "2 things await you." in page
    assert "Drafts to finish" in page
    assert f'href="/en/proposals/{p.pk}/"' in page
    assert "量子センサの実証" in page
    assert "10 days left" in page  # the call closes ten days from now
    assert "Open calls of programs you follow" in page
    assert f'href="/en/calls/{other.pk}/"' in page
    assert "4 hours left" in page
    # The call already applied to is the draft's, not listed again as open.
    assert f'href="/en/calls/{world.call.pk}/"' not in page
    assert "Nothing needs your attention" not in page


def test_a_returned_proposal_shows_the_reason_on_the_japanese_page(client, world):
    p = draft(world)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    services.return_proposal(p, actor=world.officer, comment="予算の根拠を補ってください")
    client.force_login(world.applicant)
    page = client.get("/ja/dashboard/").content.decode()
    assert "所属機関から差し戻された提案書" in page
    assert "差戻しの理由" in page
    assert "予算の根拠を補ってください" in page
    assert "締切まであと" in page


def test_an_overdue_pledge_says_the_deadline_has_passed(client, world):
    person = world.co_investigator
    long_ago = timezone.now() - timedelta(days=400)
    with mock.patch("openrd.integrity.services.timezone.now", return_value=long_ago):
        disclose_and_pledge(person)
    client.force_login(person)
    page = client.get("/ja/dashboard/").content.decode()
    assert "開示の誓約を更新してください" in page
    assert "締切を過ぎました" in page


# ---------------------------------------------------------------- sign-in lands here


def _login(client, lang="ja", **extra):
    with translation.override(lang):
        url = reverse("accounts:login")
    return client.post(url, {"username": "kenkyu", "password": RIGHT, **extra})


def test_signing_in_lands_on_the_dashboard_in_the_pages_language(client):
    UserFactory(username="kenkyu")
    assert _login(client)["Location"] == "/ja/dashboard/"
    client.logout()
    assert _login(client, "en")["Location"] == "/en/dashboard/"


def test_a_next_address_still_wins_over_the_dashboard(client):
    UserFactory(username="kenkyu")
    assert _login(client, next="/ja/programs/sbir/")["Location"] == "/ja/programs/sbir/"


# ---------------------------------------------------------------- the header


def test_the_header_links_to_my_tasks_with_the_count(client, world):
    draft(world)
    client.force_login(world.applicant)
    page = client.get("/ja/programs/").content.decode()
    assert 'href="/ja/dashboard/">やること <span class="badge"' in page
    assert ">1</span>" in page
    services.withdraw_proposal(world.applicant.proposals.get(), actor=world.applicant)
    page = client.get("/ja/programs/").content.decode()
    assert 'href="/ja/dashboard/">やること</a>' in page  # no badge once nothing is left


def test_visitors_have_no_tasks_link(client):
    page = client.get("/ja/programs/").content.decode()
    assert "/ja/dashboard/" not in page


def _queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return [q["sql"] for q in captured.captured_queries]


def test_the_header_count_costs_a_few_queries_and_the_dashboard_asks_once(client, world, settings):
    draft(world)
    follow_program(world.applicant, "sbir")
    client.force_login(world.applicant)
    client.get("/ja/programs/")  # the session is settled
    with_count = len(_queries(client, "/ja/programs/"))
    engine = settings.TEMPLATES[0]
    processors = [p for p in engine["OPTIONS"]["context_processors"] if "my_tasks" not in p]
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine["OPTIONS"], "context_processors": processors}}
    ]
    without = len(_queries(client, "/ja/programs/"))
    # One query per provider that concerns an applicant, whatever their number of
    # tasks: the pledge, the checklist, followed programs' calls, invitations, own
    # proposals, the reports of awards they lead, their outputs not yet open, and
    # the counts besides them.
    assert 0 < with_count - without <= 8
    settings.TEMPLATES = [engine]
    # The dashboard gathers the tasks once: the header reuses its count.
    followed = [s for s in _queries(client, "/ja/dashboard/") if "notifications_subscription" in s]
    assert len(followed) == 1


# ---------------------------------------------------------------- API


def test_the_api_lists_the_same_tasks_for_the_signed_in_user(client, world):
    p = draft(world)
    assert client.get("/api/v1/me/tasks").status_code == 401
    client.force_login(world.applicant)
    body = client.get("/api/v1/me/tasks", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["kind"] == "proposals.draft"
    assert item["title"] == "量子センサの実証"
    assert item["url"] == f"/en/proposals/{p.pk}/"  # in the language asked for
    assert item["detail"] == "SBIR Phase 1 test call"
    assert item["due_at"] is not None
    assert item["countdown"] == "10 days left"
    assert (item["urgency"], item["count"]) == ("normal", None)


def test_the_api_answers_a_token_and_shows_nobody_elses_tasks(client, world):
    draft(world)
    _token, raw = issue_api_token(world.stranger, name="r", scope=TokenScope.READ)
    body = client.get("/api/v1/me/tasks", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    # No pledge and no checklist yet.
    assert [i["kind"] for i in body["items"]] == ["integrity.pledge", "integrity.checklist"]
    assert "量子センサ" not in str(body)
    officer = UserFactory(roles=[Role.RESEARCHER])
    disclose_and_pledge(officer)
    complete_checklist(actor=officer, person=officer, answers=all_yes("researcher"))
    client.force_login(officer)
    assert client.get("/api/v1/me/tasks").json() == {"count": 0, "items": []}
