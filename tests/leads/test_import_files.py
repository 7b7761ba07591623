"""Importing real files end to end: encodings, formats, bad rows, options, the report, dry runs."""

from __future__ import annotations

import codecs
import csv
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from rapport.core.errors import ActionNotAllowed, InvalidInput
from rapport.core.models import AuditEntry, CustomField, Job
from rapport.leads.importing import service
from rapport.leads.importing.mapping import NEEDS_LAST_NAME, REQUIRED_CUSTOM
from rapport.leads.importing.reading import NO_ROWS, NOT_A_TABLE
from rapport.leads.importing.rows import (
    BAD_EMAIL,
    REQUIRED,
    TEXT_TOO_LONG,
    UNKNOWN_SOURCE,
    UNREADABLE_CHARACTERS,
)
from rapport.leads.importing.values import NOT_A_DATE, NOT_A_NUMBER
from rapport.leads.models import Lead
from tests.factories import lead_source
from tests.leads.import_support import csv_bytes, private_media, run_import, stored, xlsx_bytes  # noqa: F401 — private_media applies to every test here

HOSTILE = '=HYPERLINK("http://evil.example","click")'
SCRIPT = "<script>alert(1)</script>"


def _uploads(user) -> set[str]:
    folder = f"lead-imports/{user.pk}"
    return set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()


def _report(job: Job) -> list[list[str]]:
    with job.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))


# --- encodings ------------------------------------------------------------------------------------------


def test_a_semicolon_separated_windows_1250_file_with_polish_names_and_amounts(org):
    content = csv_bytes(
        [
            ["Imię", "Nazwisko", "Firma", "Wartość", "Miasto"],
            ["Łukasz", "Żółć", "Zażółć Gęślą Jaźń sp. z o.o.", "1 234,56", "Łódź"],
            ["Agnieszka", "Wiśniewska", "Śnieżka S.A.", "12 000,00", "Gdańsk"],
        ],
        delimiter=";",
        encoding="cp1250",
    )
    job = run_import(org.marketing, content, name="zakupiona-lista.csv")

    assert (job.status, job.result["created"], job.result["failed"]) == ("done", 2, 0)
    first = Lead.objects.get(last_name="Żółć")
    assert (first.first_name, first.company, first.city) == ("Łukasz", "Zażółć Gęślą Jaźń sp. z o.o.", "Łódź")
    assert first.estimated_value_amount == Decimal("1234.56")
    assert first.estimated_value_currency_id == "EUR"  # the company currency: the cell named none
    assert Lead.objects.get(last_name="Wiśniewska").estimated_value_amount == Decimal("12000.00")
    assert job.params["format"]["encoding"] == "cp1250" and job.params["format"]["delimiter"] == ";"


def test_a_big5_file_with_traditional_chinese_names_and_companies(org):
    content = csv_bytes(
        [
            ["姓名", "公司", "城市", "電話"],
            ["陳大文", "台灣積體電路製造股份有限公司", "新竹", "03-563-6688"],
            ["林志玲", "鴻海精密工業", "臺北", ""],
        ],
        encoding="big5",
    )
    job = run_import(org.marketing, content, name="名單.csv")

    assert job.params["format"]["encoding"] == "big5"
    assert job.result["created"] == 2
    assert set(Lead.objects.values_list("last_name", "company", "city")) == {
        ("陳大文", "台灣積體電路製造股份有限公司", "新竹"),
        ("林志玲", "鴻海精密工業", "臺北"),
    }


def test_a_gb18030_file(org):
    content = csv_bytes(
        [["姓名", "公司名称", "城市"], ["张伟", "华为技术有限公司", "深圳"], ["李娜", "阿里巴巴集团", "杭州"]],
        encoding="gb18030",
    )
    job = run_import(org.marketing, content)
    assert job.params["format"]["encoding"] == "gb18030"
    assert set(Lead.objects.values_list("last_name", "company")) == {
        ("张伟", "华为技术有限公司"),
        ("李娜", "阿里巴巴集团"),
    }


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter"),
    [
        (
            codecs.BOM_UTF16_LE + csv_bytes([["First Name", "Last Name"], ["Zoë", "Łącka"]], encoding="utf-16-le"),
            "utf-16",
            ",",
        ),
        (codecs.BOM_UTF8 + csv_bytes([["First Name", "Last Name"], ["Zoë", "Łącka"]]), "utf-8-sig", ","),
        (csv_bytes([["First Name", "Last Name"], ["Zoë", "Łącka"]], delimiter="\t"), "utf-8", "\t"),
    ],
    ids=["utf-16 with BOM", "utf-8 with BOM", "tab-separated"],
)
def test_unicode_files_and_tabs(org, content, encoding, delimiter):
    job = run_import(org.marketing, content)
    assert (job.params["format"]["encoding"], job.params["format"]["delimiter"]) == (encoding, delimiter)
    assert list(Lead.objects.values_list("first_name", "last_name")) == [("Zoë", "Łącka")]


