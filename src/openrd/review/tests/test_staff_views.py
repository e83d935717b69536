"""The agency staff's pages for review rounds: who reaches them, the round's steps
on the page, the panel's numbers and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from openrd.core.models import AuditEntry
from openrd.review import services
from openrd.review.models import (
    LIVE_ASSIGNMENT_STATES,
    AssignmentStatus,
    ReviewAssignment,
    ReviewRound,
    RoundStatus,
)
from openrd.review.tests.conftest import endorsed

pytestmark = pytest.mark.django_db

HEADER = [
    "Rank",
    "Proposal ID",
    "Receipt number",
    "Title",
    "Institution",
    "Reviews submitted",
    "Reviewers assigned",
    "Mean",
    "Median",
    "Spread",
    "Reviewers disagree",
]


def ja(msgid: str) -> str:
    # The catalog's Japanese, whatever its wording: the pages must use the catalog.
    with translation.override("ja"):
        return translation.gettext(msgid)


SCORES = ("novelty", "feasibility", "impact")


def page(client, user, url, **post):
    client.force_login(user)
    return client.post(url, post) if post else client.get(url)


def body(response) -> str:
    return response.content.decode()


def rounds_url(review_round, suffix=""):
    return f"/ja/reviews/rounds/{review_round.pk}/{suffix}"


def live(review_round):
    return ReviewAssignment.objects.filter(
        round=review_round, status__in=LIVE_ASSIGNMENT_STATES
    ).select_related("reviewer")


def review_all(reviewing, sheets):
    """Open the round, then each proposal's reviewers accept and submit the given
    scores (one (novelty, feasibility, impact) per reviewer, in reviewer order)."""
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    services.open_round(reviewing.round, actor=staff)
    for proposal, scores in zip(reviewing.proposals, sheets, strict=True):
        rows = list(live(reviewing.round).filter(proposal=proposal).order_by("reviewer__username"))
        assert len(rows) == len(scores)
        for assignment, triple in zip(rows, scores, strict=True):
            me = assignment.reviewer
            services.accept_assignment(
                assignment, actor=me, confirmed_no_conflict=True, accepted_confidentiality=True
            )
            services.save_review(
                assignment,
                actor=me,
                scores=dict(zip(SCORES, triple, strict=True)),
                comment=f"申請者への講評-{me.username}",
                panel_comment=f"審査会への所見-{me.username}",
                submit=True,
            )


# ------------------------------------------------------------------ who reaches the pages


def test_only_staff_of_the_calls_agency_reach_the_pages(client, reviewing):
    r = reviewing.round
    w = reviewing.world
    assigned = ReviewAssignment.objects.create(
        round=r, proposal=reviewing.proposals[0], reviewer=reviewing.reviewers[0]
    )
    gets = [
        "/ja/reviews/rounds/",
        f"/ja/reviews/rounds/new/?call={w.call.pk}",
        rounds_url(r),
        rounds_url(r, "panel/"),
        rounds_url(r, "panel.csv"),
    ]
    posts = [
        rounds_url(r, "assign/"),
        rounds_url(r, "open/"),
        rounds_url(r, "close/"),
        rounds_url(r, "add/"),
        rounds_url(r, f"assignments/{assigned.pk}/remove/"),
    ]
    # Another agency's staff have a list of their own, without this round in it.
    theirs = body(page(client, w.jst_staff, "/ja/reviews/rounds/"))
    assert f'data-round="{r.pk}"' not in theirs
    assert f"?call={w.call.pk}" not in theirs
    for outsider in (w.jst_staff, reviewing.reviewers[0], w.applicant):
        for url in gets[outsider == w.jst_staff :]:
            assert page(client, outsider, url).status_code == 404, (outsider, url)
        for url in posts:
            response = page(client, outsider, url, proposal=str(reviewing.proposals[0].pk))
            assert response.status_code == 404, (outsider, url)
        assert AuditEntry.objects.filter(
            action="access.denied", actor=outsider, object_id=str(r.pk)
        ).exists(), outsider
    # Nothing was changed by any of those requests.
    assert ReviewRound.objects.get(pk=r.pk).status == RoundStatus.DRAFT
    assert ReviewAssignment.objects.get(pk=assigned.pk).status == AssignmentStatus.PROPOSED
    assert page(client, w.nedo_staff, rounds_url(r)).status_code == 200


def test_the_list_shows_the_round_and_a_call_still_without_one(client, reviewing):
    w = reviewing.world
    response = page(client, w.nedo_staff, "/ja/reviews/rounds/")
    assert response.status_code == 200
    assert f'data-round="{reviewing.round.pk}"' in body(response)
    assert "書面審査" in body(response)
    # The call has its round: no link to make another.
    assert f"rounds/new/?call={w.call.pk}" not in body(response)
    ReviewRound.objects.filter(pk=reviewing.round.pk).delete()
    again = body(page(client, w.nedo_staff, "/ja/reviews/rounds/"))
    assert f"/ja/reviews/rounds/new/?call={w.call.pk}" in again


# ------------------------------------------------------------------ a new round


def test_a_round_is_created_on_the_page(client, reviewing):
    w = reviewing.world
    ReviewRound.objects.filter(pk=reviewing.round.pk).delete()
    url = f"/ja/reviews/rounds/new/?call={w.call.pk}"
    form = page(client, w.nedo_staff, url)
    assert form.status_code == 200
    assert 'type="datetime-local"' in body(form)
    response = page(
        client,
        w.nedo_staff,
        url,
        name_ja="書面審査（第1回）",
        name_en="Document review",
        due_at="2030-04-01T17:00",
        reviewers_per_proposal="3",
        institution_years="2",
    )
    assert response.status_code == 302
    made = ReviewRound.objects.get(call=w.call, stage="document")
    assert response["Location"].endswith(f"/reviews/rounds/{made.pk}/")
    assert made.name_ja == "書面審査（第1回）"
    assert made.reviewers_per_proposal == 3
    assert made.institution_years == 2
    # Typed on Japan's wall clock: 17:00 JST is 08:00 UTC.
    assert made.due_at.isoformat() == "2030-04-01T08:00:00+00:00"
    assert made.created_by == w.nedo_staff


def test_bad_input_is_422_with_each_error_beside_its_field_and_nothing_lost(client, reviewing):
    w = reviewing.world
    ReviewRound.objects.filter(pk=reviewing.round.pk).delete()
    url = f"/ja/reviews/rounds/new/?call={w.call.pk}"
    response = page(
        client,
        w.nedo_staff,
        url,
        name_ja="  ",
        name_en="Typed English name",
        due_at="2030-05-01T10:00",
        reviewers_per_proposal="0",
        institution_years="3",
    )
    text = body(response)
    assert response.status_code == 422
    assert 'id="id_name_ja_error"' in text
    assert "日本語" in text  # the service's sentence, in Japanese
    assert 'id="id_reviewers_per_proposal_error"' in text
    assert 'value="Typed English name"' in text
    assert 'value="0"' in text
    assert 'value="2030-05-01T10:00"' in text
    bad_date = page(
        client,
        w.nedo_staff,
        url,
        name_ja="書面審査",
        name_en="",
        due_at="来週の金曜",
        reviewers_per_proposal="2",
        institution_years="3",
    )
    text = body(bad_date)
    assert bad_date.status_code == 422
    assert 'id="id_due_at_error"' in text
    assert 'value="来週の金曜"' in text
    assert 'value="書面審査"' in text
    assert not ReviewRound.objects.filter(call=w.call).exists()


# ------------------------------------------------------------------ the round's steps


def test_the_assignment_runs_from_the_page_and_explains_the_conflicts(client, reviewing):
    staff = reviewing.world.nedo_staff
    response = page(client, staff, rounds_url(reviewing.round, "assign/"), go="1")
    text = body(response)
    assert response.status_code == 200
    assert 'id="assignment-report"' in text
    made = live(reviewing.round)
    assert made.count() == 4  # two proposals, two reviewers each
    assert not made.filter(reviewer=reviewing.colleague).exists()
    for a in made:
        assert f'data-assignment="{a.pk}"' in text
    # The colleague's conflict, with its explanation, for every proposal.
    conflicts = reviewing.round.conflicts.filter(reviewer=reviewing.colleague)
    assert conflicts.count() >= 2
    for c in conflicts:
        assert c.message_ja in text
    assert "<details>" in text
    assert reviewing.colleague.display_name in text


def test_a_pool_too_small_shows_each_shortfall(client, reviewing):
    staff = reviewing.world.nedo_staff
    for person in reviewing.reviewers[1:]:
        services.save_reviewer(
            person,
            actor=staff,
            research_fields=["量子工学"],
            keywords=["量子", "センサ"],
            max_load=2,
            is_active=False,
        )
    response = page(client, staff, rounds_url(reviewing.round, "assign/"), go="1")
    text = body(response)
    assert response.status_code == 200
    report = services.auto_assign(reviewing.round, actor=staff)  # the same answer again
    assert len(report.shortfalls) == 2
    for s in report.shortfalls:
        assert s.message in text
        assert f'data-code="{s.code}"' in text
    for p in reviewing.proposals:
        assert p.endorsed_title_ja in text


def test_adding_the_conflicted_reviewer_by_hand_is_refused_with_the_grounds(client, reviewing):
    staff = reviewing.world.nedo_staff
    services.compute_conflicts(reviewing.round, actor=staff)
    proposal = reviewing.proposals[0]
    client.force_login(staff)  # a login is audited too: count after it
    before = AuditEntry.objects.count()
    response = client.post(
        rounds_url(reviewing.round, "add/"),
        {"proposal": str(proposal.pk), "reviewer": str(reviewing.colleague.pk)},
    )
    text = body(response)
    assert response.status_code == 409
    assert 'class="error-summary"' in text
    stored = reviewing.round.conflicts.filter(reviewer=reviewing.colleague, proposal=proposal)
    assert stored.exists()
    for c in stored:
        assert f'data-code="{c.code}"' in text
        assert c.message_ja in text
    assert not ReviewAssignment.objects.filter(reviewer=reviewing.colleague).exists()
    assert AuditEntry.objects.count() == before


def test_a_reviewer_is_added_and_removed_by_hand(client, reviewing):
    staff = reviewing.world.nedo_staff
    proposal, person = reviewing.proposals[0], reviewing.reviewers[2]
    added = page(
        client,
        staff,
        rounds_url(reviewing.round, "add/"),
        proposal=str(proposal.pk),
        reviewer=str(person.pk),
    )
    assert added.status_code == 302
    made = ReviewAssignment.objects.get(round=reviewing.round, proposal=proposal, reviewer=person)
    assert made.is_manual
    text = body(page(client, staff, rounds_url(reviewing.round)))
    assert f'data-assignment="{made.pk}"' in text
    assert ja("By hand") in text
    removed = page(client, staff, rounds_url(reviewing.round, f"assignments/{made.pk}/remove/"))
    assert removed.status_code == 405  # a GET never changes anything
    removed = page(
        client, staff, rounds_url(reviewing.round, f"assignments/{made.pk}/remove/"), go="1"
    )
    assert removed.status_code == 302
    assert ReviewAssignment.objects.get(pk=made.pk).status == AssignmentStatus.REMOVED
    nobody = page(
        client, staff, rounds_url(reviewing.round, "add/"), proposal=str(proposal.pk), reviewer=""
    )
    assert nobody.status_code == 422
    assert f'id="id_reviewer_{proposal.pk}_error"' in body(nobody)


def test_opening_invites_and_closing_closes(client, reviewing):
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    opened = page(client, staff, rounds_url(reviewing.round, "open/"), go="1")
    assert opened.status_code == 302
    assert ReviewRound.objects.get(pk=reviewing.round.pk).status == RoundStatus.OPEN
    assert set(live(reviewing.round).values_list("status", flat=True)) == {AssignmentStatus.INVITED}
    # Opening twice is refused inside the round page.
    again = page(client, staff, rounds_url(reviewing.round, "open/"), go="1")
    assert again.status_code == 409
    assert 'class="error-summary"' in body(again)
    assert f'data-assignment="{live(reviewing.round).first().pk}"' in body(again)
    closed = page(client, staff, rounds_url(reviewing.round, "close/"), go="1")
    assert closed.status_code == 302
    assert ReviewRound.objects.get(pk=reviewing.round.pk).status == RoundStatus.CLOSED
    # A closed round assigns no more.
    refused = page(client, staff, rounds_url(reviewing.round, "assign/"), go="1")
    assert refused.status_code == 409
    assert 'data-code="review.round_closed"' in body(refused)


# ------------------------------------------------------------------ the panel and the CSV

# Proposal 0: 100 and 0 (far apart); proposal 1: 75 and 65, so it ranks first.
# Totals: 40·(s−1)/4 + 30·(s−1)/4 + 30·(s−1)/4 on the three criteria.
# (3, 4, 4): 40·2/4 + 30·3/4 + 30·3/4 = 20 + 22.5 + 22.5 = 65.
SHEETS = [[(5, 5, 5), (1, 1, 1)], [(4, 4, 4), (3, 4, 4)]]


@pytest.fixture
def reviewed(reviewing):
    review_all(reviewing, SHEETS)
    services.close_round(reviewing.round, actor=reviewing.world.nedo_staff)
    return reviewing


def test_the_panel_ranks_with_the_computed_numbers_and_names_the_reviewers(client, reviewed):
    staff = reviewed.world.nedo_staff
    response = page(client, staff, rounds_url(reviewed.round, "panel/"))
    text = body(response)
    assert response.status_code == 200
    first, second = reviewed.proposals[1], reviewed.proposals[0]
    # Ranked: (75 + 65) / 2 = 70.0 before (100 + 0) / 2 = 50.0.
    assert f'data-proposal="{first.pk}" data-rank="1"' in text
    assert f'data-proposal="{second.pk}" data-rank="2"' in text
    assert text.index(f'data-proposal="{first.pk}"') < text.index(f'data-proposal="{second.pk}"')
    mean = ja("Mean")
    assert f'<td data-label="{mean}" data-mean>70.0</td>' in text
    assert f'<td data-label="{mean}" data-mean>50.0</td>' in text
    # The spread of 100 and 0 is 50 points: the reviewers disagree, in words and a glyph.
    row_two = text[text.index(f'data-proposal="{second.pk}" data-rank') :]
    row_two = row_two[: row_two.index("</tr>")]
    assert "50.0" in row_two
    assert "data-disagreement" in row_two
    assert "⚠" in row_two
    row_one = text[text.index(f'data-proposal="{first.pk}" data-rank') :]
    row_one = row_one[: row_one.index("</tr>")]
    assert "data-disagreement" not in row_one
    assert "5.0" in row_one  # spread of 75 and 65
    assert ">3.5</td>" in row_one  # novelty: (4 + 3) / 2
    assert "2 / 2" in row_one
    for a in live(reviewed.round):
        assert a.reviewer.display_name in text
        assert f"審査会への所見-{a.reviewer.username}" in text
        assert f"申請者への講評-{a.reviewer.username}" in text
    assert reviewed.colleague.display_name not in text


def test_the_csv_ranks_without_any_reviewer(client, reviewed):
    staff = reviewed.world.nedo_staff
    response = page(client, staff, rounds_url(reviewed.round, "panel.csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], rows[1:]
    assert header[:11] == [ja(h) for h in HEADER]
    assert header[11:] == [
        ja("%(criterion)s (mean)") % {"criterion": c} for c in ("novelty", "feasibility", "impact")
    ]
    assert header[3:5] == ["タイトル", "所属機関"]  # in Japanese on a Japanese page
    first, second = reviewed.proposals[1], reviewed.proposals[0]
    assert [r[1] for r in data] == [str(first.pk), str(second.pk)]
    assert [r[0] for r in data] == ["1", "2"]
    assert data[0][2] == first.latest_endorsed_version.receipt_number
    assert data[0][7:10] == ["70.0", "70.0", "5.0"]
    assert data[0][10] == ""
    assert data[1][7:10] == ["50.0", "50.0", "50.0"]
    assert data[1][10] == ja("yes") == "はい"
    assert data[0][11:] == ["3.5", "4.0", "4.0"]
    people = [a.reviewer for a in live(reviewed.round)] + [reviewed.colleague]
    for person in people:
        for name in (person.username, person.name_ja, person.name_en, person.display_name):
            assert name
            assert name not in text, name
    english = page(client, staff, f"/en/reviews/rounds/{reviewed.round.pk}/panel.csv")
    assert english.content.decode("utf-8-sig").splitlines()[0].split(",")[:11] == HEADER


def test_the_panel_reads_a_bounded_number_of_queries(client, reviewing):
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    client.force_login(staff)
    urls = [rounds_url(reviewing.round, "panel/"), rounds_url(reviewing.round)]

    def counts() -> list[int]:
        found = []
        for url in urls:
            client.get(url)  # warm the caches (session, roles) out of the count
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx.captured_queries))
        return found

    two = counts()
    w = reviewing.world
    endorsed(w, "量子センサの応用", "k3")
    endorsed(w, "量子センサの標準化", "k4")
    services.auto_assign(reviewing.round, actor=staff)
    assert (
        ReviewAssignment.objects.filter(round=reviewing.round).values("proposal").distinct().count()
        >= 3
    )
    assert counts() == two
