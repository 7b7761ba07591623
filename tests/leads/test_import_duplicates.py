"""Duplicates on import: against leads and contacts (all of them, not only the visible ones), against
earlier rows of the same file, and the three policies: skip, update, create."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rapport.core.models import AuditEntry
from rapport.leads.dedupe import SAME_EMAIL, SAME_NAME_AND_COMPANY, SAME_PHONE
from rapport.leads.importing.deciding import (
    CANNOT_UPDATE,
    CONTACT_NOT_UPDATED,
    DUPLICATE_OF_CONTACT,
    DUPLICATE_OF_LEAD,
    DUPLICATE_OF_ROW,
    HIDDEN_RECORD,
)
from rapport.leads.models import Lead, LeadStatus
from tests.factories import AccountFactory, ContactFactory, LeadFactory
from tests.leads.import_support import csv_bytes, private_media, run_import  # noqa: F401 — private_media applies to every test here

HEADER = ["First Name", "Last Name", "Company", "Email", "Phone", "Country", "City", "Tags"]


def _skips(job):
    return [(s["row"], s["message"]) for s in job.result["skips"]]


@pytest.fixture
def existing(org):
    lead = LeadFactory.create(
        first_name="Anna", last_name="Nowak", company="Acme", email="anna@acme.example", city="Kraków",
        owner=org.salesperson,
    )  # fmt: skip
    lead.tags.create(name="old")
    return lead


# --- skip ---------------------------------------------------------------------------------------------


def test_skip_leaves_a_duplicate_lead_alone_and_says_why(org, existing):
    rows = [
        HEADER,
        ["Anna", "Nowak", "Acme", "ANNA@acme.example", "", "", "Warszawa", ""],
        ["Jan", "Lis", "", "", "", "", "", ""],
    ]
    job = run_import(org.marketing, csv_bytes(rows), duplicates="skip")
    assert (job.result["created"], job.result["skipped"]) == (1, 1)
    reason = str(SAME_EMAIL).lower()
    assert _skips(job) == [(2, str(DUPLICATE_OF_LEAD % {"label": "“Anna Nowak (Acme)”", "reason": reason}))]
    existing.refresh_from_db()
    assert existing.city == "Kraków"


def test_a_duplicate_the_importer_cannot_see_is_not_revealed(org):
    LeadFactory.create(first_name="Hidden", last_name="Person", email="hidden@example.com", owner=org.other_salesperson)
    job = run_import(org.salesperson, csv_bytes([["Last Name", "Email"], ["Someone", "hidden@example.com"]]))
    assert _skips(job) == [
        (2, str(DUPLICATE_OF_LEAD % {"label": HIDDEN_RECORD, "reason": str(SAME_EMAIL).lower()})),
    ]
    assert "Hidden" not in str(job.result)


def test_duplicates_of_contacts_by_email_by_phone_in_another_format_and_by_name_at_a_similar_company(org):
    acme = AccountFactory.create(name="ACME Sp. z o.o.", owner=org.marketing)
    ContactFactory.create(first_name="Ewa", last_name="Mail", email="ewa@example.com", owner=org.marketing)
    ContactFactory.create(first_name="Olga", last_name="Phone", phone="+48 601 234 567", owner=org.marketing)
    ContactFactory.create(first_name="Jan", last_name="Kowalski", account=acme, owner=org.marketing)
    rows = [
        HEADER,
        ["Ewa", "Other", "", "EWA@example.com", "", "", "", ""],
        ["Olga", "Else", "", "", "0048 601-234-567", "", "", ""],
        ["Olga", "Local", "", "", "601 234 567", "Poland", "", ""],
        ["Jan", "Kowalski", "Acme", "", "", "", "", ""],
        ["Jan", "Kowalski", "Completely Different Ltd", "", "", "", "", ""],
    ]
    job = run_import(org.marketing, csv_bytes(rows))
    assert (job.result["skipped"], job.result["created"]) == (4, 1)
    labels = {row: message for row, message in _skips(job)}
    assert labels[2] == str(DUPLICATE_OF_CONTACT % {"label": "“Ewa Mail”", "reason": str(SAME_EMAIL).lower()})
    assert (
        labels[3]
        == labels[4]
        == str(DUPLICATE_OF_CONTACT % {"label": "“Olga Phone”", "reason": str(SAME_PHONE).lower()})
    )
    assert labels[5] == str(
        DUPLICATE_OF_CONTACT
        % {"label": "“Jan Kowalski (ACME Sp. z o.o.)”", "reason": str(SAME_NAME_AND_COMPANY).lower()}
    )
    assert Lead.objects.get().company == "Completely Different Ltd"


def test_duplicates_within_the_file_are_skipped_with_the_earlier_row(org):
    rows = [
        HEADER,
        ["Anna", "Nowak", "Acme", "anna@example.com", "", "", "", ""],
        ["Anna", "Nowak", "Acme Corp", "", "", "", "", ""],
        ["Anna", "N.", "", "Anna@Example.com", "", "", "", ""],
    ]
    rows += [["Filler", f"Row{i}", "", f"f{i}@example.com", "", "", "", ""] for i in range(3)]
    job = run_import(org.marketing, csv_bytes(rows))
    assert job.result["created"] == 4
    assert _skips(job) == [
        (3, str(DUPLICATE_OF_ROW % {"row": 2, "reason": str(SAME_NAME_AND_COMPANY).lower()})),
        (4, str(DUPLICATE_OF_ROW % {"row": 2, "reason": str(SAME_EMAIL).lower()})),
    ]


def test_duplicates_within_the_file_across_batches(org, monkeypatch):
    from rapport.leads.importing import runner

    monkeypatch.setattr(runner, "BATCH", 2)
    rows = [HEADER] + [["A", f"P{i}", "", f"p{i}@example.com", "", "", "", ""] for i in range(5)]
    rows += [["A", "Again", "", "p0@example.com", "", "", "", ""]]
    job = run_import(org.marketing, csv_bytes(rows))
    assert (job.result["created"], job.result["skipped"]) == (5, 1)
    assert _skips(job) == [(7, str(DUPLICATE_OF_ROW % {"row": 2, "reason": str(SAME_EMAIL).lower()}))]


# --- update ---------------------------------------------------------------------------------------------


def test_update_fills_the_matched_lead_with_the_rows_values(org, existing):
    rows = [
        [*HEADER, "Lead - Value"],
        ["Anna", "Nowak", "", "anna@acme.example", "+48 601 000 000", "", "Warszawa", "vip", "1 000,00 PLN"],
    ]
    job = run_import(org.marketing, csv_bytes(rows), duplicates="update")
    assert (job.result["updated"], job.result["created"]) == (1, 0)
    existing.refresh_from_db()
    assert (existing.city, existing.company, existing.phone) == ("Warszawa", "Acme", "+48 601 000 000")
    assert (existing.estimated_value_amount, existing.estimated_value_currency_id) == (Decimal("1000.00"), "PLN")
    assert existing.phone_key == "+48601000000"
    assert sorted(existing.tags.values_list("name", flat=True)) == ["old", "vip"]
    assert existing.owner == org.salesperson  # an update does not reassign
    entry = AuditEntry.objects.get(record_id=existing.pk, action="update")
    assert entry.note == "Updated by the import of leads.csv, row 2"
    assert entry.changes["city"] == ["Kraków", "Warszawa"] and entry.changes["tags"] == ["old", "old, vip"]
    assert "company" not in entry.changes


def test_update_merges_duplicate_rows_of_the_file_into_one_lead(org):
    rows = [
        HEADER,
        ["Anna", "Nowak", "Acme", "anna@example.com", "", "", "", "a"],
        ["", "Nowak", "", "anna@example.com", "", "", "Gdańsk", "b"],
    ]
    job = run_import(org.marketing, csv_bytes(rows), duplicates="update")
    assert (job.result["created"], job.result["updated"]) == (1, 1)
    lead = Lead.objects.get()
    assert (lead.first_name, lead.company, lead.city) == ("Anna", "Acme", "Gdańsk")
    assert sorted(lead.tags.values_list("name", flat=True)) == ["a", "b"]
    assert AuditEntry.objects.get(record_id=lead.pk).note == "Imported from leads.csv, row 2, 3"


def test_a_salesperson_cannot_update_through_an_import_a_lead_they_cannot_edit(org):
    theirs = LeadFactory.create(last_name="Theirs", email="t@example.com", city="Boston", owner=org.other_salesperson)
    job = run_import(
        org.salesperson,
        csv_bytes([["Last Name", "Email", "City"], ["Mine", "t@example.com", "Kraków"]]),
        duplicates="update",
    )
    assert (job.result["updated"], job.result["skipped"], job.result["created"]) == (0, 1, 0)
    assert _skips(job) == [(2, str(CANNOT_UPDATE % {"label": HIDDEN_RECORD, "reason": str(SAME_EMAIL).lower()}))]
    theirs.refresh_from_db()
    assert (theirs.last_name, theirs.city) == ("Theirs", "Boston")


def test_update_never_changes_a_contact(org):
    contact = ContactFactory.create(first_name="Ewa", last_name="Mail", email="ewa@example.com", owner=org.marketing)
    job = run_import(
        org.marketing,
        csv_bytes([["Last Name", "Email", "City"], ["Else", "ewa@example.com", "Ryga"]]),
        duplicates="update",
    )
    assert _skips(job) == [(2, str(CONTACT_NOT_UPDATED % {"label": "“Ewa Mail”", "reason": str(SAME_EMAIL).lower()}))]
    contact.refresh_from_db()
    assert contact.last_name == "Mail"


def test_a_converted_lead_is_no_duplicate_and_is_never_updated(org):
    import datetime as dt

    LeadFactory.create(
        last_name="Done", email="done@example.com", owner=org.marketing, status=LeadStatus.CONVERTED,
        converted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    job = run_import(
        org.marketing, csv_bytes([["Last Name", "Email"], ["New", "done@example.com"]]), duplicates="update"
    )
    assert job.result["created"] == 1
    assert Lead.objects.get(last_name="Done").status == LeadStatus.CONVERTED


# --- create ---------------------------------------------------------------------------------------------


def test_create_makes_a_new_lead_whatever_matches(org, existing):
    rows = [
        HEADER,
        ["Anna", "Nowak", "Acme", "anna@acme.example", "", "", "", ""],
        ["Anna", "Nowak", "Acme", "anna@acme.example", "", "", "", ""],
    ]
    job = run_import(org.marketing, csv_bytes(rows), duplicates="create")
    assert (job.result["created"], job.result["skipped"]) == (2, 0)
    assert Lead.objects.filter(email_key="anna@acme.example").count() == 3
