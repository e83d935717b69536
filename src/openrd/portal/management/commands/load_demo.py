from typing import Any

from django.core.management.base import BaseCommand

from openrd.portal.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load reference organisations, the program presets and the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo()
        self.stdout.write(f"programs: {', '.join(result['programs'])}")
        if result["users_created"]:
            self.stdout.write(
                f"demo accounts created: {', '.join(result['users_created'])} "
                f"(password: {DEMO_PASSWORD})"
            )
