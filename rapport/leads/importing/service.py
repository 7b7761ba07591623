"""Import use cases: keep an upload, look at it (columns, suggested mapping, preview), start the job.

The UI and the API go through these functions; the job itself is `runner.run_import`.
Every one of them requires the right to create leads.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.models import Currency, CustomField, Job, User
from rapport.core.services.jobs import job_start
from rapport.core.visibility import require
from rapport.leads.importing import mapping as mappings
from rapport.leads.importing.deciding import POLICIES
from rapport.leads.importing.reading import NO_ROWS, FileFormat, detect_format, open_table
from rapport.leads.importing.rows import Options, RowPlan, lookup_key
from rapport.leads.importing.runner import ImportRun
from rapport.leads.importing.values import DATE_FORMATS, DECIMAL_SEPARATORS, as_text, is_blank
from rapport.leads.models import LeadSource
from rapport.leads.services.leads import tag_names

UPLOAD_FOLDER = "lead-imports"
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
PREVIEW_ROWS = 20
SAMPLE_ROWS = 3
KIND = "leads.import"
STALE_AFTER = dt.timedelta(days=1)

TOO_LARGE = gettext_lazy("The file is larger than %(limit)s MB; split it into smaller files.")
NO_FILE = gettext_lazy("Choose a CSV or XLSX file.")
UNKNOWN_POLICY = gettext_lazy("Choose skip, update or create.")
UNKNOWN_SEPARATOR = gettext_lazy("Choose auto, “,” or “.”.")
UNKNOWN_DATE_FORMAT = gettext_lazy("Choose iso, dmy or mdy.")
UNKNOWN_SOURCE = gettext_lazy("There is no such lead source.")
UNKNOWN_CURRENCY = gettext_lazy("Choose an active currency.")
CAMPAIGN_TOO_LONG = gettext_lazy("A campaign name has at most 150 characters.")

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


def max_bytes() -> int:
    return int(getattr(settings, "RAPPORT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def clean_filename(name: str) -> str:
    """The uploaded file's own name, without folders or control characters (it is shown and stored)."""
    base = os.path.basename(str(name).replace("\\", "/"))
    return _UNSAFE_NAME.sub(" ", base).encode("utf-8", "replace").decode("utf-8").strip()[:150] or "import.csv"


# --- options -----------------------------------------------------------------------------------------


def clean_options(options: Mapping[str, Any] | None) -> Options:
    """Check the import options; InvalidInput names each wrong one."""
    given = dict(options or {})
    errors: dict[str, list[str]] = {}
    separator = str(given.get("decimal_separator") or "auto")
    if separator not in DECIMAL_SEPARATORS:
        errors["decimal_separator"] = [str(UNKNOWN_SEPARATOR)]
    date_format = str(given.get("date_format") or "iso")
    if date_format not in DATE_FORMATS:
        errors["date_format"] = [str(UNKNOWN_DATE_FORMAT)]
    source = str(given.get("source") or "purchased_list").strip()
    if not _source_exists(source):
        errors["source"] = [str(UNKNOWN_SOURCE)]
    campaign = " ".join(str(given.get("campaign") or "").split())
    if len(campaign) > 150:
        errors["campaign"] = [str(CAMPAIGN_TOO_LONG)]
    raw_tags = given.get("tags") or []
    if isinstance(raw_tags, str):
        raw_tags = raw_tags.split(",")
    try:
        tags = tag_names(raw_tags if isinstance(raw_tags, list | tuple) else [str(raw_tags)])
    except InvalidInput as exc:
        errors.update(exc.errors)
        tags = []
    currency = str(given.get("currency") or "").strip().upper()
    if currency and not Currency.objects.filter(code=currency, active=True).exists():
        errors["currency"] = [str(UNKNOWN_CURRENCY)]
    if errors:
        raise InvalidInput(errors)
    return Options(separator, date_format, source, campaign, tuple(tags), currency)


def _source_exists(text: str) -> bool:
    wanted = lookup_key(text)
    return any(lookup_key(name) == wanted for s in LeadSource.objects.all() for name in (s.code, s.name, str(s)))


def options_dict(options: Options) -> dict[str, Any]:
    return {
        "decimal_separator": options.decimal_separator,
        "date_format": options.date_format,
        "source": options.source,
        "campaign": options.campaign,
        "tags": list(options.tags),
        "currency": options.currency,
    }


# --- the stored file ---------------------------------------------------------------------------------


