from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openrd.portal.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load reference organisations, the program presets and the demo accounts (debug only)."

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo accounts share a public password; on a production server
        # they would be open doors (the deploy check openrd.E003 refuses them too).
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to load the demo: DEBUG is off (OPENRD_DEBUG=0). The demo accounts "
                "share a public password and belong on a local debug server only."
            )
        result = load_demo()
        self.stdout.write(f"programs: {', '.join(result['programs'])}")
        if result["users_created"]:
            self.stdout.write(
                f"demo accounts created: {', '.join(result['users_created'])} "
                f"(password: {DEMO_PASSWORD})"
            )
