"""The strategy on "My tasks": a ministry official sees each indicator of the
measures their ministry is named on that has no confirmed value for the last
fiscal year, and each measure it is named on whose follow-up for that year is
not submitted; the command tower sees the values ministries left as drafts and
the follow-ups submitted for review. The sections stay on the page when empty,
with the way to the dashboard. A bounded number of queries, none for anyone
else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_command_tower_admin, is_ministry
from openrd.accounts.queries import role_organisation_ids
from openrd.core.fiscal import fiscal_year_of, format_fiscal_year, to_tokyo
from openrd.core.i18n import current_lang
from openrd.core.my_tasks import Section, Task, register
from openrd.strategy.models import (
    FollowUp,
    FollowUpState,
    Indicator,
    Measure,
    Observation,
    ObservationStatus,
    Strategy,
)

TO_REPORT = "strategy.to_report"
TO_REVIEW = "strategy.to_review"
FOLLOW_UP_TO_WRITE = "strategy.follow_up_to_write"
FOLLOW_UP_TO_REVIEW = "strategy.follow_up_to_review"


def _to_report(user: Any, now: datetime) -> list[Task]:
    if not is_ministry(user):
        return []  # the roles are read once per request; the organisations only for officials
    ministries = role_organisation_ids(user, Role.MINISTRY)
    if not ministries:
        return []
    year = fiscal_year_of(to_tokyo(now).date()) - 1
    reported = Observation.objects.filter(
        fiscal_year=year, status=ObservationStatus.CONFIRMED
    ).values("indicator")
    rows = (
        Indicator.objects.filter(computed="")
        .filter(Q(measure__ministries__organisation__in=ministries) | Q(owner__in=ministries))
        .exclude(pk__in=reported)
        .distinct()
        .order_by("measure__order", "order", "pk")
    )
    label = format_fiscal_year(year, current_lang())
    return [
        Task(
            kind=TO_REPORT,
            title=i.name,
            detail=gettext("No confirmed value for %(year)s yet.") % {"year": label},
            url=reverse("strategy:indicator", args=[i.code]),
        )
        for i in rows
    ]


def _to_review(user: Any) -> list[Task]:
    if not is_command_tower_admin(user):
        return []
    drafts = Observation.objects.filter(status=ObservationStatus.DRAFT).select_related("indicator")
    lang = current_lang()
    return [
        Task(
            kind=TO_REVIEW,
            title=o.indicator.name,
            detail=gettext("A draft value for %(year)s, to be confirmed by the ministry.")
            % {"year": format_fiscal_year(o.fiscal_year, lang)},
            url=reverse("strategy:indicator", args=[o.indicator.code]),
        )
        for o in drafts.order_by("indicator__code", "fiscal_year")
    ]


def _follow_ups_to_write(user: Any, now: datetime) -> list[Task]:
    """The latest strategy's measures the official's ministry is named on (as
    responsible or collaborating) with no follow-up submitted for the last
    fiscal year, or one returned."""
    if not is_ministry(user):
        return []
    ministries = role_organisation_ids(user, Role.MINISTRY)
    strategy = Strategy.objects.order_by("-year").first() if ministries else None
    if strategy is None:
        return []
    year = max(strategy.year, fiscal_year_of(to_tokyo(now).date()) - 1)
    done = FollowUp.objects.filter(fiscal_year=year).exclude(
        state__in=[FollowUpState.DRAFT, FollowUpState.RETURNED]
    )
    rows = (
        Measure.objects.filter(strategy=strategy, ministries__organisation__in=ministries)
        .exclude(pk__in=done.values("measure"))
        .distinct()
        .order_by("goal__order", "order", "pk")
    )
    label = format_fiscal_year(year, current_lang())
    return [
        Task(
            kind=FOLLOW_UP_TO_WRITE,
            title=m.title,
            detail=gettext("The follow-up for %(year)s is not submitted yet.") % {"year": label},
            url=reverse("strategy:follow_up_edit", args=[strategy.year, m.code, year]),
        )
        for m in rows
    ]


def _follow_ups_to_review(user: Any) -> list[Task]:
    if not is_command_tower_admin(user):
        return []
    rows = FollowUp.objects.filter(state=FollowUpState.SUBMITTED).select_related(
        "measure__strategy", "ministry"
    )
    lang = current_lang()
    return [
        Task(
            kind=FOLLOW_UP_TO_REVIEW,
            title=f.measure.title,
            detail=gettext("%(ministry)s submitted the follow-up for %(year)s.")
            % {"ministry": f.ministry.name, "year": format_fiscal_year(f.fiscal_year, lang)},
            url=reverse(
                "strategy:follow_up_edit",
                args=[f.measure.strategy.year, f.measure.code, f.fiscal_year],
            ),
        )
        for f in rows.order_by("submitted_at", "pk")
    ]


def strategy_tasks(user: Any, now: datetime) -> list[Task]:
    return (
        _to_report(user, now)
        + _to_review(user)
        + _follow_ups_to_write(user, now)
        + _follow_ups_to_review(user)
    )


register(
    "strategy",
    strategy_tasks,
    sections=[
        Section(
            kind=TO_REPORT,
            order=60,
            heading=gettext_lazy("Indicators to report"),
            shown_to=lambda user: is_ministry(user),
            empty=gettext_lazy("Every indicator of your ministry's measures has its value."),
            next_step=gettext_lazy("See your ministry's measures"),
            next_url="strategy:latest",
        ),
        Section(
            kind=TO_REVIEW,
            order=62,
            heading=gettext_lazy("Values left as drafts"),
            shown_to=lambda user: is_command_tower_admin(user),
            empty=gettext_lazy("No ministry has a draft value waiting."),
            next_step=gettext_lazy("See the strategy dashboard"),
            next_url="strategy:latest",
        ),
        Section(
            kind=FOLLOW_UP_TO_WRITE,
            order=61,
            heading=gettext_lazy("Follow-ups to write"),
            shown_to=lambda user: is_ministry(user),
            empty=gettext_lazy(
                "Every measure your ministry is named on has its follow-up submitted."
            ),
            next_step=gettext_lazy("See the strategy dashboard"),
            next_url="strategy:latest",
        ),
        Section(
            kind=FOLLOW_UP_TO_REVIEW,
            order=63,
            heading=gettext_lazy("Follow-ups to review"),
            shown_to=lambda user: is_command_tower_admin(user),
            empty=gettext_lazy("No follow-up is waiting for review."),
            next_step=gettext_lazy("See the strategy dashboard"),
            next_url="strategy:latest",
        ),
    ],
)
