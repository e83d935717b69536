from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from openrd.programs.models import Program
from openrd.strategy import metric_store
from openrd.strategy.models import Indicator, MetricRun


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
        pairs = set(Indicator.objects.exclude(computed="").values_list("computed", "program__code"))
        programs = Program.objects.in_bulk({p for _m, p in pairs if p}, field_name="code")
        # Every stored run once, then the indicators' metrics not stored yet.
        stored = set(MetricRun.objects.values_list("metric", "scope"))
        self.stdout.write(f"refreshed {metric_store.refresh_all()} stored run(s)")
        for metric, scope in sorted((m, p or "") for m, p in pairs):
            if (metric, scope) in stored:
                continue
            done = metric_store.refresh(metric, programs.get(scope))
            self.stdout.write(f"{metric}[{scope or '*'}]: {len(done.values)} fiscal year(s)")
