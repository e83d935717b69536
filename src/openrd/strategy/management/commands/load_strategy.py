from typing import Any

from django.core.management.base import BaseCommand

from openrd.strategy.services import load_strategies


class Command(BaseCommand):
    help = "Load (or refresh) the strategies declared in strategy/data/strategy_*.toml."

    def handle(self, *args: Any, **options: Any) -> None:
        for strategy, changed in load_strategies():
            state = "loaded" if changed else "unchanged"
            self.stdout.write(f"{strategy.code}: {state}")
