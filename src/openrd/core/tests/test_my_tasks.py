"""The rules of "My tasks" without a database: countdown wording, urgency, the order
of tasks and how the registry gathers them."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import translation

from openrd.core import my_tasks
from openrd.core.fiscal import tokyo_datetime
from openrd.core.my_tasks import Task, Urgency, countdown, total, urgency_of

DEADLINE = tokyo_datetime(2026, 12, 4, 12, 0)  # a Friday noon, Japan time


def _en(due, now):
    with translation.override("en"):
        return countdown(due, now)


@pytest.mark.parametrize(
    ("now", "words", "urgency"),
    [
        (tokyo_datetime(2026, 11, 1, 9, 0), "33 days left", Urgency.NORMAL),
        (tokyo_datetime(2026, 11, 27, 23, 59), "7 days left", Urgency.SOON),
        (tokyo_datetime(2026, 12, 1, 18, 0), "3 days left", Urgency.SOON),
        # Days are Tokyo calendar days, like the deadline reminders: late on the 2nd
        # is two days before the 4th, although under 40 hours remain.
        (tokyo_datetime(2026, 12, 2, 23, 0), "2 days left", Urgency.SOON),
        (tokyo_datetime(2026, 12, 3, 11, 0), "1 day left", Urgency.SOON),
        # Under a day left: hours, even on the eve.
        (tokyo_datetime(2026, 12, 3, 12, 0, 1), "23 hours left", Urgency.URGENT),
        (tokyo_datetime(2026, 12, 4, 9, 0), "3 hours left", Urgency.URGENT),
        (tokyo_datetime(2026, 12, 4, 10, 59, 59), "1 hour left", Urgency.URGENT),
        (tokyo_datetime(2026, 12, 4, 11, 0, 1), "Less than an hour left", Urgency.URGENT),
        (tokyo_datetime(2026, 12, 4, 12, 0), "Less than an hour left", Urgency.URGENT),
        (tokyo_datetime(2026, 12, 4, 12, 0, 1), "The deadline has passed", Urgency.OVERDUE),
        (tokyo_datetime(2027, 1, 4, 12, 0), "The deadline has passed", Urgency.OVERDUE),
    ],
)
def test_countdown_words_and_urgency(now, words, urgency):
    assert _en(DEADLINE, now) == words
    assert urgency_of(DEADLINE, now) == urgency


def test_the_deadline_second_is_judged_whole_like_calls():
    at_deadline = DEADLINE + timedelta(microseconds=500_000)
    assert urgency_of(DEADLINE, at_deadline) == Urgency.URGENT
    assert _en(DEADLINE, at_deadline) == "Less than an hour left"
    assert urgency_of(DEADLINE, DEADLINE + timedelta(seconds=1)) == Urgency.OVERDUE


def test_countdown_in_japanese():
    with translation.override("ja"):
        assert countdown(DEADLINE, tokyo_datetime(2026, 12, 1, 18, 0)) == "締切まであと3日"
        assert countdown(DEADLINE, tokyo_datetime(2026, 12, 4, 9, 0)) == "締切まであと3時間"
        assert countdown(DEADLINE, DEADLINE + timedelta(seconds=1)) == "締切を過ぎました"


USER = SimpleNamespace(is_authenticated=True, is_active=True)
NOW = tokyo_datetime(2026, 12, 1, 9, 0)


def _task(title, due=None, urgency=Urgency.NORMAL, count=None):
    return Task(kind="test", title=title, url="/", due_at=due, urgency=urgency, count=count)


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(my_tasks, "_providers", {})
    monkeypatch.setattr(my_tasks, "_counters", {})
    monkeypatch.setattr(my_tasks, "_sections", {})
    return my_tasks


def test_tasks_are_overdue_first_then_soonest_then_undated(registry):
    later = _task("later", NOW + timedelta(days=9))
    undated = _task("undated")
    closed = _task("closed early", urgency=Urgency.OVERDUE)
    registry.register("a", lambda user, now: [later, undated])
    past = _task("past", NOW - timedelta(days=1), Urgency.OVERDUE)
    soon = _task("soon", NOW + timedelta(hours=3), Urgency.URGENT)
    registry.register("b", lambda user, now: [soon, closed, past])
    titles = [t.title for t in registry.tasks_for(USER, NOW)]
    assert titles == ["past", "closed early", "soon", "later", "undated"]


def test_each_provider_is_given_the_person_and_the_same_moment(registry):
    seen = []
    registry.register("a", lambda user, now: seen.append((user, now)) or [])
    registry.register("b", lambda user, now: seen.append((user, now)) or [])
    registry.tasks_for(USER, NOW)
    assert seen == [(USER, NOW), (USER, NOW)]


def test_registering_under_the_same_name_replaces(registry):
    registry.register("a", lambda user, now: [_task("old")])
    registry.register("a", lambda user, now: [_task("new")])
    assert [t.title for t in registry.tasks_for(USER, NOW)] == ["new"]


def test_visitors_and_inactive_accounts_have_no_tasks_and_providers_are_not_asked(registry):
    def provider(user, now):
        raise AssertionError("asked")

    registry.register("a", provider)
    assert registry.tasks_for(SimpleNamespace(is_authenticated=False), NOW) == []
    assert registry.tasks_for(SimpleNamespace(is_authenticated=True, is_active=False), NOW) == []
    assert registry.count_for(None, NOW) == 0


def test_the_count_sums_tasks_standing_for_several_items(registry):
    assert total([_task("a"), _task("b", count=4), _task("c", count=0)]) == 5
    registry.register("a", lambda user, now: [_task("a"), _task("b", count=3)])
    assert registry.count_for(USER, NOW) == 4


def test_the_header_count_asks_a_counter_instead_of_building_its_tasks(registry):
    def provider(user, now):
        raise AssertionError("the tasks were built for a count")

    seen = []
    registry.register("many", provider, counter=lambda user, now: seen.append(now) or 150)
    registry.register("few", lambda user, now: [_task("a"), _task("b", count=2)])
    assert registry.count_for(USER, NOW) == 153
    assert seen == [NOW]


def test_a_provider_registered_again_without_a_counter_is_counted_by_its_tasks(registry):
    registry.register("a", lambda user, now: [], counter=lambda user, now: 7)
    registry.register("a", lambda user, now: [_task("only")])
    assert registry.count_for(USER, NOW) == 1


def test_tasks_about_the_same_subject_count_once(registry):
    about = "call:1"
    registry.register(
        "a",
        lambda user, now: [Task(kind="first", title="draft", url="/", about=about)],
        sections=[my_tasks.Section(kind="first", heading="First", order=1)],
    )
    registry.register(
        "b",
        lambda user, now: [Task(kind="second", title="open call", url="/", about=about)],
        sections=[my_tasks.Section(kind="second", heading="Second", order=2)],
    )
    assert [t.title for t in registry.tasks_for(USER, NOW)] == ["draft"]
    assert registry.count_for(USER, NOW) == 1


def test_sections_are_ordered_and_empty_ones_shown_only_to_those_they_concern(registry):
    registry.register(
        "a",
        lambda user, now: [_task("x")],
        sections=[
            my_tasks.Section(kind="never", heading="Never", order=5),
            my_tasks.Section(kind="test", heading="Test", order=20),
            my_tasks.Section(kind="mine", heading="Mine", order=10, shown_to=lambda u: True),
        ],
    )
    groups = registry.groups_for(USER, registry.tasks_for(USER, NOW), NOW)
    assert [(g.section.kind, g.count) for g in groups] == [("mine", 0), ("test", 1)]
    assert groups[1].tasks[0]["title"] == "x"


def test_a_task_as_shown_carries_its_countdown_in_the_active_language():
    task = _task("t", DEADLINE, Urgency.SOON)
    with translation.override("en"):
        shown = my_tasks.task_dict(task, tokyo_datetime(2026, 12, 1, 18, 0))
    assert shown | {"due_at": None} == {
        "kind": "test",
        "title": "t",
        "detail": "",
        "url": "/",
        "due_at": None,
        "countdown": "3 days left",
        "urgency": "soon",
        "count": None,
    }
    assert my_tasks.task_dict(_task("undated"), NOW)["countdown"] == ""


def test_a_task_about_the_same_thing_as_an_earlier_sections_gives_way(registry):
    sections = [
        my_tasks.Section(kind="draft", heading="Drafts", order=1),
        my_tasks.Section(kind="open", heading="Open calls", order=2),
    ]

    def task(kind, title, about):
        return Task(kind=kind, title=title, url="/", about=about)

    registry.register("open", lambda user, now: [task("open", "call 1", "call:1"),
                                                 task("open", "call 2", "call:2")])  # fmt: skip
    registry.register(
        "draft",
        lambda user, now: [task("draft", "mine", "call:1"), task("draft", "mine too", "call:1")],
        sections=sections,
    )
    titles = [t.title for t in registry.tasks_for(USER, NOW)]
    # Two drafts to one call both stay; the call they are for is not listed as open.
    assert titles == ["call 2", "mine", "mine too"]
