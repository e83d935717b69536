"""A review round around the proposals' test world: two endorsed proposals of the
SBIR test call, criteria on the call, and a reviewer pool in which one reviewer
works at the applicants' company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from openrd.accounts.models import Affiliation, Role, User
from openrd.accounts.tests.factories import UserFactory
from openrd.programs.models import CallCriterion
from openrd.proposals import services as proposals
from openrd.proposals.models import Proposal
from openrd.proposals.tests.conftest import World, world  # noqa: F401  (a fixture, offered by name)
from openrd.proposals.tests.test_receipts import COMPLETE, submit, submitted_draft
from openrd.review import services
from openrd.review.models import ReviewRound


@dataclass
class Reviewing:
    world: World
    proposals: list[Proposal]
    colleague: User  # works at the applicants' company: a conflict
    reviewers: list[User]  # three without any conflict
    round: ReviewRound


def endorsed(on: World, title: str, key: str) -> Proposal:
    changes = proposals.DraftChanges(
        fields=COMPLETE.fields | {"title_ja": title}, budget=COMPLETE.budget
    )
    p = submitted_draft(on, changes=changes)
    submit(on, p, key=key)
    proposals.endorse_proposal(p, actor=on.officer)
    return Proposal.objects.get(pk=p.pk)


def reviewer(username: str, *, keywords: list[str], actor: User) -> User:
    person = UserFactory(username=username, roles=[Role.REVIEWER])
    services.save_reviewer(
        person, actor=actor, research_fields=["量子工学"], keywords=keywords, max_load=2
    )
    return person


@pytest.fixture
def reviewing(world: World) -> Reviewing:  # noqa: F811  (the fixture imported above)
    for order, (code, weight) in enumerate([("novelty", 40), ("feasibility", 30), ("impact", 30)]):
        CallCriterion.objects.create(
            call=world.call, code=code, name_ja=code, name_en=code, weight=weight, order=order
        )
    staff = world.nedo_staff
    made = [endorsed(world, "量子センサの実証", "k1"), endorsed(world, "量子センサの量産", "k2")]
    colleague = reviewer("colleague", keywords=["量子", "センサ"], actor=staff)
    Affiliation.objects.create(
        person=colleague, organisation=world.startup, kind="concurrent", start_date=date(2020, 4, 1)
    )
    pool = [reviewer(f"reviewer{i}", keywords=["量子", "センサ"], actor=staff) for i in range(3)]
    review_round = services.create_round(
        world.call,
        actor=staff,
        name_ja="書面審査",
        name_en="Document review",
        due_at=timezone.now() + timedelta(days=14),
        reviewers_per_proposal=2,
    )
    return Reviewing(world, made, colleague, pool, review_round)
