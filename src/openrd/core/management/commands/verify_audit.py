"""Check the audit log's hash chain; export or compare a checkpoint of its head."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openrd.core.audit import chain_links, current_checkpoint
from openrd.core.audit_chain import Checkpoint, verify


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain and name the first broken link (exit status 1). "
        "--export-checkpoint FILE writes the chain head; --checkpoint FILE also checks that "
        "the log still contains that head (detects a truncated or rewritten log)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--checkpoint", type=Path, help="a checkpoint file written earlier")
        parser.add_argument(
            "--export-checkpoint", type=Path, help="write the current head to this file"
        )
        parser.add_argument("--batch", type=int, default=1000, help="rows read at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = self._read_checkpoint(options["checkpoint"])
        # Taken before the walk: entries written meanwhile are simply not covered.
        head = current_checkpoint()
        broken = verify(chain_links(batch=max(1, options["batch"])), checkpoint)
        if broken is not None:
            raise CommandError(f"audit log broken at {broken}", returncode=1)
        self.stdout.write(f"audit log intact: {head.seq} entries, head {head.hash}")
        if options["export_checkpoint"] is not None:
            options["export_checkpoint"].write_text(head.to_json() + "\n", encoding="utf-8")
            self.stdout.write(f"checkpoint written to {options['export_checkpoint']}")

    @staticmethod
    def _read_checkpoint(path: Path | None) -> Checkpoint | None:
        if path is None:
            return None
        try:
            return Checkpoint.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read checkpoint {path}: {exc}", returncode=2) from exc
