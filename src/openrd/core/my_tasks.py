"""What awaits a person, across every role they hold: the tasks of "My tasks".

Core knows no app. Each app contributes a *provider* — ``(user, now) -> list[Task]``
— and the sections its tasks are shown in, registered from its own
``AppConfig.ready()`` with :func:`register`; the dashboard, the header count and
the API all read :func:`tasks_for`, so they cannot disagree.

A provider must be cheap (a bounded number of queries, whatever the number of
rows: the header asks on every page) and return only what the person may see.
A provider whose tasks are about nothing another section could stand in for
(no ``about``) may also give a *counter* — ``(user, now) -> int``, one COUNT —
so that the header's number does not build a task per row on every page.

The countdown wording is a pure function of the deadline and the moment, in
Tokyo calendar days like the deadline reminders, and in hours once less than a
day remains; a deadline is passed one second after it, as calls are judged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from openrd.core.deadlines import time_left

type Text = str | Promise


class Urgency(StrEnum):
    OVERDUE = "overdue"  # the deadline has passed, or the work can no longer wait
    URGENT = "urgent"  # less than a day left
    SOON = "soon"  # within a week: the week of the first deadline reminder
    NORMAL = "normal"


SOON_WITHIN_DAYS = 7
_FAR = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Task:
    """One thing awaiting the person, linking to where it is done."""

    kind: str  # the section it belongs to, e.g. "proposals.draft"
    title: Text
    url: str
    detail: Text = ""
    due_at: datetime | None = None
    urgency: Urgency = Urgency.NORMAL
    # How many items the task stands for, when one task sums up several.
    count: int | None = None
    # What the work concerns across apps, e.g. "call:12". Of tasks about the same
    # thing only those of the first section are kept: a draft for a call stands in
    # for "this call is open".
    about: str = ""


type Provider = Callable[[Any, datetime], list[Task]]
type Counter = Callable[[Any, datetime], int]


@dataclass(frozen=True)
class Section:
    """How the dashboard shows one kind of task, and what it says when there is none."""

    kind: str
    heading: Text
    order: int = 100  # lower first on the page
    # Who sees the section even when it is empty (with ``empty`` and the next step);
    # None: the section appears only when it has tasks.
    shown_to: Callable[[Any], bool] | None = None
    empty: Text = ""
    next_step: Text = ""
    next_url: str = ""  # a URL name, reversed when the page is drawn
    next_query: str = ""  # e.g. "status=open", appended to that URL
    detail_label: Text = ""  # what the detail is, e.g. "Reason for return"


_providers: dict[str, Provider] = {}
_counters: dict[str, Counter] = {}
_sections: dict[str, Section] = {}


def register(
    name: str,
    provider: Provider,
    *,
    sections: Iterable[Section] = (),
    counter: Counter | None = None,
) -> None:
    """Add (or, under the same name, replace) a provider and the sections of its tasks.

    ``counter``, when given, must equal ``total(provider(user, now))`` for every
    person and moment, and the provider's tasks must carry no ``about``: the count
    is then taken without the tasks being built.
    """
    _providers[name] = provider
    if counter is None:
        _counters.pop(name, None)
    else:
        _counters[name] = counter
    for section in sections:
        _sections[section.kind] = section


def sections() -> list[Section]:
    """Every registered section, by ``order`` (then as the apps registered them)."""
    return sorted(_sections.values(), key=lambda s: s.order)


def _sort_key(task: Task) -> tuple[bool, bool, datetime]:
    # Overdue first, then the soonest deadline; tasks without one keep their order last.
    return (task.urgency != Urgency.OVERDUE, task.due_at is None, task.due_at or _FAR)


def _is_active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def tasks_for(user: Any, now: datetime | None = None) -> list[Task]:
    """Every task awaiting ``user`` at ``now``, overdue and soonest first."""
    if not _is_active(user):
        return []
    return sorted(_built(user, now or timezone.now()), key=_sort_key)


def _built(user: Any, moment: datetime, *, skip: Collection[str] = ()) -> list[Task]:
    """The tasks of every provider but those named in ``skip``, one per subject."""
    return _one_per_subject(
        [
            task
            for name, provider in _providers.items()
            if name not in skip
            for task in provider(user, moment)
        ]
    )


def _one_per_subject(tasks: list[Task]) -> list[Task]:
    """Drop the tasks that another section's task, shown earlier, is about the same as."""
    rank = {section.kind: index for index, section in enumerate(sections())}

    def rank_of(task: Task) -> int:
        return rank.get(task.kind, len(rank))

    first: dict[str, int] = {}
    for task in tasks:
        if task.about:
            first[task.about] = min(first.get(task.about, rank_of(task)), rank_of(task))
    return [t for t in tasks if not t.about or rank_of(t) == first[t.about]]


