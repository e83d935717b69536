"""Enqueue each due schedule entry once per slot, however many schedulers run."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from openrd.jobs.models import ScheduledRun
from openrd.jobs.schedule import Entry, ScheduleError

logger = logging.getLogger("openrd.jobs")


def resolve_task(entry: Entry) -> Any:
    try:
        found = import_string(entry.task)
    except ImportError as exc:
        raise ScheduleError(f"{entry.name}: cannot import {entry.task}") from exc
    # django.tasks' own Task, or the class the backend builds (RQ's is the
    # django-tasks backport's): what matters is that it can be enqueued.
    if not callable(getattr(found, "enqueue", None)) or not hasattr(found, "module_path"):
        raise ScheduleError(f"{entry.name}: {entry.task} is not a django.tasks @task")
    return found


def run_due(entries: list[Entry], now: dt.datetime | None = None) -> list[ScheduledRun]:
    """Claim the current slot of each entry and enqueue its task; the entries
    whose slot another scheduler already claimed are skipped. Returns the runs
    this call enqueued."""
    now = now or timezone.now()
    enqueued: list[ScheduledRun] = []
    for entry in entries:
        task = resolve_task(entry)
        slot = entry.slot(now)
        if ScheduledRun.objects.filter(entry=entry.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                # The unique (entry, slot) row is the decision: a second
                # scheduler's insert fails here and enqueues nothing. On the
                # database backend the task row commits with it, or neither.
                run = ScheduledRun.objects.create(entry=entry.name, slot=slot, task_path=entry.task)
                run.task_result_id = str(task.enqueue().id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue
        logger.info("Enqueued %s for its slot %s", entry.name, slot.isoformat())
        enqueued.append(run)
    return enqueued
