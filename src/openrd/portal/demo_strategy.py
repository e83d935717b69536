"""The demo's follow-up of the strategy: the METI official has entered last fiscal
year's count of startup hub cities as a draft, which the command tower sees on
its dashboard and the ministry still has to confirm; and the SBIR program is
counted as METI's and MLIT's specified subsidy for last year and this one, so
the demo's SBIR awards show on the spending-target page; and METI's yearly
follow-up of two measures it is named on: one approved by the command tower
and frozen in last year's report, one submitted and waiting for review. Left
alone once entered."""

from __future__ import annotations

from datetime import date

from openrd.accounts.models import Organisation, User
from openrd.core.fiscal import fiscal_year_of
from openrd.programs.models import Program
from openrd.strategy.follow_up import approve_report, review_follow_up, save_follow_up
from openrd.strategy.models import FollowUp, Indicator, Measure, SpecifiedSubsidy
from openrd.strategy.services import record_observation, tag_specified_subsidy

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


# (ministry, planned spending on startups and SMEs in yen, designated subsidy): demo figures.
SBIR_PLANS = [("meti", 30_000_000_000, True), ("mlit", 5_000_000_000, True)]


def load_sbir_subsidies(*, today: date) -> list[str]:
    tower = User.objects.filter(username="admin").first()
    program = Program.objects.filter(code="sbir").first()
    if tower is None or program is None or SpecifiedSubsidy.objects.exists():
        return []
    this_year = fiscal_year_of(today)
    made = []
    for fiscal_year in (this_year - 1, this_year):
        for code, planned, designated in SBIR_PLANS:
            ministry = Organisation.objects.get(code=code)
            tag_specified_subsidy(
                actor=tower, fiscal_year=fiscal_year, ministry=ministry, program=program,
                planned_yen=planned, designated=designated, note="デモ",
            )  # fmt: skip
            made.append(f"{code} FY{fiscal_year}")
    return made


# (measure, progress, comment): METI's demo follow-ups; the first is approved.
FOLLOW_UPS = [
    ("ecosystem-universities", "on_schedule",
     "大学発スタートアップの創出に向けた支援を計画どおり実施した（デモ）。"),
    ("ecosystem-hub-cities", "partly_delayed",
     "拠点都市のアクセラレーションプログラムは実施したが、海外向け情報発信の一部が翌年度にずれ込んだ（デモ）。"),
]  # fmt: skip


def load_follow_ups(*, today: date) -> list[str]:
    official = User.objects.filter(username="ministry").first()
    tower = User.objects.filter(username="admin").first()
    if official is None or tower is None or FollowUp.objects.exists():
        return []
    year = fiscal_year_of(today) - 1
    made = []
    for n, (code, progress, comment) in enumerate(FOLLOW_UPS):
        measure = Measure.objects.filter(code=code).order_by("-strategy__year").first()
        if measure is None:
            continue
        follow_up = save_follow_up(measure, actor=official, fiscal_year=year, progress=progress,
                                   comment_ja=comment, submit=True)  # fmt: skip
        if n == 0:
            review_follow_up(follow_up, actor=tower, approve=True)
            approve_report(measure.strategy, year, actor=tower)
        made.append(f"{code} FY{year}")
    return made
