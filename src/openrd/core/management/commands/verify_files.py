"""Check that every stored file still holds the bytes its digest names.

Run it from cron or after restoring a backup: it exits non-zero when any file
is missing or damaged, with one line per broken file.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openrd.core.files import is_temporary, local_path, stored_problem
from openrd.core.models import StoredFile

# A temporary file this old cannot belong to a write still in progress.
STALE_AFTER_SECONDS = 3600


class Command(BaseCommand):
    help = (
        "Verify the size and SHA-256 of every stored file; exit 1 when any is missing or damaged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--remove-temporary",
            action="store_true",
            help="Delete temporary files left by interrupted writes (older than one hour).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checked = broken = 0
        # iterator() keeps memory flat however many files there are; hashing streams.
        for stored in StoredFile.objects.order_by("pk").iterator(chunk_size=500):
            checked += 1
            problem = stored_problem(stored.storage_name, sha256=stored.sha256, size=stored.size)
            if problem is not None:
                broken += 1
                self.stdout.write(f"BROKEN {stored.storage_name}: {problem}")
        self._report_temporary(remove=options["remove_temporary"])
        if broken:
            raise CommandError(f"{broken} of {checked} stored files are broken.", returncode=1)
        self.stdout.write(f"{checked} stored files checked; all match their size and SHA-256.")

    def _report_temporary(self, *, remove: bool) -> None:
        root = local_path("files")
        # Object stores never expose partial uploads, so there is nothing to find.
        if root is None or not root.is_dir():
            return
        now = time.time()
        for path in sorted(root.rglob("*")):
            if not (path.is_file() and is_temporary(path.name)):
                continue
            stale = now - path.stat().st_mtime > STALE_AFTER_SECONDS
            if remove and stale:
                path.unlink(missing_ok=True)
                self.stdout.write(f"removed temporary file {path}")
            else:
                # Never served or reused: only a file under its digest counts as stored.
                self.stdout.write(f"temporary file (not a stored file) {path}")
