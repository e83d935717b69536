"""The reviewer's pages: answering a request, reading, scoring, and nothing more."""

from __future__ import annotations

from datetime import date

import pytest

from openrd.accounts.models import Affiliation
from openrd.core.models import AuditEntry
from openrd.core.my_tasks import count_for, tasks_for
from openrd.proposals.models import Proposal
from openrd.review import services
from openrd.review.models import AssignmentStatus, ReviewAssignment
from openrd.review.my_tasks import REQUEST, TO_WRITE

pytestmark = pytest.mark.django_db

CANARY = "カナリア-7f3a-機密"


@pytest.fixture
def invited(reviewing):
    # A phrase only the proposal's content holds: wherever it appears, the content leaked.
    for p in reviewing.proposals:
        version = p.latest_endorsed_version
        version.content = version.content | {"abstract_ja": f"{CANARY} の概要"}
        version.save(update_fields=["content"])
    services.auto_assign(reviewing.round, actor=reviewing.world.nedo_staff)
    services.open_round(reviewing.round, actor=reviewing.world.nedo_staff)
    return ReviewAssignment.objects.select_related("reviewer").order_by("id").first()


def page(client, user, url, **post):
    client.force_login(user)
    return client.post(url, post) if post else client.get(url)


def accept_on_the_page(client, assignment):
    return page(
        client,
        assignment.reviewer,
        f"/ja/reviews/{assignment.pk}/answer/",
        decision="accept",
        no_conflict="on",
        confidentiality="on",
    )


def test_the_list_shows_the_reviewers_own_requests(client, reviewing, invited):
    body = page(client, invited.reviewer, "/ja/reviews/").content.decode()
    assert f'data-assignment="{invited.pk}"' in body
    others = ReviewAssignment.objects.exclude(reviewer=invited.reviewer)
    for other in others:
        assert f'data-assignment="{other.pk}"' not in body


def test_before_accepting_the_proposal_stays_closed(client, reviewing, invited):
    response = page(client, invited.reviewer, f"/ja/reviews/{invited.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert CANARY not in body
    assert 'name="no_conflict"' in body
    assert page(client, invited.reviewer, f"/ja/reviews/{invited.pk}/pdf").status_code == 404


def test_accepting_without_the_two_ticks_names_both_in_japanese(client, reviewing, invited):
    response = page(
        client, invited.reviewer, f"/ja/reviews/{invited.pk}/answer/", decision="accept"
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert "利害関係" in body
    assert "守秘" in body
    assert ReviewAssignment.objects.get(pk=invited.pk).status == AssignmentStatus.INVITED


def test_once_accepted_the_reviewer_reads_and_scores(client, reviewing, invited):
    assert accept_on_the_page(client, invited).status_code == 302
    body = page(client, invited.reviewer, f"/ja/reviews/{invited.pk}/").content.decode()
    assert CANARY in body
    assert 'name="score_novelty"' in body
    refused = page(
        client,
        invited.reviewer,
        f"/ja/reviews/{invited.pk}/save/",
        action="submit",
        score_novelty="5",
        comment="途中",
    )
    assert refused.status_code == 422
    kept = refused.content.decode()
    # What was typed comes back in the form, beside the reasons.
    assert ">途中</textarea>" in kept
    assert '<option value="5" selected>' in kept
    assert 'data-code="review.score_missing"' in kept
    done = page(
        client,
        invited.reviewer,
        f"/ja/reviews/{invited.pk}/save/",
        action="submit",
        score_novelty="5",
        score_feasibility="4",
        score_impact="3",
        comment="良い提案です。",
    )
    assert done.status_code == 302
    assert ReviewAssignment.objects.get(pk=invited.pk).status == AssignmentStatus.SUBMITTED


def test_the_attachment_and_the_pdf_are_served_only_for_an_accepted_assignment(
    client, reviewing, invited
):
    sha = invited.proposal.latest_endorsed_version.content["attachments"][0]["sha256"]
    url = f"/ja/reviews/{invited.pk}/files/{sha}/"
    assert page(client, invited.reviewer, url).status_code == 404
    accept_on_the_page(client, invited)
    response = page(client, invited.reviewer, url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    unknown = f"/ja/reviews/{invited.pk}/files/{'0' * 64}/"
    assert page(client, invited.reviewer, unknown).status_code == 404


def test_another_persons_assignment_is_a_404_and_audited(client, reviewing, invited):
    other = next(r for r in reviewing.reviewers if r.pk != invited.reviewer_id)
    for suffix in ("", "pdf", f"files/{'0' * 64}/"):
        assert page(client, other, f"/ja/reviews/{invited.pk}/{suffix}").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", actor=other).exists()


def test_a_conflicted_proposal_leaks_through_no_reviewer_page(client, reviewing, invited):
    accept_on_the_page(client, invited)
    sha = invited.proposal.latest_endorsed_version.content["attachments"][0]["sha256"]
    # A conflict found after the reviewer accepted: from now on nothing of it shows.
    Affiliation.objects.create(
        person=invited.reviewer,
        organisation=reviewing.world.startup,
        kind="visiting",
        start_date=date(2024, 4, 1),
    )
    services.compute_conflicts(reviewing.round, actor=reviewing.world.nedo_staff)
    title = Proposal.objects.get(pk=invited.proposal_id).endorsed_title_ja
    listed = page(client, invited.reviewer, "/ja/reviews/").content.decode()
    assert f'data-assignment="{invited.pk}"' not in listed
    for url in (
        f"/ja/reviews/{invited.pk}/",
        f"/ja/reviews/{invited.pk}/pdf",
        f"/ja/reviews/{invited.pk}/files/{sha}/",
        f"/en/reviews/{invited.pk}/",
    ):
        response = page(client, invited.reviewer, url)
        assert response.status_code == 404, url
        assert CANARY.encode() not in response.content
    dashboard = page(client, invited.reviewer, "/ja/dashboard/").content.decode()
    assert CANARY not in dashboard
    assert f"/reviews/{invited.pk}/" not in dashboard
    assert title  # the check above would pass vacuously without a title to hide


def test_the_dashboard_shows_requests_then_reviews_to_write(client, reviewing, invited):
    reviewer = invited.reviewer
    kinds = [t.kind for t in tasks_for(reviewer)]
    assert REQUEST in kinds
    assert count_for(reviewer) == len(tasks_for(reviewer))
    accept_on_the_page(client, invited)
    after = [t for t in tasks_for(reviewer) if t.url.endswith(f"/reviews/{invited.pk}/")]
    assert [t.kind for t in after] == [TO_WRITE]
    body = page(client, reviewer, "/ja/dashboard/").content.decode()
    assert f"/ja/reviews/{invited.pk}/" in body


def test_declaring_a_conflict_on_the_page_closes_the_proposal_for_good(client, reviewing, invited):
    response = page(
        client, invited.reviewer, f"/ja/reviews/{invited.pk}/answer/",
        decision="conflict", reason="指導学生が共同研究者",
    )  # fmt: skip
    assert response.status_code == 302
    assert ReviewAssignment.objects.get(pk=invited.pk).status == AssignmentStatus.DECLINED
    assert page(client, invited.reviewer, f"/ja/reviews/{invited.pk}/").status_code == 404
