"""The repository's periodic work through the real scheduler and task backend:
an embargo that ended is lifted by the "lift-embargoes" entry."""

from __future__ import annotations

import datetime as dt

import pytest

from openrd.jobs.schedule import load_schedule
from openrd.jobs.scheduler import run_due
from openrd.jobs.testing import run_queued_tasks
from openrd.repository.models import Output
from openrd.repository.tests.conftest import PDF

pytestmark = [pytest.mark.django_db, pytest.mark.tasks]


def test_the_scheduler_lifts_an_ended_embargo(
    repo, task_backend, django_capture_on_commit_callbacks
):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    output = repo.deposit(access_rights="embargoed", embargo_until=tomorrow,
                          files=[("aam.pdf", PDF, "embargoed")])  # fmt: skip
    # The embargo's end has come (as if the days had passed).
    Output.objects.filter(pk=output.pk).update(embargo_until=dt.date(2020, 1, 1))
    entries = [e for e in load_schedule() if e.name == "lift-embargoes"]
    assert entries, "the schedule has the embargo entry"
    with django_capture_on_commit_callbacks(execute=True):
        runs = run_due(entries, now=dt.datetime.now(dt.UTC))
    assert [r.entry for r in runs] == ["lift-embargoes"]
    run_queued_tasks()
    output.refresh_from_db()
    assert output.access_rights == "open"
    assert output.files.get().access == "open"
