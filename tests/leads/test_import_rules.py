"""Imported leads go through the same rules as leads typed in: assignment, scoring, notifications,
audit — in batches, with a fixed number of queries per batch and memory that does not follow the file."""

from __future__ import annotations

import time
import tracemalloc

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.core.models import Notification
from rapport.leads.importing import runner
from rapport.leads.models import AssignmentRule, Lead, RuleOperator, ScoringRule, TeamStrategy
from rapport.leads.services.leads import OUT_OF_SCOPE
from tests.factories import ContactFactory, LeadFactory, lead_source
from tests.leads.import_support import csv_bytes, private_media, run_import, stored  # noqa: F401 — private_media applies to every test here

HEADER = ["First Name", "Last Name", "Country", "Lead Source", "Tags", "Email"]


def test_assignment_rules_decide_the_owner_and_each_new_owner_is_told_once(org):
    AssignmentRule.objects.create(name="Poland", position=1, country="Poland, PL", assign_to_user=org.salesperson)
    AssignmentRule.objects.create(
        name="Events", position=2, source=lead_source("event"), assign_to_team=org.poland,
        team_strategy=TeamStrategy.ROUND_ROBIN,
    )  # fmt: skip
    rows = [[*HEADER, "Owner"]]
    rows += [["A", f"Pl{i}", "PL", "", "", "", ""] for i in range(3)]
    rows += [["B", f"Ev{i}", "Germany", "event", "", "", ""] for i in range(4)]
    rows += [["C", "Nobody", "Germany", "", "", "", ""]]
    rows += [["D", "Chosen", "Poland", "", "", "", "other@example.com"]]
    job = run_import(org.marketing, csv_bytes(rows))

    assert job.result["created"] == 9
    owners = dict(Lead.objects.values_list("last_name", "owner__email"))
    assert {owners[f"Pl{i}"] for i in range(3)} == {"sales@example.com"}
    assert sorted(owners[f"Ev{i}"] for i in range(4)) == ["colleague@example.com"] * 2 + ["sales@example.com"] * 2
    assert owners["Nobody"] == "marketing@example.com"  # no rule: the importer keeps it
    assert owners["Chosen"] == "other@example.com"  # the owner column wins over the rules

    told = {n.recipient.email: n.message for n in Notification.objects.select_related("recipient")}
    importer = str(org.marketing)
    assert told == {
        "sales@example.com": f"{importer} imported 5 leads for you from leads.csv.",
        "colleague@example.com": f"{importer} imported 2 leads for you from leads.csv.",
        "other@example.com": f"{importer} imported 1 lead for you from leads.csv.",
    }
    chosen = Lead.objects.get(last_name="Chosen")
    assert Notification.objects.get(recipient=org.other_salesperson).url == chosen.get_absolute_url()


def test_a_dry_run_assigns_nobody_and_tells_nobody(org):
    AssignmentRule.objects.create(name="Poland", country="PL", assign_to_user=org.salesperson)
    job = run_import(org.marketing, csv_bytes([HEADER, ["A", "B", "PL", "", "", ""]]), dry_run=True)
    assert job.result["created"] == 1
    assert not Lead.objects.exists() and not Notification.objects.exists()


def test_scoring_rules_give_imported_leads_their_score(org):
    ScoringRule.objects.create(name="Poland", field="country", operator=RuleOperator.EQUALS, value="Poland", points=15)
    ScoringRule.objects.create(name="VIP", field="tags", operator=RuleOperator.EQUALS, value="vip", points=5)
    ScoringRule.objects.create(name="Event", field="source", operator=RuleOperator.EQUALS, value="event", points=7)
    rows = [HEADER, ["A", "Hot", "Poland", "event", "vip, x", ""], ["B", "Cold", "Chile", "", "", ""]]
    run_import(org.marketing, csv_bytes(rows))
    assert dict(Lead.objects.values_list("last_name", "score")) == {"Hot": 27, "Cold": 0}