def test_a_windows_1252_file_with_german_and_french_names(org):
    content = csv_bytes(
        [
            ["First Name", "Last Name", "Company"],
            ["Hans", "Müller", "Bäckerei Müller GmbH"],
            ["Renée", "Dubois", "Café Société"],
        ],
        delimiter=";",
        encoding="cp1252",
    )
    job = run_import(org.marketing, content)
    assert job.params["format"]["encoding"] == "cp1252"
    assert set(Lead.objects.values_list("first_name", "last_name", "company")) == {
        ("Hans", "Müller", "Bäckerei Müller GmbH"),
        ("Renée", "Dubois", "Café Société"),
    }


def test_a_currency_column_goes_with_the_amount_column(org):
    content = csv_bytes(
        [["Last Name", "Lead - Value", "Lead - Currency of Value"], ["Nowak", "1,234.50", "usd"], ["Lis", "10", "zł"]]
    )
    job = run_import(org.marketing, content)
    assert job.result["created"] == 2
    assert set(Lead.objects.values_list("last_name", "estimated_value_amount", "estimated_value_currency")) == {
        ("Nowak", Decimal("1234.50"), "USD"),
        ("Lis", Decimal("10.00"), "PLN"),
    }


def test_an_xlsx_file_with_typed_cells(org):
    content = xlsx_bytes(
        [
            ["First Name", "Last Name", "Phone", "Lead - Value", "Zip/Postal Code"],
            ["Anna", "Nowak", 48601234567, 1234.5, 2001],
            ["Jan", "Kowalski", "+48 602 000 111", "99,90 PLN", "00-950"],
        ]
    )
    job = run_import(org.marketing, content, name="list.xlsx")
    assert job.params["format"]["kind"] == "xlsx"
    assert job.result["created"] == 2
    anna = Lead.objects.get(last_name="Nowak")
    assert (anna.phone, anna.postal_code, anna.estimated_value_amount) == ("48601234567", "2001", Decimal("1234.50"))
    jan = Lead.objects.get(last_name="Kowalski")
    assert (jan.estimated_value_amount, jan.estimated_value_currency_id) == (Decimal("99.90"), "PLN")


# --- bad rows and bad files -------------------------------------------------------------------------------


def test_bad_rows_fail_with_row_number_and_reason_and_the_others_are_created(org):
    CustomField.objects.create(record_type="lead", key="since", label="Customer since", field_type="date")
    content = csv_bytes(
        [
            ["First Name", "Last Name", "Email", "Lead - Value", "Customer since", "Lead Source", "Title", "Company"],
            ["Anna", "Nowak", "anna@example.pl", "10", "2026-01-31", "", "CEO", HOSTILE],
            ["Jan", "", "jan@example.pl", "", "", "", "", ""],
            ["Ola", "Kowal", "not-an-address", "", "", "", "", ""],
            ["Piotr", "Zięba", "", "dużo", "", "", "", ""],
            ["Ewa", "Lis", "", "", "31.01.2026", "", "", ""],
            ["Adam", "Mak", "", "", "", "Billboard", "", ""],
            ["Iga", "Sowa", "", "", "", "", "x" * 151, ""],
            ["Olek", SCRIPT, "", "", "", "event", "", ""],
        ]
    )
    job = run_import(org.marketing, content)

    assert (job.result["created"], job.result["failed"], job.result["rows"]) == (2, 6, 8)
    assert job.result["errors"] == [
        {"row": 3, "field": "Last Name", "message": f"Last Name: {REQUIRED}"},
        {"row": 4, "field": "Email", "message": f"Email: {BAD_EMAIL}"},
        {"row": 5, "field": "Lead - Value", "message": f"Lead - Value: {NOT_A_NUMBER}"},
        {
            "row": 6,
            "field": "Customer since",
            "message": "Customer since: " + str(NOT_A_DATE % {"format": "YYYY-MM-DD"}),
        },
        {"row": 7, "field": "Lead Source", "message": "Lead Source: " + str(UNKNOWN_SOURCE % {"value": "Billboard"})},
        {"row": 8, "field": "Title", "message": "Title: " + str(TEXT_TOO_LONG % {"limit": 150, "length": 151})},
    ]
    # Hostile text is data: kept as typed, never interpreted.
    assert Lead.objects.get(last_name="Nowak").company == HOSTILE
    assert Lead.objects.get(first_name="Olek").last_name == SCRIPT
    assert Lead.objects.get(first_name="Olek").source == lead_source("event")
    assert Lead.objects.get(last_name="Nowak").custom == {"since": "2026-01-31"}
    assert not Lead.objects.filter(first_name__in=["Jan", "Ola", "Piotr", "Ewa", "Adam", "Iga"]).exists()


