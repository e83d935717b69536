from typing import Any

from django.core.management.base import BaseCommand

from openrd.ecosystem.accelerators import load_accelerators
from openrd.ecosystem.hubs import load_hubs


class Command(BaseCommand):
    help = (
        "Load (or refresh) the startup ecosystem hub cities (ecosystem/data/hubs.toml) and "
        "the acceleration programs with their budgets (ecosystem/data/accelerators.toml)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        hubs = load_hubs()
        programs = load_accelerators()
        self.stdout.write(f"{len(hubs)} hub consortia loaded")
        self.stdout.write(f"{len(programs)} acceleration program(s) loaded")