def test_an_owner_column_may_not_take_a_lead_out_of_the_importers_sight(org):
    rows = [
        [*HEADER, "Owner"],
        ["A", "Mine", "", "", "", "", "sales@example.com"],
        ["B", "Away", "", "", "", "", "other@example.com"],
    ]
    job = run_import(org.salesperson, csv_bytes(rows))
    assert (job.result["created"], job.result["failed"]) == (1, 1)
    assert job.result["errors"] == [{"row": 3, "field": "", "message": str(OUT_OF_SCOPE)}]
    assert list(Lead.objects.values_list("last_name", "owner")) == [("Mine", org.salesperson.pk)]


# --- batches: queries and memory ----------------------------------------------------------------------------


def _rows(count: int, start: int = 0) -> list[list[str]]:
    return [
        ["Anna", f"Nowak{i}", "Poland", "event" if i % 3 else "", f"t{i % 5}, vip", f"a{i}@example.com"]
        for i in range(start, start + count)
    ]


def _queries(org, count: int) -> int:
    path = stored(csv_bytes([HEADER, *_rows(count)]))
    from rapport.core.services.jobs import job_run
    from rapport.leads.importing.service import import_start

    job = import_start(actor=org.marketing, path=path, filename="x.csv")
    with CaptureQueriesContext(connection) as captured:
        job_run(str(job.pk))
    job.refresh_from_db()
    assert job.result["created"] == count
    Lead.objects.all().delete()
    return len(captured.captured_queries)


def test_queries_grow_with_the_batches_not_with_the_rows(org, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(runner, "BATCH", 50)
    AssignmentRule.objects.create(name="Poland", country="PL", assign_to_user=org.salesperson)
    ScoringRule.objects.create(name="VIP", field="tags", operator=RuleOperator.EQUALS, value="vip", points=5)
    ContactFactory.create(last_name="Someone", email="someone@example.com", owner=org.marketing)
    LeadFactory.create(last_name="Other", email="other.lead@example.com", owner=org.marketing)

    two_batches = _queries(org, 100)
    six_batches = _queries(org, 300)
    per_batch = (six_batches - two_batches) / 4
    assert per_batch <= 25, (two_batches, six_batches)
    with django_assert_max_num_queries(int(two_batches + 4 * 25)):
        _queries(org, 300)


def _peak(org, rows: int) -> tuple[int, int]:
    """Peak traced memory while the job imports `rows` rows of ~4 kB; and the file's size."""
    note = "Interested in the full offer; call back after the trade fair. " * 64
    lines = [["First Name", "Last Name", "Email", "Description"]]
    lines += [["Anna", f"Nowak{rows}-{i}", f"a{rows}-{i}@example.com", f"{note} #{i}"] for i in range(rows)]
    content = csv_bytes(lines)
    del lines
    from rapport.core.services.jobs import job_run
    from rapport.leads.importing.service import import_start

    job = import_start(actor=org.marketing, path=stored(content), filename="big.csv")
    tracemalloc.start(1)
    try:
        job_run(str(job.pk))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    job.refresh_from_db()
    assert job.result["created"] == rows
    return peak, len(content)


def test_memory_does_not_follow_the_size_of_the_file(org, monkeypatch):
    """Batches of 50 rows of ~4 kB: five times the rows, hardly more memory — far below the 8 MB file."""
    monkeypatch.setattr(runner, "BATCH", 50)
    started = time.monotonic()
    small_peak, _small_size = _peak(org, 400)
    big_peak, big_size = _peak(org, 2000)
    assert big_size > 8_000_000
    # What grows with the file is the index of its rows' match keys (for duplicates within the
    # file): a few hundred bytes a row, not the 4 kB the row takes.
    assert (big_peak - small_peak) / (2000 - 400) < 500, (small_peak, big_peak)
    assert big_peak < big_size / 4, (big_peak, big_size)
    assert time.monotonic() - started < 60
