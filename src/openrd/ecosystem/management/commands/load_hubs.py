from typing import Any

from django.core.management.base import BaseCommand

from openrd.ecosystem.hubs import load_hubs


class Command(BaseCommand):
    help = (
        "Load (or refresh) the startup ecosystem hub cities declared in ecosystem/data/hubs.toml."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        hubs = load_hubs()
        self.stdout.write(f"{len(hubs)} hub consortia loaded")
