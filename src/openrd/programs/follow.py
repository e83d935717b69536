"""Following a program, so that "a call opened" notifications reach the person.

A follow is a notifications subscription to the program's topic. The page and
the API both go through ``follow_program`` / ``unfollow_program``; the change
itself (and its audit entry) is ``notifications.services.subscribe`` /
``unsubscribe``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from openrd.notifications import queries as notification_queries
from openrd.notifications import services as notification_services
from openrd.notifications.queries import Followed
from openrd.programs.models import Program
from openrd.programs.queries import public_programs

TOPIC_KIND = "program"


def program_topic(program: Program) -> str:
    """The notification topic of a program's followers, e.g. ``program:sbir``."""
    return f"{TOPIC_KIND}:{program.code}"


@dataclass(frozen=True)
class FollowState:
    code: str
    following: bool
    # None where the count is not shown (the compact control of the list).
    followers: int | None = None


def _followable() -> QuerySet[Program]:
    # Whom the public may see is public_programs()' to say; the rows are read
    # plainly (no owner or agencies), as a follow needs only the code and name.
    return Program.objects.filter(pk__in=public_programs().values("pk"))


def followable_program(code: str) -> Program:
    """A program a person may follow: any the public may see, else Http404."""
    program = _followable().filter(code=code).first()
    if program is None:
        raise Http404
    return program


def follow_state(user: Any, program: Program) -> FollowState:
    topic = program_topic(program)
    return FollowState(
        code=program.code,
        following=notification_queries.is_subscribed(user, topic),
        followers=notification_queries.follower_count(topic),
    )


def follow_program(user: Any, code: str) -> FollowState:
    """Follow the program; following it again changes nothing."""
    program = followable_program(code)
    notification_services.subscribe(user, program_topic(program), actor=user)
    return follow_state(user, program)


def unfollow_program(user: Any, code: str) -> FollowState:
    """Stop following the program; unfollowing one not followed changes nothing."""
    program = followable_program(code)
    notification_services.unsubscribe(user, program_topic(program), actor=user)
    return follow_state(user, program)


def _codes(topics: list[str]) -> list[str]:
    return [t.removeprefix(f"{TOPIC_KIND}:") for t in topics]


def followed_codes(user: Any) -> set[str]:
    return set(_codes(notification_queries.followed_topics(user, TOPIC_KIND)))


def followed_programs(user: Any) -> list[Program]:
    """The public programs the person follows, by code."""
    codes = _codes(notification_queries.followed_topics(user, TOPIC_KIND))
    return list(_followable().filter(code__in=codes).order_by("code"))


def _describe(topics: list[str]) -> dict[str, Followed]:
    programs = _followable().filter(code__in=_codes(topics))
    return {
        program_topic(p): Followed(
            topic=program_topic(p), label=p.name, url=reverse("programs:detail", args=[p.code])
        )
        for p in programs
    }


# On import, which ProgramsConfig.ready() does.
notification_queries.register_topic_kind(TOPIC_KIND, _describe)
