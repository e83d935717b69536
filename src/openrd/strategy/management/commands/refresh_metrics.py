from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from openrd.programs.models import Program
from openrd.strategy import metric_store
from openrd.strategy.models import Indicator


class Command(BaseCommand):
    help = (
        "Recompute the stored values of the computed indicators (after a bulk load, which "
        "sends no change signals): every indicator's metric, or with --dirty only those due."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dirty", action="store_true", help="only the metrics marked due")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dirty"]:
            self.stdout.write(f"refreshed {metric_store.refresh_dirty()} metric(s)")
            return
        pairs = set(Indicator.objects.exclude(computed="").values_list("computed", "program_id"))
        programs = Program.objects.in_bulk({p for _m, p in pairs if p is not None})
        for metric, program_id in sorted(pairs, key=lambda p: (p[0], p[1] or 0)):
            program = programs.get(program_id) if program_id is not None else None
            done = metric_store.refresh(metric, program)
            scope = program.code if program else "*"
            self.stdout.write(f"{metric}[{scope}]: {len(done.values)} fiscal year(s)")
        self.stdout.write(f"refreshed {metric_store.refresh_all()} stored run(s) in all")
