"""The `leads.import` job: read the stored file in batches, decide, write, report.

Per batch of `BATCH` rows: every row is read and checked in Python (a bad row fails alone), the
duplicates are looked up with a few `IN` queries, the policy is applied, owners are assigned and
scores computed in memory, then the batch is written in one transaction (`writing.Writer`).
A dry run does everything except the writing and gives the same report. The preview is a dry
run of the first rows (`ImportRun.process`).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO, Any, cast

from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabase
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext, override

from rapport.core.errors import DomainError
from rapport.core.models import Job, User
from rapport.core.services.jobs import Progress
from rapport.core.services.notifications import notify
from rapport.leads.importing.building import Built, built_here, built_in_child, can_fork
from rapport.leads.importing.deciding import CREATED, FAILED, SKIPPED, UPDATED, Decider, Decision
from rapport.leads.importing.mapping import validate
from rapport.leads.importing.reading import FileFormat, Row, open_table
from rapport.leads.importing.report import ReportFile
from rapport.leads.importing.rows import Lookups, Options, RowBuilder, RowPlan
from rapport.leads.importing.writing import Writer, snapshot

BATCH = 1000
CHILD_FROM_BYTES = 1 << 20  # files from 1 MB (~7,000 rows) are read in a second process (`building`)
MAX_LISTED = 1000  # errors and skips kept in the job's result; the report file has them all
FILE_GONE = gettext_lazy("The uploaded file is no longer there; upload it again.")


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Lists of `size` rows; a batch is let go before the next is read (one batch in memory)."""
    iterator = iter(rows)
    while True:
        batch = list(islice(iterator, size))
        if not batch:
            return
        yield batch
        del batch


@dataclass
class Batch:
    """One batch's rows, what was decided for them, and the round-robin turns that decision took."""

    plans: list[RowPlan]
    decision: Decision
    positions: dict[int, int | None]


class ImportRun:
    """One import (or preview), batch by batch, counting outcomes and keeping the report."""

    def __init__(
        self,
        *,
        actor: User,
        headers: list[str],
        mapping: dict[str, str],
        policy: str,
        dry_run: bool,
        options: Options,
        encoding: str = "",
        job: Job | None = None,
        filename: str = "",
        report: ReportFile | None = None,
    ) -> None:
        self.actor = actor
        self.job = job
        self.filename = filename
        self.dry_run = dry_run
        self.lookups = Lookups(default_currency=options.currency or None)
        fields = self.lookups.custom_fields
        self.mapping = validate(mapping, headers, fields)
        self.builder = RowBuilder(headers, self.mapping, self.lookups, options)
        self.builder.encoding = encoding
        texts: dict[tuple[type, Any], str] = {}
        self.decider = Decider(
            actor=actor, policy=policy, dry_run=dry_run, snapshot=lambda lead, tags: snapshot(lead, tags, fields, texts)
        )
        self.writer = None
        if not dry_run and job is not None:
            self.writer = Writer(actor=actor, job=job, filename=filename, fields=fields)
        self.report = report
        self.counts: Counter[str] = Counter()
        self.errors: list[dict[str, Any]] = []
        self.skips: list[dict[str, Any]] = []
        self.truncated = False

    def process(self, rows: list[Row]) -> list[RowPlan]:
        """Read, decide and (unless a dry run) write one batch; returns its rows' plans."""
        batch = self.decide(self.build(rows))
        self.write(batch)
        self.record(batch)
        return batch.plans

    def build(self, rows: list[Row]) -> list[RowPlan]:
        """Read one batch's rows (no database: this may run in the reading child, `building`)."""
        return [self.builder.build(number, cells) for number, cells in rows]

    def decide(self, plans: list[RowPlan]) -> Batch:
        """Decide one batch (no writing)."""
        decision = self.decider.decide([p for p in plans if p.valid])
        return Batch(plans, decision, self.decider.assigner.take_positions())

    def write(self, batch: Batch) -> None:
        if self.writer is not None:
            self.writer.write(batch.decision, batch.positions)

    def record(self, batch: Batch) -> None:
        """Count and report the batch's rows (after its writing: a refused row fails then)."""
        for plan in batch.plans:
            self._record(plan)

    def can_overlap(self) -> bool:
        """Whether a batch may be written in a second thread while the next one is read.

        PostgreSQL works in its own process, and SQLite's C code lets go of the interpreter lock
        while it writes (and, in WAL mode, lets the reader go on): the writing overlaps the reading
        and deciding of the next batch (measured, 100,000 rows: PostgreSQL 13.0 → 10.4 s for 20,000;
        SQLite 3,060 → 3,873 rows/s at 252 MB — once each distinct statement stopped being cached,
        see `inserting.chunk_sizes`). Never in a dry run, with the `update` policy (the next batch
        must read the leads this one changes), inside a transaction (as in tests), which another
        thread's connection would not see, or on an in-memory SQLite database (tests again), which
        has no WAL to read beside a writer."""
        database = connections[DEFAULT_DB_ALIAS]
        if self.writer is None or self.decider.policy == "update" or database.in_atomic_block:
            return False
        if database.vendor == "sqlite":
            return not cast(SQLiteDatabase, database).is_in_memory_db()
        return database.vendor == "postgresql"

    def _record(self, plan: RowPlan) -> None:
        if not plan.outcome:
            plan.outcome = FAILED
        self.counts[plan.outcome] += 1
        lead_id = plan.target.pk if plan.target is not None and plan.outcome in (CREATED, UPDATED) else None
        message = plan.error_text() if plan.outcome == FAILED else plan.message
        if plan.outcome == FAILED:
            for column, text in plan.errors:
                self._list(self.errors, {"row": plan.row, "field": column, "message": _joined(column, text)})
        elif plan.outcome == SKIPPED:
            self._list(self.skips, {"row": plan.row, "message": plan.message})
        if self.report is not None:
            self.report.add(plan.row, plan.outcome, None if self.dry_run else lead_id, message)

    def _list(self, entries: list[dict[str, Any]], entry: dict[str, Any]) -> None:
        if len(entries) < MAX_LISTED:
            entries.append(entry)
        else:
            self.truncated = True

    def result(self) -> dict[str, Any]:
        rows = sum(self.counts.values())
        return {
            "created": self.counts[CREATED],
            "updated": self.counts[UPDATED],
            "skipped": self.counts[SKIPPED],
            "failed": self.counts[FAILED],
            "rows": rows,
            "dry_run": self.dry_run,
            "errors": self.errors,
            "skips": self.skips,
            "truncated": self.truncated,
        }

    def notify_owners(self) -> None:
        """One notification per new owner for the whole import (not one per lead)."""
        if self.writer is None:
            return
        owners = User.objects.in_bulk(list(self.writer.assigned))
        for owner_id, count in self.writer.assigned.items():
            owner = owners[owner_id]
            with override(owner.language):
                message = ngettext(
                    "%(actor)s imported %(count)s lead for you from %(file)s.",
                    "%(actor)s imported %(count)s leads for you from %(file)s.",
                    count,
                ) % {"actor": self.actor, "count": count, "file": self.filename}
            first = self.writer.first_lead[owner_id]
            url = first.get_absolute_url() if count == 1 else reverse("leads:lead_list")
            notify(recipient=owner, message=message, url=url)


