"""A ministry official is asked for last year's value of each indicator of the
measures their ministry is named on; the command tower sees the drafts."""

from __future__ import annotations

from datetime import datetime

import pytest

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.fiscal import TOKYO
from openrd.core.my_tasks import tasks_for
from openrd.strategy.follow_up import review_follow_up, save_follow_up
from openrd.strategy.models import Indicator, Measure
from openrd.strategy.my_tasks import FOLLOW_UP_TO_REVIEW, FOLLOW_UP_TO_WRITE, TO_REPORT, TO_REVIEW
from openrd.strategy.services import record_observation

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 6, 1, 10, tzinfo=TOKYO)  # FY2024: last year's values are FY2023's


def kinds(user, wanted=(TO_REPORT, TO_REVIEW)):
    return [(t.kind, str(t.title)) for t in tasks_for(user, NOW) if t.kind in wanted]


def test_the_ministry_is_asked_for_last_years_value_until_it_is_confirmed(
    mini, meti_official, mhlw_official
):
    assert kinds(meti_official) == [(TO_REPORT, "量子技術の国内利用者数")]
    assert kinds(mhlw_official) == []  # named on no measure
    indicator = Indicator.objects.get(code="mini-quantum-users")
    record_observation(indicator, actor=meti_official, fiscal_year=2023, value=1)
    assert kinds(meti_official) == [(TO_REPORT, "量子技術の国内利用者数")]  # a draft still
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    assert kinds(tower) == [(TO_REVIEW, "量子技術の国内利用者数")]
    record_observation(indicator, actor=meti_official, fiscal_year=2023, value=1, confirmed=True)
    assert kinds(meti_official) == []
    assert kinds(tower) == []


def test_the_lead_ministry_is_asked_for_the_follow_up_and_the_command_tower_reviews_it(
    mini, meti_official, mhlw_official
):
    follow_ups = (FOLLOW_UP_TO_WRITE, FOLLOW_UP_TO_REVIEW)
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    assert kinds(meti_official, follow_ups) == [(FOLLOW_UP_TO_WRITE, "量子の利用者を増やす")]
    assert kinds(mhlw_official, follow_ups) == []
    assert kinds(tower, follow_ups) == []
    measure = Measure.objects.get(code="quantum-users")
    f = save_follow_up(measure, actor=meti_official, fiscal_year=2023, progress="on_schedule",
                       comment_ja="順調", submit=True)  # fmt: skip
    assert kinds(meti_official, follow_ups) == []
    assert kinds(tower, follow_ups) == [(FOLLOW_UP_TO_REVIEW, "量子の利用者を増やす")]
    review_follow_up(f, actor=tower, approve=False, comment="数値を添えてください")
    assert kinds(meti_official, follow_ups) == [(FOLLOW_UP_TO_WRITE, "量子の利用者を増やす")]
    assert kinds(tower, follow_ups) == []
