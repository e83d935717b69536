from typing import Any

from django.core.management.base import BaseCommand

from openrd.programs.services import load_presets


class Command(BaseCommand):
    help = "Load (or refresh) the programs declared in programs/presets/*.toml."

    def handle(self, *args: Any, **options: Any) -> None:
        for program, changed in load_presets():
            state = "loaded" if changed else "unchanged"
            self.stdout.write(f"{program.code}: {state}")
