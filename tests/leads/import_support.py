"""Helpers for the lead-import tests: files in any encoding, and an import run to the end."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from rapport.core.models import Job, User
from rapport.core.services.jobs import job_run
from rapport.leads.importing.service import import_start


@pytest.fixture(autouse=True)
def private_media(settings: Any, tmp_path: Any) -> None:
    """Each test its own MEDIA_ROOT: uploads and reports of parallel tests never meet."""
    settings.MEDIA_ROOT = tmp_path / "media"


def csv_bytes(rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stored(content: bytes, name: str = "leads.csv") -> str:
    return default_storage.save(f"lead-imports/tests/{name}", ContentFile(content))


def run_import(actor: User, content: bytes, name: str = "leads.csv", **arguments: Any) -> Job:
    """Start the import as the services do, then run the job synchronously (as the worker would)."""
    job = import_start(actor=actor, path=stored(content, name), filename=name, **arguments)
    job_run(str(job.pk))
    job.refresh_from_db()
    return job
