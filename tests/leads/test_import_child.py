"""A large import reads and builds its rows in a forked child: the parent gets the same plans, in
file order, and hears about every way the child can stop (an error, dying, being left)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rapport.core.errors import DomainError
from rapport.leads.importing import building
from rapport.leads.importing.building import built_here, built_in_child
from rapport.leads.importing.reading import Row
from rapport.leads.importing.rows import Lookups, Options, RowBuilder, RowPlan
from tests.factories import lead_source

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not building.can_fork(), reason="this system cannot fork a process"),
]

HEADERS = ["First Name", "Last Name", "Email", "Phone", "Country", "Lead Source"]
MAPPING = {
    h: f for h, f in zip(HEADERS, ("first_name", "last_name", "email", "phone", "country", "source"), strict=True)
}


def _rows() -> list[Row]:
    rows: list[Row] = []
    for i in range(2, 60):
        rows.append((i, ["Zofia", f"Nowak{i}", f"zofia{i}@example.pl", f"601 234 {i:03d}", "PL", "event"]))
    rows.append((60, ["Jan", "", "not an e-mail", "", "PL", "no such source"]))  # three problems
    return rows


def _batches(rows: list[Row], size: int = 7) -> Iterator[list[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _builder() -> RowBuilder:
    lead_source("event")
    return RowBuilder(HEADERS, MAPPING, Lookups(), Options())


def _build_with(builder: RowBuilder) -> building.Build:
    return lambda rows: [builder.build(number, cells) for number, cells in rows]


def _summary(plans: list[RowPlan]) -> list[tuple[object, ...]]:
    return [
        (p.row, p.keys, p.errors, p.lead.last_name if p.lead else None, p.lead.source_id if p.lead else None)
        for p in plans
    ]


def test_the_child_builds_the_same_plans_in_file_order():
    builder = _builder()
    build = _build_with(builder)
    here = list(built_here(build, _batches(_rows()), fraction=lambda done: done / 59))
    there = list(built_in_child(build, _batches(_rows()), fraction=lambda done: done / 59))

    assert [b.rows for b in there] == [7] * 8 + [3]
    assert there[-1].fraction == 1.0
    assert [_summary(b.plans) for b in there] == [_summary(b.plans) for b in here]
    last = there[-1].plans[-1]
    assert last.row == 60 and not last.valid
    assert {column for column, _message in last.errors} == {"Last Name", "Email", "Lead Source"}
    first = there[0].plans[0]
    assert first.keys is not None and first.keys.phone == "+48601234002"  # the phone key was made in the child


def test_an_error_in_the_child_reaches_the_parent():
    builder = _builder()

    def build(rows: list[Row]) -> list[RowPlan]:
        if rows[0][0] == 16:  # the third batch
            raise DomainError("The file ends in the middle of a quoted cell.")
        return [builder.build(number, cells) for number, cells in rows]

    received = []
    with pytest.raises(DomainError, match="middle of a quoted cell"):
        for built in built_in_child(build, _batches(_rows()), fraction=lambda done: 0.0):
            received.append(built.rows)
    assert received == [7, 7]  # the batches before the error arrived


def test_a_child_that_dies_fails_the_import_with_a_clear_message():
    def build(rows: list[Row]) -> list[RowPlan]:
        os._exit(3)  # as if the kernel had killed it

    with pytest.raises(DomainError, match="Reading the file stopped unexpectedly"):
        list(built_in_child(build, _batches(_rows()), fraction=lambda done: 0.0))


def test_a_parent_that_stops_listening_ends_the_child(tmp_path: Path):
    builder = _builder()
    pids = tmp_path / "pids"

    def build(rows: list[Row]) -> list[RowPlan]:
        with pids.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        return [builder.build(number, cells) for number, cells in rows]

    batches = built_in_child(build, _batches(_rows(), size=1), fraction=lambda done: 0.0)
    next(batches)
    batches.close()  # the import failed in the parent: the child is not left behind

    child = int(pids.read_text().split()[0])
    assert child != os.getpid()
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)