def total(tasks: Iterable[Task]) -> int:
    """How many items the tasks stand for (a task with a count counts that many)."""
    return sum(1 if task.count is None else task.count for task in tasks)


def count_for(user: Any, now: datetime | None = None) -> int:
    """``total(tasks_for(user, now))``, asking the providers that have a counter for
    their number alone (their tasks take no part in :func:`_one_per_subject`)."""
    if not _is_active(user):
        return 0
    moment = now or timezone.now()
    counted = sum(counter(user, moment) for counter in _counters.values())
    return counted + total(_built(user, moment, skip=_counters))


# ---------------------------------------------------------------- countdown (pure)


def urgency_of(due_at: datetime, now: datetime) -> Urgency:
    """How pressing a deadline is at ``now``, by the cuts of ``core.deadlines``."""
    left = time_left(due_at, now)
    if left.passed:
        return Urgency.OVERDUE
    if left.under_a_day:
        return Urgency.URGENT
    if left.days <= SOON_WITHIN_DAYS:
        return Urgency.SOON
    return Urgency.NORMAL


def countdown(due_at: datetime, now: datetime) -> str:
    """「締切まであと3日」 / "3 days left"; hours once less than a day remains;
    「締切を過ぎました」 once the deadline's second has passed."""
    left = time_left(due_at, now)
    if left.passed:
        return gettext("The deadline has passed")
    if left.days:
        return ngettext("%(days)d day left", "%(days)d days left", left.days) % {"days": left.days}
    if left.hours:
        return ngettext("%(hours)d hour left", "%(hours)d hours left", left.hours) % {
            "hours": left.hours
        }
    return gettext("Less than an hour left")


# ---------------------------------------------------------------- presentation


def task_dict(task: Task, now: datetime) -> dict[str, Any]:
    """The task as the page and the API show it, in the active language."""
    return {
        "kind": task.kind,
        "title": str(task.title),
        "detail": str(task.detail),
        "url": task.url,
        "due_at": task.due_at,
        "countdown": countdown(task.due_at, now) if task.due_at is not None else "",
        "urgency": str(task.urgency),
        "count": task.count,
    }


@dataclass(frozen=True)
class Group:
    """One section of the dashboard with its tasks (as :func:`task_dict` gives them)."""

    section: Section
    tasks: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    @property
    def next_href(self) -> str:
        if not self.section.next_url:
            return ""
        url = reverse(self.section.next_url)
        return f"{url}?{self.section.next_query}" if self.section.next_query else url


def groups_for(user: Any, tasks: list[Task], now: datetime) -> list[Group]:
    """The dashboard's sections: each one with tasks, and each empty one the person's
    roles call for (to say what to do next); a kind no app described comes last."""
    by_kind: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        by_kind[task.kind].append(task)
    described = sections()
    groups = []
    for section in described:
        found = by_kind.pop(section.kind, [])
        if found or (section.shown_to is not None and section.shown_to(user)):
            groups.append(Group(section, [task_dict(t, now) for t in found], total(found)))
    for kind, found in by_kind.items():
        groups.append(
            Group(
                Section(kind=kind, heading=kind), [task_dict(t, now) for t in found], total(found)
            )
        )
    return groups
