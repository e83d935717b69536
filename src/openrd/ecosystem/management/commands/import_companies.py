"""Import a public registry snapshot of companies, or SBIR award records, from a
CSV or JSON file: every row checked first, all or nothing, a report by row."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from openrd.accounts.models import User
from openrd.core.fiscal import to_tokyo
from openrd.ecosystem.imports import ImportRefused, import_snapshot
from openrd.ecosystem.sbir_imports import import_sbir_records


class Command(BaseCommand):
    help = "Import companies from a registry snapshot, or (--sbir) SBIR award records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", required=True,
                            help="The account the import is recorded under (staff).")  # fmt: skip
        parser.add_argument("--sbir", action="store_true", help="The file holds SBIR awards.")
        parser.add_argument(
            "--as-of", type=date.fromisoformat, default=None,
            help="The snapshot's date (YYYY-MM-DD; default today in Tokyo).",
        )  # fmt: skip
        parser.add_argument("--source", default="", help="The snapshot's or list's name.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"no account {options['username']!r}")
        path: Path = options["file"]
        today = to_tokyo(timezone.now()).date()
        try:
            if options["sbir"]:
                report = import_sbir_records(path.read_bytes(), path.name, actor=actor,
                                             today=today, source=options["source"])  # fmt: skip
                done = (f"{report.facts} SBIR record(s) added, {report.updated} updated, "
                        f"{report.created} compan(y/ies) created")  # fmt: skip
            else:
                report = import_snapshot(path.read_bytes(), path.name, actor=actor,
                                         as_of=options["as_of"] or today,
                                         snapshot=options["source"])  # fmt: skip
                done = (f"{report.created} compan(y/ies) created, {report.updated} updated, "
                        f"{report.facts} fact(s) recorded")  # fmt: skip
        except ImportRefused as refused:
            for e in refused.report.errors:
                self.stderr.write(f"row {e.row}, {e.column}: {e.message}")
            raise CommandError(f"nothing imported: {len(refused.report.errors)} error(s)") from None
        except PermissionDenied:
            raise CommandError(f"{actor.username} may not import registry data") from None
        except ValidationError as exc:
            raise CommandError(
                " ".join(m for ms in exc.message_dict.values() for m in ms)
            ) from None
        self.stdout.write(done)
