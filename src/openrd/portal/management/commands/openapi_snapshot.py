import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from openrd.api import api

SNAPSHOT = settings.PROJECT_DIR / "docs" / "openapi.json"


def current_schema() -> str:
    # The schema's descriptions are translatable; the snapshot is the English one.
    with translation.override("en"):
        schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI snapshot (docs/openapi.json), or with --check fail when stale."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        schema = current_schema()
        path = Path(SNAPSHOT)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != schema:
                raise CommandError(
                    "docs/openapi.json is stale: run `python3 tasks.py openapi` and commit it."
                )
            self.stdout.write("OpenAPI snapshot is current.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(schema, encoding="utf-8")
        shown = (
            path.relative_to(settings.PROJECT_DIR)
            if path.is_relative_to(settings.PROJECT_DIR)
            else path
        )
        self.stdout.write(f"wrote {shown}")
