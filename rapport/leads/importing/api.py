"""`POST /api/v1/leads/import` (start an import job) and `POST /api/v1/leads/import/preview`.

Multipart: the file, plus form fields. The job is followed with `GET /api/v1/jobs/{id}`, which
gives `created`, `updated`, `skipped`, `failed` and `errors` (row number + message) once it is done.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from rapport.core.api_support import UNSTORABLE_TEXT, actor_of
from rapport.core.errors import InvalidInput
from rapport.core.visibility import require
from rapport.leads.importing import service
from rapport.leads.importing.mapping import NOT_AN_OBJECT

import_router = Router(tags=["leads"])

BAD_JSON = _("The mapping is not valid JSON.")


class ImportForm(Schema):
    """The form fields sent with the file."""

    mapping: str | None = Field(
        None,
        description='JSON object: column header → lead field, e.g. {"Nazwisko": "last_name", "Firma": "company"}. '
        "Targets: the lead fields, full_name, estimated_value, tags, owner, status, cf_<key>, ignore. "
        "Suggested from the headers when absent.",
    )
    duplicates: str = Field(
        "skip", description="skip, update or create: what a row that matches a lead or contact does."
    )
    dry_run: bool = Field(False, description="Check everything and report, but save nothing.")
    decimal_separator: str = Field("auto", description='auto, "," or ".".')
    date_format: str = Field("iso", description="iso (2026-12-31), dmy (31.12.2026) or mdy (12/31/2026).")
    source: str | None = Field(None, description="Lead source code for rows without one (default purchased_list).")
    campaign: str | None = Field(None, max_length=150, description="Campaign for rows without one.")
    tags: str | None = Field(None, description="Comma-separated tags every imported lead gets.")
    currency: str | None = Field(None, description="Currency of amounts written without one (default: the company's).")


class ImportQueued(Schema):
    job: uuid.UUID = Field(..., description="Follow it with GET /api/v1/jobs/{id}.")


class PreviewRowOut(Schema):
    row: int
    outcome: str = Field(..., description="created, updated, skipped or failed, as the import would do it.")
    message: str
    errors: list[dict[str, str]] = Field(..., description="field (column) and message of each problem.")


class PreviewOut(Schema):
    encoding: str
    delimiter: str
    rows_estimate: int
    headers: list[str]
    mapping: dict[str, str]
    rows: list[PreviewRowOut]


def _checked(form: ImportForm) -> dict[str, Any]:
    """The form as service arguments: NUL characters refused, the mapping decoded."""
    values = form.dict()
    bad = {name: [str(UNSTORABLE_TEXT)] for name, value in values.items() if isinstance(value, str) and "\x00" in value}
    if bad:
        raise InvalidInput(bad)
    mapping = None
    if values["mapping"] not in (None, ""):
        try:
            mapping = json.loads(values["mapping"])
        except ValueError as exc:
            raise InvalidInput({"mapping": [str(BAD_JSON)]}) from exc
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise InvalidInput({"mapping": [str(NOT_AN_OBJECT)]})
    options = {
        key: values[key] for key in ("decimal_separator", "date_format", "source", "campaign", "tags", "currency")
    }
    return {"mapping": mapping, "duplicates": values["duplicates"], "dry_run": values["dry_run"], "options": options}


def _stored(request: HttpRequest, file: UploadedFile) -> str:
    return service.import_upload(actor=actor_of(request), upload=file, filename=file.name or "")


@import_router.post("", response={202: ImportQueued}, summary="Import leads from a CSV or XLSX file (as a job)")
def import_leads(request: HttpRequest, file: File[UploadedFile], form: Form[ImportForm]) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "create", "lead")
    arguments = _checked(form)
    path = _stored(request, file)
    try:
        job = service.import_start(actor=actor, path=path, filename=file.name or "", **arguments)
    except Exception:
        service.forget_upload(path)
        raise
    return Status(202, {"job": job.pk})


@import_router.post("/preview", response=PreviewOut, summary="Check the first rows of a lead file without importing")
def preview_import(request: HttpRequest, file: File[UploadedFile], form: Form[ImportForm]) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "create", "lead")
    arguments = _checked(form)
    path = _stored(request, file)
    try:
        preview = service.import_preview(
            actor=actor,
            path=path,
            mapping=arguments["mapping"],
            duplicates=arguments["duplicates"],
            options=arguments["options"],
        )
    finally:
        service.forget_upload(path)
    file_format = preview.inspection.format
    return {
        "encoding": file_format.encoding_label if file_format.kind == "csv" else "XLSX",
        "delimiter": file_format.delimiter_label,
        "rows_estimate": file_format.rows_estimate,
        "headers": preview.inspection.headers,
        "mapping": preview.mapping,
        "rows": [
            {
                "row": plan.row,
                "outcome": plan.outcome,
                "message": plan.error_text() if plan.errors else plan.message,
                "errors": [{"field": column, "message": message} for column, message in plan.errors],
            }
            for plan in preview.plans
        ],
    }
