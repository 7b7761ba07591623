"""`manage.py export_openapi [--check] [--output PATH]`: the OpenAPI document, as committed in docs/.

The committed document describes the product: it leaves out the custom fields of whatever database
the command runs against (the live `/api/v1/openapi.json` includes them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

DEFAULT_OUTPUT = "docs/api/openapi.json"
REGENERATE = "python manage.py export_openapi"


def openapi_document() -> str:
    """The API's OpenAPI document as text: sorted keys, two-space indent, a final newline."""
    from rapport.config.api import api

    with translation.override("en"):
        schema = api.get_openapi_schema(with_custom_fields=False)
    # Through JSON once, so integer status codes become strings before the keys are sorted.
    plain = json.loads(json.dumps(schema, default=str))
    return json.dumps(plain, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document (default docs/api/openapi.json), or with --check compare it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", default=None, help=f"Where to write it (default {DEFAULT_OUTPUT} in the project)."
        )
        parser.add_argument(
            "--check", action="store_true", help="Write nothing; exit 1 if the file differs from the code."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["output"]) if options["output"] else Path(settings.BASE_DIR) / DEFAULT_OUTPUT
        document = openapi_document()
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != document:
                raise CommandError(
                    f"{path} is out of date with the API code. Run `{REGENERATE}` and commit the result.",
                    returncode=1,
                )
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
