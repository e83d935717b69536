from typing import Any

from django.core.management.base import BaseCommand

from openrd.accounts.services import load_organisations


class Command(BaseCommand):
    help = "Load (or refresh) the reference organisations of accounts/data/organisations.toml."

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = load_organisations()
        self.stdout.write(f"organisations: {len(loaded)}")
