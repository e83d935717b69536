"""Enqueue the periodic work of schedule.toml when it is due (any task backend)."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from openrd.jobs.schedule import ScheduleError, load_schedule
from openrd.jobs.scheduler import resolve_task, run_due


class Command(BaseCommand):
    help = (
        "Every --interval seconds, enqueue each entry of openrd/jobs/schedule.toml whose slot "
        "has come; several schedulers may run, each slot is enqueued once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between looks")
        parser.add_argument("--once", action="store_true", help="look once, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            entries = load_schedule()
            for entry in entries:
                resolve_task(entry)
        except ScheduleError as exc:
            raise CommandError(f"schedule.toml: {exc}") from exc
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        if not options["once"]:
            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)
        self.stdout.write(f"Scheduler started: {len(entries)} entries")
        while True:
            close_old_connections()
            for run in run_due(entries):
                self.stdout.write(f"enqueued {run.entry} ({run.slot.isoformat()})")
            if options["once"] or stop.wait(max(0.1, options["interval"])):
                return
