"""Judge the outputs' immediate-OA compliance and keep the verdicts.

Saves keep the verdicts current; run this after a bulk import (which sends no
signals), or with ``--all`` after a change of the policy files. The schedule
judges the unjudged every few minutes and everything nightly.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openrd.repository import compliance_store


class Command(BaseCommand):
    help = "Judge the outputs without an OA-compliance verdict (or, with --all, every output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Judge every output again.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        judge = compliance_store.judge_all if options["all"] else compliance_store.judge_unjudged
        done = judge()
        seconds = time.perf_counter() - started
        rate = done / seconds if seconds else 0.0
        self.stdout.write(f"judged {done} outputs in {seconds:.1f} s ({rate:,.0f}/s)")