def _joined(column: str, text: str) -> str:
    return f"{column}: {text}" if column else text


def _fraction(handle: IO[bytes], size: int, file_format: FileFormat, rows_done: int) -> float:
    if file_format.kind == "csv":
        try:
            return handle.tell() / max(size, 1)
        except (OSError, ValueError):
            return 0.0
    return rows_done / max(file_format.rows_estimate, 1)


def run_import(job: Job, progress: Progress) -> dict[str, Any]:
    """The job handler (registered as `leads.import`); the stored file is deleted at the end."""
    params = job.params
    path = params["path"]
    try:
        with override(params.get("language") or job.created_by.language), _frozen_heap():
            return _run(job, params, progress)
    finally:
        if default_storage.exists(path):
            default_storage.delete(path)


@contextmanager
def _frozen_heap() -> Iterator[None]:
    """Keep the objects that exist before the import out of the garbage collector's full passes.

    An import allocates many objects that live for a batch; each full collection would otherwise
    walk the whole process heap again (measured: most of the time of a batch on a large heap).
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)  # a batch makes ~100,000 short-lived objects; collect less often
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _run(job: Job, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    file_format = FileFormat(**params["format"])
    report = ReportFile()
    try:
        try:
            handle = default_storage.open(params["path"], "rb")
        except FileNotFoundError as exc:
            raise DomainError(str(FILE_GONE)) from exc
        with handle, open_table(handle, file_format) as (headers, rows):
            size = default_storage.size(params["path"])
            run = ImportRun(
                actor=job.created_by,
                headers=headers,
                mapping=params["mapping"],
                policy=params["duplicates"],
                dry_run=bool(params["dry_run"]),
                options=Options(**{**params["options"], "tags": tuple(params["options"].get("tags") or ())}),
                encoding=file_format.encoding_label,
                job=job,
                filename=params["filename"],
                report=report,
            )

            def fraction(rows_done: int) -> float:
                return _fraction(handle, size, file_format, rows_done)

            def batch_done(built: Built) -> None:
                progress(min(99, int(built.fraction * 100)))

            if run.can_overlap():
                build = built_in_child if _worth_a_child(size) else built_here
                _overlapped(run, build(run.build, batches(rows, BATCH), fraction), batch_done)
            else:
                for built in built_here(run.build, batches(rows, BATCH), fraction):
                    batch = run.decide(built.plans)
                    run.write(batch)
                    run.record(batch)
                    batch_done(built)
                    del built, batch
        run.notify_owners()
        result = run.result()
        result["filename"] = report.attach(job)
        result["source_file"] = params["filename"]
        return result
    finally:
        report.close()


def _worth_a_child(size: int) -> bool:
    """A reading child for files of some size, where forking one (~10 ms) is nothing."""
    return size >= CHILD_FROM_BYTES and can_fork()


def _overlapped(run: ImportRun, source: Iterator[Built], batch_done: Callable[[Built], None]) -> None:
    """Write each batch in a second thread while the next one is decided (and read, by `source`).

    PostgreSQL works in its own process while this one reads, and psycopg lets other threads run
    while it waits. The writer thread has its own connection; duplicates among this file's rows are
    caught in memory (`SeenRows`), so deciding a batch never needs the previous one committed.
    The job's progress is written between batches, when no write is under way. `source` starts
    before the writer thread does: a reading child is forked while this process has one thread."""
    language = get_language()

    def write(batch: Batch) -> None:
        with override(language):
            run.write(batch)

    pending: tuple[Future[None], Batch, Built] | None = None

    def finish() -> None:
        assert pending is not None
        future, batch, built = pending
        future.result()  # the writer's error, if any, is raised here
        run.record(batch)
        batch_done(built)

    first = next(source, None)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lead-import-writer") as writer:
        try:
            for built in chain([first] if first is not None else [], source):
                batch = run.decide(built.plans)
                if pending is not None:
                    finish()
                pending = (writer.submit(write, batch), batch, built)
                del built, batch
            if pending is not None:
                finish()
        finally:
            writer.submit(connections.close_all).result()  # the writer thread's own connection
