"""Write the OAI-PMH metadata of every record not yet rendered for the site.

ListRecords renders what it lacks as it goes; run this after a bulk import or
a release that changes the metadata formats, so the next full harvest reads
kept rows only. The schedule runs the same work nightly.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openrd.repository.oai.rendered import refresh_site


class Command(BaseCommand):
    help = "Render the oai_dc and jpcoar_2.0 metadata of every record that lacks it or is stale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url", default="", help="The public root URL (default OPENRD_SITE_URL)."
        )
        parser.add_argument("--language", default="", help="The links' language (default ja).")
        parser.add_argument("--batch", type=int, default=500, help="Records per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        written = refresh_site(options["site_url"], options["language"], batch=options["batch"])
        seconds = time.perf_counter() - started
        rate = written / seconds if seconds else 0.0
        self.stdout.write(f"rendered {written} records in {seconds:.1f} s ({rate:,.0f}/s)")
