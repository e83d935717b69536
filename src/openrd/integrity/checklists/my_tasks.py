"""This fiscal year's integrity checklists on "My tasks".

A researcher whose own checklist for the current fiscal year (Tokyo) is not
completed is asked to complete it; an institution officer is asked the same of
each institution whose checklist they fill in. A saved draft is named as such.
One query for a researcher, one for an officer, none for anyone else, whatever the
number of rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from openrd.accounts.models import Role
from openrd.accounts.permissions import is_researcher
from openrd.core.fiscal import format_fiscal_year
from openrd.core.i18n import current_lang
from openrd.core.my_tasks import Section, Task, register
from openrd.integrity.checklists import queries
from openrd.integrity.models import ChecklistCompletion, ChecklistKind
from openrd.integrity.rules.checklists import checklist_fiscal_year

CHECKLIST = "integrity.checklist"


def _detail(started: bool, fiscal_year: int) -> str:
    year = format_fiscal_year(fiscal_year, current_lang())
    if not started:
        return _("Not started yet for %(year)s.") % {"year": year}
    return _("A draft is saved for %(year)s but not completed yet.") % {"year": year}


def checklist_tasks(user: Any, now: datetime) -> list[Task]:
    fiscal_year = checklist_fiscal_year(now)
    roles = user.role_codes()
    tasks = []
    if is_researcher(user):
        row = queries.researcher_checklist(user, fiscal_year)
        if row is None or row.completed_at is None:
            tasks.append(
                Task(
                    kind=CHECKLIST,
                    title=_("Complete your research-integrity checklist"),
                    detail=_detail(row is not None, fiscal_year),
                    url=reverse("integrity-checklists:mine"),
                )
            )
    if Role.INSTITUTION_OFFICER not in roles:
        return tasks  # no query for everyone else
    this_year = ChecklistCompletion.objects.filter(
        kind=ChecklistKind.INSTITUTION, fiscal_year=fiscal_year, organisation=OuterRef("pk")
    )
    due = (
        queries.officer_institutions(user)
        .annotate(
            started=Exists(this_year),
            completed=Exists(this_year.filter(completed_at__isnull=False)),
        )
        .filter(completed=False)
    )
    for organisation in due:
        tasks.append(
            Task(
                kind=CHECKLIST,
                title=_("Complete the research-integrity checklist of %(institution)s")
                % {"institution": organisation.name},
                detail=_detail(organisation.started, fiscal_year),
                url=reverse("integrity-checklists:institution", args=[organisation.pk]),
            )
        )
    return tasks


register(
    CHECKLIST,
    checklist_tasks,
    sections=[
        Section(kind=CHECKLIST, heading=gettext_lazy("Research-integrity checklists"), order=45)
    ],
)
