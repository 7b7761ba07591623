"""A real worker writes each batch in a second thread while it reads the next: the outcome is the
same as batch by batch — duplicates across batches, round-robin turns, audit entries, the
importer's language — and a batch the database refuses still fails alone; the same when the rows
are read in a forked child.

On PostgreSQL (CI runs the suite there too): the import overlaps on a SQLite file as well, but not
on the tests' in-memory SQLite database, which has no WAL to read beside a writer."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.db import connection
from django.utils.translation import override

from rapport.core.models import AuditEntry
from rapport.leads.importing import runner, writing
from rapport.leads.importing.reading import Row
from rapport.leads.importing.rows import RowPlan
from rapport.leads.models import AssignmentRule, Lead, TeamStrategy
from tests.factories import lead_source
from tests.leads.import_support import csv_bytes, private_media, run_import  # noqa: F401 — private_media applies

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="the tests' in-memory SQLite has no WAL: the import overlaps there on PostgreSQL (CI runs these)",
    ),
]

HEADER = ["First Name", "Last Name", "Email", "Country", "Lead Source"]


@pytest.fixture(params=["read here", "read in a child"])
def writer_threads(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the threads that wrote batches; the rows read in this process or in a forked
    child (`building`: files from 1 MB; any size here)."""
    in_child = request.param == "read in a child"
    if in_child:
        monkeypatch.setattr(runner, "CHILD_FROM_BYTES", 0)
    names: list[str] = []
    built_here: list[int] = []  # a child's calls are counted in the child's copy of this list
    write, build = writing.Writer.write, runner.ImportRun.build

    def spy(self: writing.Writer, *args: object) -> None:
        names.append(threading.current_thread().name)
        write(self, *args)  # type: ignore[arg-type]

    def build_spy(self: runner.ImportRun, rows: list[Row]) -> list[RowPlan]:
        built_here.append(len(rows))
        return build(self, rows)

    monkeypatch.setattr(writing.Writer, "write", spy)
    monkeypatch.setattr(runner.ImportRun, "build", build_spy)
    monkeypatch.setattr(runner, "BATCH", 3)
    yield names
    assert (built_here == []) == in_child, built_here


def test_batches_written_beside_the_reading_give_the_same_outcome(org, writer_threads):
    AssignmentRule.objects.create(
        name="Events", source=lead_source("event"), assign_to_team=org.poland, team_strategy=TeamStrategy.ROUND_ROBIN
    )
    rows = [HEADER] + [["Ola", f"Event{i}", f"event{i}@example.com", "PL", "event"] for i in range(5)]
    rows += [["Ola", "Again", "EVENT1@example.com", "PL", ""]]  # row 7, third batch: the same e-mail as row 3
    with override("pl"):  # the language the import was started in: its report and audit texts use it
        job = run_import(org.marketing, csv_bytes(rows))

    assert job.status == "done", job.errors
    assert (job.result["created"], job.result["skipped"]) == (5, 1)
    [skip] = job.result["skips"]
    assert skip["row"] == 7 and " 3" in skip["message"]  # row 3, written by the first batch's thread
    assert writer_threads and all(name.startswith("lead-import-writer") for name in writer_threads)
    owners = [Lead.objects.get(last_name=f"Event{i}").owner_id for i in range(5)]
    first, second = owners[:2]
    assert first != second and owners == [first, second, first, second, first]  # turns across batches
    assert AssignmentRule.objects.get().last_assigned_id == first  # the turn the last batch took was kept

    entries = AuditEntry.objects.filter(record_type="lead", action="create")
    assert entries.count() == 5
    with override("pl"):
        source_in_polish = str(lead_source("event"))
    with override("en"):
        assert source_in_polish != str(lead_source("event"))
    assert {entry.changes["source"][1] for entry in entries} == {source_in_polish}


def test_a_batch_the_database_refuses_fails_alone_in_the_writer_thread(org, writer_threads, monkeypatch):
    insert = writing.insert

    def refuse_one(model, objects):
        if any(lead.last_name == "Refused" for lead in objects):
            from django.db import IntegrityError

            raise IntegrityError("refused")
        insert(model, objects)

    monkeypatch.setattr(writing, "insert", refuse_one)
    rows = [HEADER] + [["Ola", name, "", "PL", ""] for name in ("One", "Two", "Refused", "Four", "Five")]
    job = run_import(org.marketing, csv_bytes(rows))

    assert (job.result["created"], job.result["failed"]) == (4, 1)
    assert job.result["errors"][0]["row"] == 4
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == ["Five", "Four", "One", "Two"]
