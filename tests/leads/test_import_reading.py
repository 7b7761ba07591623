"""Reading lead files: encodings, delimiters, numbers, dates and the suggested column mapping."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation

from rapport.core.errors import InvalidInput
from rapport.core.models import CustomField
from rapport.leads.importing import mapping as mappings
from rapport.leads.importing.reading import NOT_A_TABLE, OLD_EXCEL, detect_delimiter, detect_format, open_table
from rapport.leads.importing.values import NOT_A_NUMBER, ValueProblem, parse_date, parse_money, parse_number
from tests.leads.import_support import csv_bytes, private_media, xlsx_bytes  # noqa: F401 — private_media applies to every test here

POLISH = [["Imię", "Nazwisko", "Firma"], ["Łukasz", "Żółć", "Zażółć Gęślą Jaźń sp. z o.o."], ["Ewa", "Kęska", "Łódź"]]


def _read(content: bytes) -> tuple[str, str, list[str], list[list[str]]]:
    handle = io.BytesIO(content)
    file_format = detect_format(handle, len(content))
    with open_table(handle, file_format) as (headers, rows):
        return file_format.encoding, file_format.delimiter, headers, [cells for _n, cells in rows]


# --- encodings and delimiters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "content_encoding", "rows"),
    [
        ("cp1250", "cp1250", POLISH),
        ("cp1252", "cp1252", [["First", "Last"], ["Hans", "Müller"], ["Renée", "Dubois"], ["Nuñez", "Françoise"]]),
        ("utf-8", "utf-8", POLISH),
        ("big5", "big5", [["姓名", "公司"], ["陳大文", "台灣積體電路製造股份有限公司"], ["林志玲", "鴻海精密工業"]]),
        ("gb18030", "gb18030", [["姓名", "公司"], ["张伟", "华为技术有限公司"], ["李娜", "阿里巴巴集团"]]),
    ],
)
def test_the_encoding_is_recognised_and_the_text_reads_back_exactly(encoding, content_encoding, rows):
    detected, _delimiter, headers, data = _read(csv_bytes(rows, delimiter=";", encoding=content_encoding))
    assert detected == encoding
    assert [headers, *data] == rows


def test_byte_order_marks_decide_utf8_and_utf16():
    for bom, encoding, expected in (
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
    ):
        detected, _delimiter, headers, data = _read(bom + csv_bytes(POLISH, encoding=encoding))
        assert detected == expected
        assert headers == POLISH[0]  # no BOM left in the first column's name
        assert data == POLISH[1:]


def test_a_polish_letter_late_in_a_long_file_still_decides_the_encoding():
    rows = [["Nazwisko", "Miasto"]] + [["Kowalski", "Warsaw"]] * 5000 + [["Żak", "Łódź"]]
    detected, _delimiter, _headers, data = _read(csv_bytes(rows, encoding="cp1250"))
    assert detected == "cp1250"
    assert data[-1] == ["Żak", "Łódź"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_recognised(delimiter):
    rows = [["Name", "Company", "Note"], ["Anna Nowak", "Acme, Inc.", "a;b"], ["Jan", "Beta; Gamma", "x,y"]]
    _encoding, detected, headers, data = _read(csv_bytes(rows, delimiter=delimiter))
    assert detected == delimiter
    assert [headers, *data] == rows


def test_delimiters_inside_quotes_do_not_count():
    lines = ['"Nowak, Anna";"Acme, Inc., Ltd.";"x"', '"Kowalski, Jan";"Beta, Gamma";"y"']
    assert detect_delimiter(lines) == ";"


def test_xlsx_cells_come_typed_and_blank_rows_are_skipped_but_counted():
    content = xlsx_bytes([["Name", "Phone", "Since"], ["Anna", 48601234567, dt.datetime(2026, 12, 31)], [], ["Jan"]])
    handle = io.BytesIO(content)
    file_format = detect_format(handle, len(content))
    assert file_format.kind == "xlsx"
    with open_table(handle, file_format) as (headers, rows):
        numbered = list(rows)
    assert headers == ["Name", "Phone", "Since"]
    assert numbered[0] == (2, ["Anna", 48601234567, dt.datetime(2026, 12, 31)])
    assert numbered[1][0] == 4  # the empty row 3 keeps its number


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>", NOT_A_TABLE),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NOT_A_TABLE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, OLD_EXCEL),
        (bytes(range(256)) * 40, NOT_A_TABLE),
    ],
)
def test_a_file_that_is_no_table_is_refused_with_a_clear_message(content, message):
    with pytest.raises(InvalidInput) as caught:
        detect_format(io.BytesIO(content), len(content))
    assert caught.value.errors == {"file": [str(message)]}


def test_repeated_and_blank_headers_get_distinct_names():
    # "Column 2" is a translated name: read in English whatever language an earlier test left active.
    with translation.override("en"):
        _encoding, _delimiter, headers, _data = _read(
            csv_bytes([["Email", "", "email", "Na\x00me"], ["a", "b", "c", "d"]])
        )
    assert headers == ["Email", "Column 2", "email (2)", "Na me"]


# --- numbers, money and dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1 234,56", "auto", "1234.56"),
        ("1\u00a0234,56", "auto", "1234.56"),
        ("1\u202f234,56", ",", "1234.56"),
        ("1.234,56", "auto", "1234.56"),
        ("1,234.56", "auto", "1234.56"),
        ("1234.56", "auto", "1234.56"),
        ("1.234.567", "auto", "1234567"),
        ("1,234", ".", "1234"),
        ("1,234", ",", "1.234"),
        ("1'234.50", "auto", "1234.50"),
        ("-12", "auto", "-12"),
    ],
)
def test_numbers_in_the_common_formats(text, separator, expected):
    assert parse_number(text, separator) == Decimal(expected)


@pytest.mark.parametrize("text", ["12abc", "1e5", "NaN", "--3", "1,2,3.4.5", ""])
def test_what_is_not_a_number(text):
    with pytest.raises(ValueProblem) as caught:
        parse_number(text)
    assert caught.value.message == str(NOT_A_NUMBER)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("1 234,56 PLN", "1234.56", "PLN"),
        ("PLN 99", "99", "PLN"),
        ("€1,234.56", "1234.56", "EUR"),
        ("12,50 zł", "12.50", "PLN"),
        ("700", "700", None),
    ],
)
def test_money_may_carry_its_currency(text, amount, currency):
    assert parse_money(text) == (Decimal(amount), currency)


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("2026-12-31", "iso", dt.date(2026, 12, 31)),
        ("2026-12-31", "dmy", dt.date(2026, 12, 31)),
        ("31.12.2026", "dmy", dt.date(2026, 12, 31)),
        ("12/31/2026", "mdy", dt.date(2026, 12, 31)),
        ("01/02/2026", "dmy", dt.date(2026, 2, 1)),
        ("01/02/2026", "mdy", dt.date(2026, 1, 2)),
    ],
)
def test_dates_follow_the_chosen_order(text, order, expected):
    assert parse_date(text, order) == expected


@pytest.mark.parametrize(("text", "order"), [("31.12.2026", "iso"), ("12/31/2026", "dmy"), ("2026-02-30", "iso")])
def test_a_date_in_another_order_is_refused_with_the_expected_pattern(text, order):
    with pytest.raises(ValueProblem) as caught:
        parse_date(text, order)
    assert {"iso": "YYYY-MM-DD", "dmy": "DD.MM.YYYY"}[order] in caught.value.message


# --- the suggested mapping ------------------------------------------------------------------------------


SALESFORCE = [
    "First Name", "Last Name", "Company", "Email", "Phone", "Mobile", "Title", "Lead Source", "Lead Status",
    "Street", "City", "State/Province", "Zip/Postal Code", "Country", "Website", "Industry", "Annual Revenue",
    "Description",
]  # fmt: skip
HUBSPOT = [
    "First Name", "Last Name", "Email", "Phone Number", "Company Name", "Job Title", "State/Region",
    "Country/Region", "Postal Code", "Website URL", "Lead Status", "Original Source", "Industry", "Street Address",
]  # fmt: skip
PIPEDRIVE = [
    "Person - Name", "Person - Email", "Person - Phone", "Organization - Name", "Lead - Title", "Lead - Value",
    "Lead - Currency of Value", "Lead - Source", "Person - Job title", "Organization - Address",
]  # fmt: skip


def test_salesforce_headers(db):
    suggested = mappings.suggest(SALESFORCE, [])
    assert suggested == {
        "First Name": "first_name", "Last Name": "last_name", "Company": "company", "Email": "email",
        "Phone": "phone", "Mobile": "ignore", "Title": "title", "Lead Source": "source", "Lead Status": "status",
        "Street": "street", "City": "city", "State/Province": "region", "Zip/Postal Code": "postal_code",
        "Country": "country", "Website": "website", "Industry": "industry", "Annual Revenue": "ignore",
        "Description": "description",
    }  # fmt: skip


def test_hubspot_headers(db):
    assert mappings.suggest(HUBSPOT, []) == {
        "First Name": "first_name", "Last Name": "last_name", "Email": "email", "Phone Number": "phone",
        "Company Name": "company", "Job Title": "title", "State/Region": "region", "Country/Region": "country",
        "Postal Code": "postal_code", "Website URL": "website", "Lead Status": "status",
        "Original Source": "source", "Industry": "industry", "Street Address": "street",
    }  # fmt: skip


def test_pipedrive_headers(db):
    assert mappings.suggest(PIPEDRIVE, []) == {
        "Person - Name": "full_name", "Person - Email": "email", "Person - Phone": "phone",
        "Organization - Name": "company", "Lead - Title": "need_description", "Lead - Value": "estimated_value",
        "Lead - Currency of Value": "estimated_value_currency", "Lead - Source": "source",
        "Person - Job title": "title", "Organization - Address": "street",
    }  # fmt: skip


def test_polish_headers_without_accents_or_case_and_a_mobile_when_there_is_no_phone(db):
    headers = ["IMIĘ", "nazwisko", "Nazwa firmy", "Adres e-mail", "Komórka", "Województwo", "Źródło", "Wartość"]
    assert mappings.suggest(headers, []) == {
        "IMIĘ": "first_name", "nazwisko": "last_name", "Nazwa firmy": "company", "Adres e-mail": "email",
        "Komórka": "phone", "Województwo": "region", "Źródło": "source", "Wartość": "estimated_value",
    }  # fmt: skip


def test_custom_fields_are_suggested_by_label_or_key(db):
    fields = [
        CustomField(record_type="lead", key="employees", label="Number of employees", field_type="number"),
        CustomField(record_type="lead", key="nip", label="Tax id", field_type="text"),
    ]
    suggested = mappings.suggest(["Number of Employees", "NIP", "Email"], fields)
    assert suggested == {"Number of Employees": "cf_employees", "NIP": "cf_nip", "Email": "email"}


@pytest.mark.parametrize(
    ("mapping", "errors"),
    [
        ({"Nope": "last_name"}, {"mapping.Nope", "mapping"}),
        ({"B": "salary"}, {"mapping.B", "mapping"}),
        ({"A": "last_name", "B": "last_name"}, {"mapping"}),
        ({"A": "full_name", "B": "last_name"}, {"mapping"}),
        ({"A": "company"}, {"mapping"}),
        (["A"], {"mapping"}),
    ],
)
def test_a_wrong_mapping_names_each_problem(db, mapping, errors):
    with pytest.raises(InvalidInput) as caught:
        mappings.validate(mapping, ["A", "B"], [])
    assert set(caught.value.errors) == errors


def test_tags_may_come_from_several_columns(db):
    assert mappings.validate({"A": "last_name", "B": "tags", "C": "tags"}, ["A", "B", "C"], []) == {
        "A": "last_name",
        "B": "tags",
        "C": "tags",
    }
