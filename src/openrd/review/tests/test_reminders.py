"""Reminders to reviewers (``reminders.remind_reviewers``): who is reminded, of how
much, when (seven Tokyo days before the due date, and after it) and how often
(once per round and ISO week); the daily task and its schedule entry."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from openrd.core.fiscal import TOKYO
from openrd.notifications.delivery import render
from openrd.notifications.models import Notification
from openrd.review import reminders, services, tasks
from openrd.review.models import (
    AssignmentStatus,
    ReviewAssignment,
    ReviewConflict,
    ReviewRound,
    RoundStatus,
)
from openrd.review.rules.conflicts import DECLARED

pytestmark = pytest.mark.django_db

# Tuesday 1 December 2026, 10:00 in Tokyo: the job's run.
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)
LAST_SECOND_OF_DAY_7 = datetime(2026, 12, 8, 23, 59, 59, tzinfo=TOKYO)
FIRST_SECOND_OF_DAY_8 = datetime(2026, 12, 9, 0, 0, tzinfo=TOKYO)


def opened(reviewing) -> list[ReviewAssignment]:
    staff = reviewing.world.nedo_staff
    services.auto_assign(reviewing.round, actor=staff)
    services.open_round(reviewing.round, actor=staff)
    return list(
        ReviewAssignment.objects.filter(round=reviewing.round, status=AssignmentStatus.INVITED)
        .select_related("reviewer")
        .order_by("reviewer__username", "proposal_id")
    )


def due(review_round: ReviewRound, at: datetime) -> None:
    # After the steps taken "now": the due date is then moved around the fixed NOW.
    ReviewRound.objects.filter(pk=review_round.pk).update(due_at=at)


def sent(kind: str = "review.reminder"):
    return Notification.objects.filter(kind=kind).select_related("recipient")


def by_reviewer(assignments):
    found: dict[int, list[ReviewAssignment]] = {}
    for a in assignments:
        found.setdefault(a.reviewer_id, []).append(a)
    return found


def test_every_reviewer_with_work_is_reminded_once_with_the_count_and_the_due_date(reviewing):
    invited = opened(reviewing)
    due(reviewing.round, LAST_SECOND_OF_DAY_7)
    people = by_reviewer(invited)
    assert reminders.remind_reviewers(NOW) == len(people)
    for reviewer_id, rows in people.items():
        (item,) = sent().filter(recipient_id=reviewer_id)
        assert item.context["count"] == len(rows)
        assert item.context["invited"] == len(rows)
        assert item.dedupe_key == f"review.reminder:{reviewing.round.pk}:2026-W49"
        subject, text, _html = render(item, "en")
        assert "Document review" in subject
        assert "8 December 2026 23:59:59 JST" in text  # the due date in Tokyo
        assert "Reviews are due at" in text
        assert "await your answer" in text or "awaits your answer" in text
        _subject, ja_text, _html = render(item, "ja")
        assert "令和8年12月8日 23:59:59（日本時間）" in ja_text
    # The conflicted colleague has no assignment, so no reminder.
    assert not sent().filter(recipient=reviewing.colleague).exists()


def test_a_due_date_eight_days_ahead_is_not_reminded_yet(reviewing):
    opened(reviewing)
    due(reviewing.round, FIRST_SECOND_OF_DAY_8)
    assert reminders.remind_reviewers(NOW) == 0
    assert not sent().exists()
    # The next day it is seven days ahead.
    assert reminders.remind_reviewers(NOW + timedelta(days=1)) > 0


def test_a_past_due_round_still_open_is_reminded_as_overdue(reviewing):
    opened(reviewing)
    due(reviewing.round, NOW - timedelta(days=3))
    assert reminders.remind_reviewers(NOW) > 0
    item = sent().first()
    assert item.context["overdue"] is True
    assert "were due at" in render(item, "en")[1]


def test_at_most_one_reminder_per_round_and_iso_week(reviewing):
    invited = opened(reviewing)
    due(reviewing.round, LAST_SECOND_OF_DAY_7)
    people = len(by_reviewer(invited))
    assert reminders.remind_reviewers(NOW) == people
    assert reminders.remind_reviewers(NOW) == 0  # the job ran twice
    # Sunday 23:59:59 is the same ISO week; Monday 00:00 starts the next.
    assert reminders.remind_reviewers(datetime(2026, 12, 6, 23, 59, 59, tzinfo=TOKYO)) == 0
    assert reminders.remind_reviewers(datetime(2026, 12, 7, 0, 0, tzinfo=TOKYO)) == people
    assert sent().count() == 2 * people


def test_submitted_and_declined_reviews_are_not_counted(reviewing):
    invited = opened(reviewing)
    people = by_reviewer(invited)
    busy = next(rows for rows in people.values() if len(rows) == 2)
    done_first = busy[0]
    me = done_first.reviewer
    for a in busy:
        services.accept_assignment(
            a, actor=me, confirmed_no_conflict=True, accepted_confidentiality=True
        )
    services.save_review(
        done_first,
        actor=me,
        scores={"novelty": 4, "feasibility": 4, "impact": 4},
        comment="講評",
        submit=True,
    )
    declined = next(rows[0] for rows in people.values() if rows[0].reviewer_id != me.pk)
    services.decline_assignment(declined, actor=declined.reviewer)
    due(reviewing.round, LAST_SECOND_OF_DAY_7)
    reminders.remind_reviewers(NOW)
    (mine,) = sent().filter(recipient=me)
    # One accepted review to write; the submitted one is not outstanding.
    assert (mine.context["count"], mine.context["to_write"], mine.context["invited"]) == (1, 1, 0)
    assert "1 accepted review is not submitted yet." in render(mine, "en")[1]
    left = [a for a in people[declined.reviewer_id] if a.pk != declined.pk]
    if left:
        assert sent().get(recipient=declined.reviewer).context["count"] == len(left)
    else:
        assert not sent().filter(recipient=declined.reviewer).exists()


def test_everyone_done_means_no_reminder(reviewing):
    invited = opened(reviewing)
    for a in invited:
        services.decline_assignment(a, actor=a.reviewer)
    due(reviewing.round, LAST_SECOND_OF_DAY_7)
    assert reminders.remind_reviewers(NOW) == 0


def test_closed_and_draft_rounds_are_not_reminded(reviewing):
    opened(reviewing)
    due(reviewing.round, LAST_SECOND_OF_DAY_7)
    ReviewRound.objects.filter(pk=reviewing.round.pk).update(status=RoundStatus.CLOSED)
    assert reminders.remind_reviewers(NOW) == 0
    ReviewRound.objects.filter(pk=reviewing.round.pk).update(status=RoundStatus.DRAFT)
    assert reminders.remind_reviewers(NOW) == 0
    assert not sent().exists()


def test_a_pair_with_a_stored_conflict_is_not_counted(reviewing):
    invited = opened(reviewing)
    first = invited[0]
    mine = [a for a in invited if a.reviewer_id == first.reviewer_id]
    ReviewConflict.objects.create(
        round=reviewing.round,
        proposal=first.proposal,
        reviewer=first.reviewer,
        code=DECLARED,
        source="test",
        message_ja="利害関係",
        message_en="Conflict",
        computed_at=NOW,
    )
    due(reviewing.round, LAST_SECOND_OF_DAY_7)
    reminders.remind_reviewers(NOW)
    if len(mine) == 1:
        assert not sent().filter(recipient=first.reviewer).exists()
    else:
        assert sent().get(recipient=first.reviewer).context["count"] == len(mine) - 1


def test_the_daily_task_reminds_now_and_is_scheduled_at_ten_in_tokyo(reviewing, monkeypatch):
    opened(reviewing)
    seen = []
    monkeypatch.setattr(tasks, "remind_reviewers", lambda now: seen.append(now) or 3)
    assert tasks.review_reminders.call() == 3
    assert len(seen) == 1
    assert seen[0].tzinfo is not None
    path = Path(tasks.__file__).parents[1] / "jobs" / "schedule.toml"
    entries = {e["name"]: e for e in tomllib.loads(path.read_text())["entry"]}
    assert entries["review-reminders"] == {
        "name": "review-reminders",
        "task": "openrd.review.tasks.review_reminders",
        "when": "daily at 10:00 Asia/Tokyo",
    }
