"""The strategy on "My tasks": a ministry official sees each indicator of the
measures their ministry is named on that has no confirmed value for the last
fiscal year; the command tower sees the values ministries left as drafts.
Both sections stay on the page when empty, with the way to the dashboard.
A bounded number of queries, none for anyone else."""

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
from openrd.strategy.models import Indicator, Observation, ObservationStatus

TO_REPORT = "strategy.to_report"
TO_REVIEW = "strategy.to_review"


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


def strategy_tasks(user: Any, now: datetime) -> list[Task]:
    return _to_report(user, now) + _to_review(user)


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
    ],
)