def test_the_report_lists_every_row_and_neutralises_formulas(org):
    content = csv_bytes([["Last Name", "Company"], ["Nowak", HOSTILE], ["", "Acme"], [HOSTILE, "x"]])
    job = run_import(org.marketing, content)
    rows = _report(job)
    nowak = Lead.objects.get(last_name="Nowak")
    hostile = Lead.objects.get(last_name=HOSTILE)
    assert rows == [
        ["Row", "Outcome", "Lead", "Message"],
        ["2", "created", str(nowak.pk), ""],
        ["3", "failed", "", f"Last Name: {REQUIRED}"],
        ["4", "created", str(hostile.pk), ""],
    ]
    assert job.result["filename"].endswith(".csv")


def test_unreadable_characters_in_a_utf8_file_fail_the_row(org):
    good = "Last Name,City\n" + "".join(f"Nowak{i},Kraków\n" for i in range(3))
    content = good.encode() + b"Bad,\xc3\x28\n"
    path = stored(content)
    job = service.import_start(actor=org.marketing, path=path, filename="x.csv")
    job.params["format"]["encoding"] = "utf-8"  # as if the sample had looked clean
    job.save(update_fields=["params"])
    from rapport.core.services.jobs import job_run

    job_run(str(job.pk))
    job.refresh_from_db()
    assert (job.result["created"], job.result["failed"]) == (3, 1)
    assert job.result["errors"][0]["message"] == str(UNREADABLE_CHARACTERS % {"encoding": "UTF-8"})


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", bytes(range(256)) * 8, b"PK\x03\x04broken zip", b""],
    ids=["pdf", "binary", "broken xlsx", "empty"],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused_and_nothing_is_stored(org, content):
    before = _uploads(org.marketing)
    upload = ContentFile(content, name="leads.csv")
    with pytest.raises(InvalidInput) as caught:
        service.import_upload(actor=org.marketing, upload=upload, filename="leads.csv")
    assert set(caught.value.errors) == {"file"}
    assert _uploads(org.marketing) == before
    assert not Job.objects.exists() and not Lead.objects.exists()


def test_a_file_with_column_names_only_is_refused(org):
    upload = ContentFile(csv_bytes([["First Name", "Last Name"]]), name="empty.csv")
    with pytest.raises(InvalidInput) as caught:
        service.import_upload(actor=org.marketing, upload=upload, filename="empty.csv")
    assert caught.value.errors == {"file": [str(NO_ROWS)]}


def test_an_oversized_file_is_refused(org):
    content = csv_bytes([["Last Name"]] + [["Nowak"]] * 100)
    with override_settings(RAPPORT_IMPORT_MAX_BYTES=100), pytest.raises(InvalidInput) as caught:
        service.import_upload(actor=org.marketing, upload=ContentFile(content, name="big.csv"), filename="big.csv")
    assert caught.value.errors == {"file": [str(service.TOO_LARGE % {"limit": 0})]}


def test_no_last_name_column_and_a_required_custom_field_are_mapping_errors(org):
    CustomField.objects.create(record_type="lead", key="nip", label="Tax id", field_type="text", required=True)
    path = stored(csv_bytes([["Company", "City"], ["Acme", "Kraków"]]))
    with pytest.raises(InvalidInput) as caught:
        service.import_start(actor=org.marketing, path=path, filename="x.csv")
    assert caught.value.errors == {"mapping": [str(NEEDS_LAST_NAME), str(REQUIRED_CUSTOM % {"label": "Tax id"})]}
    assert not Job.objects.exists()


def test_plain_text_is_no_lead_list(org):
    path = stored(b"Dear customer,\nplease find attached our offer.\n")
    with pytest.raises(InvalidInput) as caught:
        service.import_start(actor=org.marketing, path=path, filename="letter.txt")
    assert set(caught.value.errors) == {"mapping"}


