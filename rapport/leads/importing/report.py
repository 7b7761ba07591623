"""The import report: one CSV line per row (row, outcome, lead, message), written as the import goes.

The file grows in a temporary file on disk, not in memory, and is attached to the job at the end.
Cells a spreadsheet would read as formulas are neutralised (`rapport.core.exports.neutralise`).
"""

from __future__ import annotations

import csv
import io
import tempfile

from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core.exports import neutralise
from rapport.core.models import Job

OUTCOME_LABELS = {
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "skipped": gettext_lazy("skipped"),
    "failed": gettext_lazy("failed"),
}


class ReportFile:
    """A CSV report written line by line to a temporary file."""

    def __init__(self) -> None:
        self._buffer = tempfile.TemporaryFile()  # noqa: SIM115 — closed in attach()/close()
        self._text = io.TextIOWrapper(self._buffer, encoding="utf-8", newline="")
        self._text.write("\ufeff")  # so spreadsheet programs read UTF-8 names correctly
        self._writer = csv.writer(self._text)
        self._writer.writerow([_("Row"), _("Outcome"), _("Lead"), _("Message")])

    def add(self, row: int, outcome: str, lead_id: int | None, message: str) -> None:
        label = str(OUTCOME_LABELS.get(outcome, outcome))
        self._writer.writerow([row, label, lead_id or "", neutralise(message)])

    def attach(self, job: Job) -> str:
        """Put the report on the job (saved with it when the job finishes); returns the file name."""
        name = f"lead-import-report-{timezone.now():%Y%m%d-%H%M%S}.csv"
        self._text.flush()
        self._text.detach()
        self._buffer.seek(0)
        job.file.save(name, File(self._buffer, name=name), save=False)
        self._buffer.close()
        return name

    def close(self) -> None:
        if not self._buffer.closed:
            self._buffer.close()
