"""CSV and XLSX exports of accounts and contacts, run as jobs: what the actor sees, safe to open."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.core.errors import InvalidInput
from rapport.core.exports import FORMULA_STARTS, neutralise, write_csv
from rapport.core.listing import NOT_A_DATE, UNKNOWN_ORDER
from rapport.core.models import Job, Role, User
from rapport.core.services.customfields import custom_field_create
from rapport.core.services.org import role_permission_set
from rapport.customers import services
from rapport.customers.exports import UNKNOWN_FORMAT, UNKNOWN_RECORD_TYPE, export_start
from rapport.customers.models import Account
from rapport.customers.selectors import ACCOUNT_LIST, CONTACT_LIST
from tests.factories import AccountFactory, ContactFactory

HOSTILE = [
    '=HYPERLINK("http://evil.example","click")',
    "+48 600 100 200",
    "-5 rabatu",
    "@SUM(A1:A9)",
    "\tTabbed",
    "\rCarriage",
]
ACCOUNT_HEADERS = [
    "ID",
    "Name",
    "Type",
    "Customer category",
    "Industry",
    "Parent account",
    "Territory",
    "Owner",
    "Website",
    "Phone",
    "E-mail",
    "Employees",
    "Annual revenue",
    "Currency",
    "Street",
    "City",
    "Postal code",
    "Region",
    "Country",
    "Created",
]


@pytest.fixture
def scene(org):
    for key, label, field_type, choices in [
        ("tier", "Tier", "choice", ["Gold", "Silver"]),
        ("sectors", "Sectors", "multi_choice", ["Retail", "Energy"]),
        ("vip", "VIP", "checkbox", None),
        ("note", "Note", "text", None),
    ]:
        custom_field_create(
            actor=org.admin, record_type="account", key=key, label=label, field_type=field_type, choices=choices
        )
    services.account_create(
        actor=org.salesperson,
        name="Zakłady Łódź Żółć",
        city="Łódź",
        employees=120,
        annual_revenue_amount=Decimal("2500000.50"),
        annual_revenue_currency="PLN",
        custom_fields={"tier": "Gold", "sectors": ["Energy", "Retail"], "vip": True, "note": "=1+1"},
    )
    services.account_create(actor=org.salesperson, name="Acme", custom_fields={"tier": "Gold"})
    services.account_create(actor=org.salesperson, name="Beta", custom_fields={"tier": "Gold", "note": "ok"})
    for name in HOSTILE:
        AccountFactory.create(name=name, owner=org.salesperson)
    AccountFactory.create(name="Colleague Co", owner=org.colleague)
    AccountFactory.create(name="Other Co", owner=org.other_salesperson)
    yield org
    for job in Job.objects.exclude(file=""):
        job.file.delete(save=False)


def run_export(actor: User, capture: Any, record_type: str = "account", fmt: str = "csv", **params: str) -> Job:
    with capture(execute=True) as callbacks:
        job = export_start(actor=actor, record_type=record_type, params=params, file_format=fmt)
    assert len(callbacks) == 1
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.progress, job.errors) == ("done", 100, [])
    return job


def csv_rows(job: Job) -> list[list[str]]:
    with job.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content.decode("utf-8")[1:], newline="")))


def xlsx_rows(job: Job) -> list[list[Any]]:
    with job.file.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def column(rows: list[list[Any]], header: str) -> list[Any]:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


@pytest.mark.parametrize(
    ("who", "params"),
    [
        ("salesperson", {}),
        ("salesperson", {"ordering": "-name"}),
        ("emea_manager", {"ordering": "-created"}),
        ("emea_manager", {"cf_tier": "Gold", "ordering": "name"}),
        ("admin", {"owner": "me"}),
        ("executive", {"ordering": "owner"}),
        ("other_salesperson", {}),
    ],
)
def test_the_csv_has_exactly_the_rows_the_actor_sees_in_the_same_order(
    scene, django_capture_on_commit_callbacks, who, params
):
    actor = getattr(scene, who)
    job = run_export(actor, django_capture_on_commit_callbacks, **params)
    rows = csv_rows(job)
    expected = list(ACCOUNT_LIST.apply(actor, params).values_list("pk", flat=True))
    assert [int(pk) for pk in column(rows, "ID")] == expected
    assert job.result == {"rows": len(expected), "filename": job.result["filename"]}
    assert job.result["filename"].startswith("accounts-") and job.result["filename"].endswith(".csv")


def test_the_exported_rows_for_a_salesperson(scene, django_capture_on_commit_callbacks):
    rows = csv_rows(run_export(scene.salesperson, django_capture_on_commit_callbacks, cf_tier="Gold", ordering="-name"))
    assert rows[0] == [*ACCOUNT_HEADERS, "Tier", "Sectors", "VIP", "Note"]
    assert column(rows, "Name") == ["Zakłady Łódź Żółć", "Beta", "Acme"]
    polish = dict(zip(rows[0], rows[1], strict=True))
    assert {k: polish[k] for k in ("City", "Employees", "Annual revenue", "Currency", "Owner", "Type")} == {
        "City": "Łódź",
        "Employees": "120",
        "Annual revenue": "2500000.50",
        "Currency": "PLN",
        "Owner": "sales@example.com",
        "Type": "Prospect",
    }
    assert [polish[k] for k in ("Tier", "Sectors", "VIP", "Note")] == ["Gold", "Retail, Energy", "Yes", "'=1+1"]
    assert column(rows, "VIP") == ["Yes", "No", "No"]
    everything = csv_rows(run_export(scene.salesperson, django_capture_on_commit_callbacks))
    assert set(column(everything, "Name")) == {"Zakłady Łódź Żółć", "Acme", "Beta"} | {"'" + n for n in HOSTILE}


def test_cells_a_spreadsheet_would_run_are_neutralised_in_csv_and_xlsx(scene, django_capture_on_commit_callbacks):
    csv_names = column(csv_rows(run_export(scene.salesperson, django_capture_on_commit_callbacks)), "Name")
    xlsx_names = column(
        xlsx_rows(run_export(scene.salesperson, django_capture_on_commit_callbacks, fmt="xlsx")), "Name"
    )
    for name in HOSTILE:
        assert "'" + name in csv_names
        # XML turns a bare CR into LF on reading; what matters is the leading apostrophe.
        assert "'" + name.replace("\r", "\n") in [n.replace("\r", "\n") for n in xlsx_names]
    assert not any(str(n).startswith(FORMULA_STARTS) for n in csv_names + xlsx_names)


def test_the_xlsx_has_the_same_values_as_the_csv(scene, django_capture_on_commit_callbacks):
    params = {"ordering": "name"}
    csv_data = csv_rows(run_export(scene.emea_manager, django_capture_on_commit_callbacks, **params))
    job = run_export(scene.emea_manager, django_capture_on_commit_callbacks, fmt="xlsx", **params)
    assert job.result["filename"].endswith(".xlsx")
    xlsx_data = xlsx_rows(job)
    assert xlsx_data[0] == csv_data[0]
    assert len(xlsx_data) == len(csv_data) == 1 + 10
    for xlsx_row, csv_row in zip(xlsx_data[1:], csv_data[1:], strict=True):
        assert [same_value(x, c) for x, c in zip(xlsx_row, csv_row, strict=True)] == [True] * len(csv_row)


def same_value(xlsx_value: Any, csv_value: str) -> bool:
    if xlsx_value is None:
        return csv_value == ""
    if isinstance(xlsx_value, dt.datetime):
        return csv_value[:16] == xlsx_value.isoformat()[:16]
    if isinstance(xlsx_value, int | float):
        return Decimal(str(xlsx_value)) == Decimal(csv_value)
    return str(xlsx_value).replace("\r", "\n") == csv_value.replace("\r", "\n")


def test_a_contact_export_has_the_contacts_the_actor_sees(scene, django_capture_on_commit_callbacks):
    acme = Account.objects.get(name="Acme")
    services.contact_create(
        actor=scene.salesperson,
        first_name="Łucja",
        last_name="Źdźbło",
        email="lucja@acme.pl",
        account=acme.pk,
        marketing_consent="given",
    )
    services.contact_create(actor=scene.salesperson, first_name="Jan", last_name="=cmd|' /C calc'!A0")
    ContactFactory.create(first_name="Hidden", last_name="Person", owner=scene.other_salesperson)
    job = run_export(scene.salesperson, django_capture_on_commit_callbacks, record_type="contact")
    rows = csv_rows(job)
    assert job.result["filename"].startswith("contacts-")
    assert column(rows, "ID") == [
        str(pk) for pk in CONTACT_LIST.apply(scene.salesperson, {}).values_list("pk", flat=True)
    ]
    people = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(people) == {"Źdźbło", "'=cmd|' /C calc'!A0"}
    assert {
        k: people["Źdźbło"][k] for k in ("First name", "Account", "E-mail", "Marketing consent", "Do not contact")
    } == {
        "First name": "Łucja",
        "Account": "Acme",
        "E-mail": "lucja@acme.pl",
        "Marketing consent": "Given",
        "Do not contact": "no",
    }
    filtered = csv_rows(
        run_export(scene.salesperson, django_capture_on_commit_callbacks, "contact", account=str(acme.pk))
    )
    assert column(filtered, "Last name") == ["Źdźbło"]


ORDER_MESSAGE = str(UNKNOWN_ORDER % {"choices": ", ".join(ACCOUNT_LIST.ordering_choices())})


@pytest.mark.parametrize(
    ("record_type", "file_format", "params", "errors"),
    [
        ("account", "pdf", {}, {"format": [str(UNKNOWN_FORMAT)]}),
        ("account", "CSV", {}, {"format": [str(UNKNOWN_FORMAT)]}),
        ("lead", "csv", {}, {"record_type": [str(UNKNOWN_RECORD_TYPE)]}),
        ("account", "csv", {"created_after": "yesterday"}, {"created_after": [str(NOT_A_DATE)]}),
        ("contact", "xlsx", {"consent": "maybe"}, {"consent": ["Choose one of: unknown, given, withdrawn."]}),
        ("account", "csv", {"ordering": "secret"}, {"ordering": [ORDER_MESSAGE]}),
    ],
)
def test_a_bad_export_request_is_refused_before_anything_is_queued(
    scene, django_capture_on_commit_callbacks, record_type, file_format, params, errors
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(InvalidInput) as caught:
        export_start(actor=scene.salesperson, record_type=record_type, params=params, file_format=file_format)
    assert caught.value.errors == errors
    assert callbacks == []
    assert not Job.objects.exists()


def test_the_job_applies_the_rights_the_actor_has_when_it_runs(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = export_start(actor=scene.salesperson, record_type="account", params={}, file_format="csv")
        role_permission_set(
            actor=scene.admin,
            role=Role.objects.get(pk="salesperson"),
            record_type="account",
            can_create=True,
            can_read=False,
            can_edit=True,
            can_delete=False,
            scope="own",
        )
    job = Job.objects.get(pk=job.pk)
    assert (job.status, job.result["rows"]) == ("done", 0)
    assert csv_rows(job)[1:] == []


# --- the formula rule itself ------------------------------------------------------------------------


@given(st.sampled_from(FORMULA_STARTS), st.text())
def test_any_text_starting_like_a_formula_is_neutralised(first, rest):
    value = first + rest
    assert neutralise(value) == "'" + value
    written = write_csv(["h"], [[value]]).decode("utf-8")[1:]
    assert list(csv.reader(io.StringIO(written, newline="")))[1] == ["'" + value]


@given(st.text().filter(lambda s: not s.startswith(FORMULA_STARTS)))
def test_other_text_is_left_alone(value):
    assert neutralise(value) == value