def check_upload(upload: IO[bytes], size: int | None) -> FileFormat:
    """Refuse what is too large or is no CSV/XLSX table (InvalidInput on `file`), before storing it."""
    limit = max_bytes()
    if size is not None and size > limit:
        raise InvalidInput({"file": [str(TOO_LARGE % {"limit": limit // (1024 * 1024)})]})
    upload.seek(0)
    file_format = detect_format(upload, size or 0)
    upload.seek(0)
    with open_table(upload, file_format) as (_headers, rows):
        if next(iter(rows), None) is None:
            raise InvalidInput({"file": [str(NO_ROWS)]})
    upload.seek(0)
    return file_format


def import_upload(*, actor: User, upload: File[Any], filename: str) -> str:
    """Keep an uploaded file for an import; returns its name in Django's default storage.

    Too large or unreadable → InvalidInput on `file`, and nothing is stored.
    """
    require(actor, "create", "lead")
    if upload is None:
        raise InvalidInput({"file": [str(NO_FILE)]})
    check_upload(upload, upload.size)
    extension = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return default_storage.save(f"{UPLOAD_FOLDER}/{actor.pk}/{uuid.uuid4().hex}{extension}", upload)


def upload_path(actor: User, token: str) -> str:
    """The stored upload an id in a page address names: only the actor's own (else RecordNotFound)."""
    if not re.fullmatch(r"[0-9a-f]{32}\.(csv|xlsx)", token or ""):
        raise RecordNotFound()
    path = f"{UPLOAD_FOLDER}/{actor.pk}/{token}"
    if not default_storage.exists(path):
        raise RecordNotFound()
    return path


def forget_upload(path: str) -> None:
    if default_storage.exists(path):
        default_storage.delete(path)


def forget_stale_uploads(actor: User, older_than: dt.timedelta = STALE_AFTER) -> None:
    """Delete the actor's uploads that were never imported (left on the mapping page)."""
    folder = f"{UPLOAD_FOLDER}/{actor.pk}"
    try:
        _folders, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    limit = timezone.now() - older_than
    for name in names:
        try:
            if default_storage.get_modified_time(f"{folder}/{name}") < limit:
                default_storage.delete(f"{folder}/{name}")
        except (FileNotFoundError, NotImplementedError):
            continue


@contextmanager
def _opened(path: str) -> Iterator[tuple[IO[bytes], FileFormat]]:
    try:
        handle = default_storage.open(path, "rb")
    except FileNotFoundError as exc:
        raise RecordNotFound() from exc
    with handle:
        file_format = detect_format(handle, default_storage.size(path))
        handle.seek(0)
        yield handle, file_format


# --- inspecting and previewing ---------------------------------------------------------------------------


@dataclass
class Inspection:
    """What the file looks like: its format, its columns and the mapping suggested for them."""

    format: FileFormat
    headers: list[str]
    suggested: dict[str, str]
    targets: list[tuple[str, str]]
    samples: dict[str, list[str]]  # column → its first few non-blank values


def import_inspect(*, actor: User, path: str) -> Inspection:
    """The columns of a stored file and the suggested mapping (from the header names)."""
    require(actor, "create", "lead")
    fields = list(CustomField.objects.filter(record_type="lead"))
    with _opened(path) as (handle, file_format), open_table(handle, file_format) as (headers, rows):
        samples: dict[str, list[str]] = {header: [] for header in headers}
        for _number, cells in islice(rows, SAMPLE_ROWS):
            for header, cell in zip(headers, cells, strict=False):
                if not is_blank(cell):
                    samples[header].append(as_text(cell))
    suggested = mappings.suggest(headers, fields)
    return Inspection(file_format, headers, suggested, mappings.targets(fields), samples)


@dataclass
class Preview:
    """The first rows as the import would treat them (a dry run), with the predicted counts."""

    inspection: Inspection
    mapping: dict[str, str]
    plans: list[RowPlan]
    counts: dict[str, int]


def import_preview(
    *,
    actor: User,
    path: str,
    mapping: Mapping[str, str] | None = None,
    duplicates: str = "skip",
    options: Mapping[str, Any] | None = None,
    rows: int = PREVIEW_ROWS,
) -> Preview:
    """Read, check and match the first rows without writing anything."""
    inspection = import_inspect(actor=actor, path=path)
    policy = _policy(duplicates)
    cleaned = clean_options(options)
    with _opened(path) as (handle, file_format), open_table(handle, file_format) as (headers, source):
        run = ImportRun(
            actor=actor,
            headers=headers,
            mapping=dict(mapping) if mapping is not None else inspection.suggested,
            policy=policy,
            dry_run=True,
            options=cleaned,
            encoding=file_format.encoding_label,
        )
        plans = run.process(list(islice(source, rows)))
    return Preview(inspection, run.mapping, plans, dict(run.counts))


def _policy(duplicates: str) -> str:
    if duplicates not in POLICIES:
        raise InvalidInput({"duplicates": [str(UNKNOWN_POLICY)]})
    return duplicates


# --- starting the job --------------------------------------------------------------------------------------


@transaction.atomic
def import_start(
    *,
    actor: User,
    path: str,
    filename: str,
    mapping: dict[str, str] | None = None,
    duplicates: str = "skip",
    dry_run: bool = False,
    options: dict[str, Any] | None = None,
) -> Job:
    """Queue the import of a file kept in Django's default storage (`path` is its storage name,
    as `import_upload` returns it; the job deletes the file when it ends).

    `mapping` is {column header: target} (suggested from the headers when None); `duplicates` is
    skip, update or create; `options` may give decimal_separator, date_format, source (a code),
    campaign, tags and currency. Wrong input → InvalidInput, and no job.
    """
    require(actor, "create", "lead")
    policy = _policy(duplicates)
    cleaned = clean_options(options)
    fields = list(CustomField.objects.filter(record_type="lead"))
    with _opened(path) as (handle, file_format), open_table(handle, file_format) as (headers, _rows):
        pass
    chosen = mapping if mapping is not None else mappings.suggest(headers, fields)
    checked = mappings.validate(chosen, headers, fields)
    name = clean_filename(filename)
    title = _("Lead import from %(file)s") % {"file": name}
    if dry_run:
        title = _("Lead import from %(file)s (dry run)") % {"file": name}
    return job_start(
        actor=actor,
        kind=KIND,
        title=title,
        params={
            "path": path,
            "filename": name,
            "mapping": checked,
            "duplicates": policy,
            "dry_run": bool(dry_run),
            "options": options_dict(cleaned),
            "format": file_format.as_params(),
            # The language of the request: blank columns are named in it ("Column 3"), and so is the report.
            "language": get_language() or actor.language,
        },
    )
