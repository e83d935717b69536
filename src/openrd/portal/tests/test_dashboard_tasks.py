"""Each provider of "My tasks": tasks appear and disappear with the state of the
work, only for the person they await, at a bounded number of queries."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone, translation

from openrd.accounts.models import Role
from openrd.accounts.services import assign_role, upsert_organisation
from openrd.accounts.tests.factories import UserFactory
from openrd.core import my_tasks
from openrd.core.my_tasks import Urgency, count_for, tasks_for, total
from openrd.integrity.services import pledge, save_disclosure
from openrd.programs.follow import follow_program
from openrd.programs.models import Program
from openrd.programs.services import close_call
from openrd.proposals import services
from openrd.proposals.tests.conftest import (
    PDF,
    disclose_and_pledge,
    make_call,
)
from openrd.proposals.tests.test_services import COMPLETE, draft

pytestmark = pytest.mark.django_db


def kinds(user, kind, now=None):
    return [t for t in tasks_for(user, now) if t.kind == kind]


def titles(user, kind, now=None):
    return [str(t.title) for t in kinds(user, kind, now)]


# ---------------------------------------------------------------- drafts


def test_a_draft_appears_with_its_calls_deadline_and_goes_once_submitted(world):
    p = draft(world)
    (task,) = kinds(world.applicant, "proposals.draft")
    assert (task.title, task.detail) == ("量子センサの実証", world.call.title)
    assert task.url == f"/ja/proposals/{p.pk}/"
    assert task.due_at == world.call.closes_at
    assert task.urgency == Urgency.NORMAL  # ten days left
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    assert kinds(world.applicant, "proposals.draft") == []


def test_a_draft_near_or_past_its_deadline_is_urgent_then_overdue(world):
    p = draft(world)
    closes = world.call.closes_at
    (task,) = kinds(world.applicant, "proposals.draft", now=closes - timedelta(hours=5))
    assert task.urgency == Urgency.URGENT
    (task,) = kinds(world.applicant, "proposals.draft", now=closes + timedelta(seconds=1))
    assert (task.urgency, task.url) == (Urgency.OVERDUE, f"/ja/proposals/{p.pk}/")


def test_a_draft_in_a_call_closed_early_says_so_instead_of_a_countdown(world):
    draft(world)
    close_call(world.call, actor=world.nedo_staff)
    with translation.override("en"):
        (task,) = kinds(world.applicant, "proposals.draft")
    assert (task.due_at, task.urgency) == (None, Urgency.OVERDUE)
    assert task.detail == "The call has closed; it no longer takes proposals."


def test_another_persons_drafts_never_appear(world):
    draft(world)  # with world.co_investigator as co-investigator
    for person in (world.co_investigator, world.stranger, world.officer, world.nedo_staff):
        assert kinds(person, "proposals.draft") == []
        assert all("量子センサ" not in str(t.title) for t in tasks_for(person))


def test_a_withdrawn_draft_disappears(world):
    p = draft(world)
    services.withdraw_proposal(p, actor=world.applicant)
    assert kinds(world.applicant, "proposals.draft") == []


# ---------------------------------------------------------------- endorsement and returns


def test_a_submission_awaits_the_officers_endorsement_and_goes_once_endorsed(world):
    p = draft(world)
    assert kinds(world.officer, "proposals.endorsement") == []  # a draft is not theirs to see
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    (task,) = kinds(world.officer, "proposals.endorsement")
    assert (task.title, task.url) == ("量子センサの実証", f"/ja/proposals/{p.pk}/")
    assert world.applicant.display_name in str(task.detail)
    assert kinds(world.applicant, "proposals.endorsement") == []
    services.endorse_proposal(p, actor=world.officer)
    assert kinds(world.officer, "proposals.endorsement") == []


def test_only_officers_of_the_proposals_institution_are_asked(world):
    p = draft(world)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    elsewhere = UserFactory(username="officer-elsewhere")
    other = upsert_organisation(code="other-univ", kind="university", name_ja="別大学")
    assign_role(elsewhere, Role.INSTITUTION_OFFICER, organisation=other)
    for person in (elsewhere, world.nedo_staff, world.stranger, world.co_investigator):
        assert kinds(person, "proposals.endorsement") == []


def test_the_officer_reads_the_submitted_title_not_later_edits(world):
    p = draft(world)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    services.return_proposal(p, actor=world.officer, comment="予算の根拠を補ってください")
    p.refresh_from_db()
    services.save_draft(
        p,
        actor=world.applicant,
        revision=p.revision,
        changes=services.DraftChanges(fields={"title_ja": "改題した題名"}),
        partial=True,
    )
    assert kinds(world.officer, "proposals.endorsement") == []  # returned: not awaiting
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k2")
    assert titles(world.officer, "proposals.endorsement") == ["改題した題名"]


def test_a_returned_proposal_appears_with_the_reason_until_submitted_again(world):
    p = draft(world)
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k1")
    assert kinds(world.applicant, "proposals.returned") == []
    services.return_proposal(p, actor=world.officer, comment="予算の根拠を補ってください")
    (task,) = kinds(world.applicant, "proposals.returned")
    assert task.detail == "予算の根拠を補ってください"
    assert (task.url, task.due_at) == (f"/ja/proposals/{p.pk}/", world.call.closes_at)
    assert kinds(world.applicant, "proposals.draft") == []
    assert kinds(world.stranger, "proposals.returned") == []
    assert kinds(world.co_investigator, "proposals.returned") == []
    p.refresh_from_db()
    services.save_draft(
        p,
        actor=world.applicant,
        revision=p.revision,
        changes=services.DraftChanges(fields={"abstract_ja": "根拠を補った概要"}),
        partial=True,
    )
    services.submit_proposal(p, actor=world.applicant, idempotency_key="k2")
    assert kinds(world.applicant, "proposals.returned") == []


# ---------------------------------------------------------------- the pledge


def test_a_researcher_without_a_pledge_is_asked_for_one(world):
    (task,) = kinds(world.stranger, "integrity.pledge")
    assert task.url == "/ja/disclosures/"
    assert kinds(world.officer, "integrity.pledge") == []  # not a researcher, nothing to pledge
    assert kinds(world.applicant, "integrity.pledge") == []  # pledged today


def test_a_disclosure_changed_since_the_pledge_must_be_pledged_again(world):
    disclose_and_pledge(world.co_investigator)
    assert kinds(world.co_investigator, "integrity.pledge") == []
    save_disclosure(world.co_investigator, actor=world.co_investigator, fundings=[], positions=[])
    (task,) = kinds(world.co_investigator, "integrity.pledge")
    assert "2" in str(task.detail)  # its version 2
    pledge(world.co_investigator, actor=world.co_investigator)
    assert kinds(world.co_investigator, "integrity.pledge") == []


def test_a_pledge_over_a_year_old_is_due_and_a_renewed_one_is_not(world):
    person = world.co_investigator
    long_ago = timezone.now() - timedelta(days=366)
    with mock.patch("openrd.integrity.services.timezone.now", return_value=long_ago):
        disclose_and_pledge(person)
    (task,) = kinds(person, "integrity.pledge")
    assert task.urgency == Urgency.OVERDUE
    assert task.due_at == long_ago + timedelta(days=365)
    # A day short of the year, nothing is due yet: the same rule as the reminders.
    assert kinds(person, "integrity.pledge", now=long_ago + timedelta(days=364)) == []
    save_disclosure(person, actor=person, fundings=[], positions=[])
    pledge(person, actor=person)
    assert kinds(person, "integrity.pledge") == []


# ---------------------------------------------------------------- followed programs


def test_open_calls_of_followed_programs_appear_closed_and_unfollowed_ones_do_not(world):
    person = world.stranger
    assert kinds(person, "programs.open_call") == []
    follow_program(person, "sbir")
    (task,) = kinds(person, "programs.open_call")
    assert (task.title, task.url) == (world.call.title, f"/ja/calls/{world.call.pk}/")
    assert task.due_at == world.call.closes_at
    other = Program.objects.exclude(code="sbir").first()
    make_call(program=other, topic=None, code="not-followed")
    make_call(code="sbir-draft", status="draft")
    make_call(code="sbir-upcoming", opens_at=timezone.now() + timedelta(days=2))
    make_call(code="sbir-past", opens_at=timezone.now() - timedelta(days=9),
              closes_at=timezone.now() - timedelta(days=1))  # fmt: skip
    assert [t.url for t in kinds(person, "programs.open_call")] == [task.url]
    close_call(world.call, actor=world.nedo_staff)
    assert kinds(person, "programs.open_call") == []
    assert kinds(world.applicant, "programs.open_call") == []  # follows nothing


# ---------------------------------------------------------------- cost


def _busy(world, n):
    """n drafts, n submissions awaiting the officer, n open followed calls."""
    follow_program(world.applicant, "sbir")
    follow_program(world.officer, "sbir")
    for i in range(n):
        call = make_call(code=f"busy-{n}-{i}")
        services.create_proposal(actor=world.applicant, call=call, changes=COMPLETE)
        colleague = UserFactory(
            organisation=world.startup,
            roles=[Role.RESEARCHER],
            erad_researcher_number=f"9{n}{i:06d}",
        )
        disclose_and_pledge(colleague)
        p = services.create_proposal(actor=colleague, call=call, changes=COMPLETE)
        services.attach_document(
            p,
            actor=colleague,
            document_code="plan",
            upload=PDF,
            filename="plan.pdf",
        )
        services.submit_proposal(p, actor=colleague, idempotency_key=f"busy-{i}")


@pytest.mark.parametrize("person", ["applicant", "officer"])
def test_the_tasks_cost_the_same_few_queries_however_many_rows(
    world, person, django_assert_max_num_queries, django_assert_num_queries
):
    def fresh():
        # A new request object: nothing the previous count read is kept.
        return type(getattr(world, person)).objects.get(pk=getattr(world, person).pk)

    _busy(world, 1)
    # A fixed few queries per provider, whatever the rows (the checklist adds one).
    with django_assert_max_num_queries(10) as few:
        assert tasks_for(fresh())
    _busy(world, 6)
    with django_assert_num_queries(len(few.captured_queries)):
        tasks = tasks_for(fresh())
    assert len(tasks) >= 6


@pytest.mark.parametrize("person", ["applicant", "officer"])
def test_the_header_count_is_the_number_of_tasks_shown(world, person):
    _busy(world, 3)
    someone = getattr(world, person)
    assert count_for(someone) == total(tasks_for(someone)) > 0


def test_the_officers_header_count_takes_one_count_not_a_row_per_task(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _busy(world, 4)
    officer = type(world.officer).objects.get(pk=world.officer.pk)
    expected = total(tasks_for(officer))
    assert len(kinds(officer, "proposals.endorsement")) >= 4

    def built(user, now):
        raise AssertionError("the endorsement tasks were built for the count")

    with (
        mock.patch.dict(my_tasks._providers, {"proposals.endorsement": built}),
        CaptureQueriesContext(connection) as asked,
    ):
        assert count_for(officer) == expected
    assert sum("COUNT(" in q["sql"].upper() for q in asked.captured_queries) == 1


def test_someone_with_no_role_costs_one_query_per_provider(world, django_assert_num_queries):
    visitor = UserFactory(username="no-role")
    # Own proposals, roles (then kept), latest disclosure, followed programs,
    # invitations awaiting an answer.
    with django_assert_num_queries(5):
        assert tasks_for(visitor) == []


@pytest.mark.parametrize("person", ["applicant", "officer"])
def test_the_dashboard_page_and_the_tasks_api_cost_no_more_with_more_tasks(
    client, world, person, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(getattr(world, person))
    _busy(world, 1)
    client.get("/ja/dashboard/")  # the session is settled
    with CaptureQueriesContext(connection) as page_few:
        few_page = client.get("/ja/dashboard/").content.decode()
    with CaptureQueriesContext(connection) as api_few:
        few_items = client.get("/api/v1/me/tasks").json()["items"]
    _busy(world, 6)
    with django_assert_max_num_queries(len(page_few)):
        many_page = client.get("/ja/dashboard/").content.decode()
    with django_assert_max_num_queries(len(api_few)):
        many_items = client.get("/api/v1/me/tasks").json()["items"]
    # The rows did grow: each of the six new calls brought its own task.
    assert len(many_items) >= len(few_items) + 6
    assert many_page.count('class="card task') >= few_page.count('class="card task') + 6
