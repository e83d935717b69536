"""The demo's follow-up of the strategy: the METI official has entered last fiscal
year's count of startup hub cities as a draft, which the command tower sees on
its dashboard and the ministry still has to confirm. Left alone once entered."""

from __future__ import annotations

from datetime import date

from openrd.accounts.models import User
from openrd.core.fiscal import fiscal_year_of
from openrd.strategy.models import Indicator
from openrd.strategy.services import record_observation

INDICATOR = "startup-hub-cities"


def load_follow_up(*, today: date) -> list[str]:
    official = User.objects.filter(username="ministry").first()
    indicator = Indicator.objects.filter(code=INDICATOR).select_related("measure").first()
    if official is None or indicator is None:
        return []
    if indicator.observations.filter(seed_line=None).exists():
        return []
    year = fiscal_year_of(today) - 1
    record_observation(
        indicator,
        actor=official,
        fiscal_year=year,
        value=8,
        source="経済産業省調べ（デモ）",
    )
    return [f"{INDICATOR} FY{year}"]
