"""A small strategy file of its own (the shipped 2023 file has its own tests):
one pillar, a goal, two measures — one run by METI with MEXT, one by the
Cabinet Office — an observed indicator with a baseline and two targets, and a
computed one."""

from __future__ import annotations

import pytest

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.strategy.services import load_strategy
from openrd.strategy.strategy_files import parse_strategy

MINI = """
code = "mini-2023"
year = 2023
name_ja = "テスト戦略2023"
name_en = "Test strategy 2023"
cabinet_decision_on = 2023-06-09
ordinal = 3
seed_line = 1
seed_text = "統合"

[[goals]]
code = "pillar"
title_ja = "柱"
seed_line = 2
seed_text = "柱"

[[goals]]
code = "quantum"
parent = "pillar"
title_ja = "量子"
seed_line = 3
seed_text = "量子"

[[measures]]
code = "quantum-users"
goal = "quantum"
title_ja = "量子の利用者を増やす"
primary_ministries = ["meti"]
collaborating_ministries = ["mext"]
others = true
programs = ["moonshot"]
seed_line = 4
seed_text = "量子"

[[measures]]
code = "sbir"
goal = "pillar"
title_ja = "SBIR"
primary_ministries = ["cao"]
seed_line = 5
seed_text = "SBIR"

[[indicators]]
code = "mini-quantum-users"
measure = "quantum-users"
name_ja = "量子技術の国内利用者数"
name_en = "Domestic users of quantum technology"
tier = "outcome"
horizon = "long"
unit = "people"
direction = "up"
owner = "meti"
seed_line = 4
seed_text = "量子"
  [[indicators.targets]]
  fiscal_year = 2020
  kind = "baseline"
  value = 0
  seed_line = 4
  seed_text = "量子"
  [[indicators.targets]]
  fiscal_year = 2025
  kind = "interim"
  value = 5_000_000
  seed_line = 4
  seed_text = "量子"
  [[indicators.targets]]
  fiscal_year = 2030
  kind = "final"
  value = 10_000_000
  seed_line = 4
  seed_text = "量子"

[[indicators]]
code = "mini-sbir-spending"
measure = "sbir"
name_ja = "スタートアップ等への支出"
tier = "activity"
horizon = "short"
unit = "yen"
direction = "up"
owner = "cao"
computed = "startup_sme_spending_yen"
seed_line = 5
seed_text = "SBIR"
  [[indicators.targets]]
  fiscal_year = 2023
  kind = "final"
  value = 106_620_000_000
  seed_line = 5
  seed_text = "SBIR"

[[links]]
from = "mini-sbir-spending"
to = "mini-quantum-users"
narrative_ja = "テスト"
seed_line = 5
seed_text = "SBIR"
"""


@pytest.fixture
def mini(loaded_programs):
    strategy, _changed = load_strategy(parse_strategy(MINI, name="mini"))
    return strategy


@pytest.fixture
def meti_official():
    from openrd.accounts.models import Organisation
    from openrd.accounts.services import assign_role

    user = UserFactory(username="meti-official")
    assign_role(user, Role.MINISTRY, organisation=Organisation.objects.get(code="meti"))
    return user


@pytest.fixture
def mhlw_official():
    from openrd.accounts.models import Organisation
    from openrd.accounts.services import assign_role

    user = UserFactory(username="mhlw-official")
    assign_role(user, Role.MINISTRY, organisation=Organisation.objects.get(code="mhlw"))
    return user
