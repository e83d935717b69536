"""Loading a strategy file and entering observations: in place, audited, and
only by the ministries responsible for the measure."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openrd.accounts.models import Role
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.programs.services.presets import PresetConflict
from openrd.strategy.models import Indicator, MinistryRole, Observation, Target
from openrd.strategy.services import load_strategy, record_observation
from openrd.strategy.strategy_files import parse_strategy
from openrd.strategy.tests.conftest import MINI

pytestmark = pytest.mark.django_db


def users_indicator() -> Indicator:
    return Indicator.objects.get(code="mini-quantum-users")


def test_the_file_loads_goals_measures_ministries_indicators_and_targets(mini):
    assert [g.code for g in mini.goals.order_by("order", "id")] == ["pillar", "quantum"]
    measure = mini.measures.get(code="quantum-users")
    assert measure.goal.parent.code == "pillar"
    roles = {(m.organisation.code, m.role) for m in measure.ministries.all()}
    assert roles == {("meti", MinistryRole.PRIMARY), ("mext", MinistryRole.COLLABORATING)}
    assert measure.others
    assert [p.code for p in measure.programs.all()] == ["moonshot"]
    targets = {(t.fiscal_year, t.kind, t.value) for t in users_indicator().targets.all()}
    assert targets == {
        (2020, "baseline", 0), (2025, "interim", 5_000_000), (2030, "final", 10_000_000),
    }  # fmt: skip
    assert AuditEntry.objects.filter(action="strategy.strategy.loaded").count() == 1


def test_loading_the_same_file_again_changes_nothing_and_writes_no_audit(mini):
    _strategy, changed = load_strategy(parse_strategy(MINI, name="mini"))
    assert not changed
    assert AuditEntry.objects.filter(action="strategy.strategy.loaded").count() == 1


def test_a_changed_file_updates_in_place_and_keeps_what_ministries_entered(mini, meti_official):
    indicator = users_indicator()
    record_observation(indicator, actor=meti_official, fiscal_year=2023, value="1,200,000")
    load_strategy(parse_strategy(MINI.replace("value = 5_000_000", "value = 6_000_000")))
    again = users_indicator()
    assert again.pk == indicator.pk
    assert again.targets.get(kind="interim").value == 6_000_000
    assert again.observations.get(fiscal_year=2023).value == 1_200_000


def test_dropping_an_indicator_with_entered_values_is_refused(mini, meti_official):
    record_observation(users_indicator(), actor=meti_official, fiscal_year=2023, value=1)
    start = MINI.index('[[indicators]]\ncode = "mini-quantum-users"')
    end = MINI.index('[[indicators]]\ncode = "mini-sbir-spending"')
    dropped = (MINI[:start] + MINI[end:]).split("[[links]]")[0]
    with pytest.raises(PresetConflict, match="mini-quantum-users"):
        load_strategy(parse_strategy(dropped))
    assert Target.objects.filter(indicator__code="mini-quantum-users").count() == 3


def test_the_responsible_ministry_enters_a_value_audited(mini, meti_official):
    row = record_observation(
        users_indicator(), actor=meti_official, fiscal_year=2024, value="2500000",
        source="経済産業省調べ", confirmed=True,
    )  # fmt: skip
    assert (row.value, row.status, row.entered_by) == (Decimal(2_500_000), "confirmed",
                                                       meti_official)  # fmt: skip
    entry = AuditEntry.objects.get(action="strategy.observation.recorded")
    assert entry.after["indicator"] == "mini-quantum-users"
    assert entry.before is None
    record_observation(users_indicator(), actor=meti_official, fiscal_year=2024, value=2_600_000)
    corrected = AuditEntry.objects.filter(action="strategy.observation.recorded").latest("id")
    assert Decimal(corrected.before["value"]) == 2_500_000


def test_a_ministry_not_responsible_for_the_measure_enters_nothing(mini, mhlw_official):
    with pytest.raises(PermissionDenied):
        record_observation(users_indicator(), actor=mhlw_official, fiscal_year=2024, value=1)
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("code", "fields", "field"),
    [
        ("mini-quantum-users", {"fiscal_year": 2024, "value": "たくさん"}, "value"),
        ("mini-quantum-users", {"fiscal_year": 1899, "value": 1}, "fiscal_year"),
        ("mini-sbir-spending", {"fiscal_year": 2024, "value": 1}, "indicator"),
    ],
)
def test_bad_values_and_computed_indicators_are_refused_by_field(mini, code, fields, field):
    tower = UserFactory(username="tower", roles=[Role.COMMAND_TOWER_ADMIN])
    with pytest.raises(ValidationError) as error:
        record_observation(Indicator.objects.get(code=code), actor=tower, **fields)
    assert field in error.value.message_dict
    assert not Observation.objects.exists()