def test_people_without_the_create_right_cannot_import(org):
    path = stored(csv_bytes([["Last Name"], ["Nowak"]]))
    for outsider in (org.executive, org.department_member):
        with pytest.raises(ActionNotAllowed):
            service.import_start(actor=outsider, path=path, filename="x.csv")
        with pytest.raises(ActionNotAllowed):
            service.import_upload(actor=outsider, upload=ContentFile(b"Last Name\nX\n", name="x.csv"), filename="x.csv")


def test_binary_refusal_message_is_the_one_people_see(org):
    with pytest.raises(InvalidInput) as caught:
        service.import_upload(actor=org.marketing, upload=ContentFile(b"%PDF-1.4\n", name="a.pdf"), filename="a.pdf")
    assert caught.value.errors["file"] == [str(NOT_A_TABLE)]


# --- options, custom fields, dry run ------------------------------------------------------------------------


def test_options_give_source_campaign_tags_and_read_numbers_and_dates(org):
    CustomField.objects.create(record_type="lead", key="employees", label="Employees", field_type="number")
    CustomField.objects.create(record_type="lead", key="since", label="Since", field_type="date")
    content = csv_bytes(
        [
            ["Last Name", "Employees", "Since", "Tags", "Campaign", "Lead Source"],
            ["Nowak", "1.234", "12/31/2026", "VIP; fair", "", ""],
            ["Lis", "12", "01/02/2026", "", "Own campaign", "referral"],
        ]
    )
    options = {
        "decimal_separator": ",",
        "date_format": "mdy",
        "source": "event",
        "campaign": "Targi 2026",
        "tags": "2026",
    }
    job = run_import(org.marketing, content, options=options)

    assert job.result["created"] == 2
    nowak = Lead.objects.get(last_name="Nowak")
    assert nowak.custom == {"employees": "1234", "since": "2026-12-31"}
    assert (nowak.source, nowak.campaign) == (lead_source("event"), "Targi 2026")
    assert sorted(nowak.tags.values_list("name", flat=True)) == ["2026", "VIP", "fair"]
    lis = Lead.objects.get(last_name="Lis")
    assert lis.custom == {"employees": "12", "since": "2026-01-02"}
    assert (lis.source, lis.campaign) == (lead_source("referral"), "Own campaign")


def test_without_options_the_source_is_purchased_list_and_the_import_is_recorded(org):
    job = run_import(org.marketing, csv_bytes([["Full Name", "Lead Status"], ["Kowalski, Jan", "Working - Contacted"]]))
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, lead.status) == ("Jan", "Kowalski", "contacted")
    assert lead.source == lead_source("purchased_list")
    assert (lead.import_job_id, lead.created_by, lead.owner) == (job.pk, org.marketing, org.marketing)
    entry = AuditEntry.objects.get(record_type="lead", record_id=lead.pk)
    assert entry.action == "create" and entry.actor == org.marketing
    assert entry.note == "Imported from leads.csv, row 2"
    assert entry.changes["last_name"] == ["", "Kowalski"] and entry.changes["source"] == ["", "Purchased list"]
    assert not default_storage.exists(job.params["path"])  # the upload is gone once the job is done


def test_a_dry_run_writes_nothing_but_reports_the_same_counts(org):
    from tests.factories import LeadFactory

    LeadFactory.create(email="taken@example.com", owner=org.salesperson)
    rows = [
        ["Last Name", "Email", "Tags"],
        ["Nowak", "nowak@example.com", "vip"],
        ["Lis", "taken@example.com", ""],
        ["", "empty@example.com", ""],
        ["Nowak", "NOWAK@example.com", ""],
    ]
    dry = run_import(org.marketing, csv_bytes(rows), dry_run=True)
    leads_before = Lead.objects.count()
    assert (leads_before, AuditEntry.objects.count()) == (1, 0)
    from rapport.leads.models import Tag

    assert not Tag.objects.exists()
    real = run_import(org.marketing, csv_bytes(rows))
    counts = ("created", "updated", "skipped", "failed", "rows")
    assert [dry.result[k] for k in counts] == [real.result[k] for k in counts] == [1, 0, 2, 1, 4]
    assert dry.result["dry_run"] is True and real.result["dry_run"] is False
    assert dry.result["errors"] == real.result["errors"] and dry.result["skips"] == real.result["skips"]
    assert [row[:2] + row[3:] for row in _report(dry)] == [row[:2] + row[3:] for row in _report(real)]
