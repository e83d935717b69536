"""The research-integrity pledge on "My tasks": to make, to make again, to renew.

A researcher with no pledge yet is asked for one; anyone whose latest disclosure
is not pledged (changed since) is asked to pledge it; a pledge a year old
(``rules.is_pledge_due``) is due for renewal, by the same rule as the pledge
reminders and the renewal itself. One query: the latest version carries the
latest pledge, since any change, and any renewal, makes a new version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openrd.accounts.permissions import is_researcher
from openrd.core.fiscal import format_tokyo_datetime
from openrd.core.i18n import current_lang
from openrd.core.my_tasks import Section, Task, Urgency, register
from openrd.integrity.queries import latest_disclosure
from openrd.integrity.rules import is_pledge_due, pledge_due_at

PLEDGE = "integrity.pledge"


def pledge_tasks(user: Any, now: datetime) -> list[Task]:
    latest = latest_disclosure(user)
    url = reverse("integrity:edit")
    if latest is None:
        if not is_researcher(user):
            return []
        return [
            Task(
                kind=PLEDGE,
                title=_("Make your research-integrity disclosure and pledge"),
                detail=_("A proposal can be submitted only with a pledged disclosure."),
                url=url,
                urgency=Urgency.SOON,
            )
        ]
    if latest.pledged_at is None:
        return [
            Task(
                kind=PLEDGE,
                title=_("Pledge your disclosure"),
                detail=_("Version %(number)d of your disclosure has not been pledged yet.")
                % {"number": latest.number},
                url=url,
                urgency=Urgency.SOON,
            )
        ]
    if not is_pledge_due(latest.pledged_at, now):
        return []
    return [
        Task(
            kind=PLEDGE,
            title=_("Renew your disclosure pledge"),
            detail=_("Your last pledge was made on %(date)s, more than a year ago.")
            % {"date": format_tokyo_datetime(latest.pledged_at, current_lang())},
            url=url,
            due_at=pledge_due_at(latest.pledged_at),
            urgency=Urgency.OVERDUE,
        )
    ]


register(
    "integrity.pledge",
    pledge_tasks,
    sections=[Section(kind=PLEDGE, heading=gettext_lazy("Research-integrity pledge"), order=40)],
)
