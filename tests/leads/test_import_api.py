"""`POST /api/v1/leads/import` and `/preview`, and the job contract of `GET /api/v1/jobs/{id}`."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from rapport.core.models import Job
from rapport.leads.importing.api import BAD_JSON
from rapport.leads.importing.deciding import CANNOT_UPDATE, HIDDEN_RECORD
from rapport.leads.importing.mapping import UNKNOWN_TARGET
from rapport.leads.importing.rows import BAD_EMAIL
from rapport.leads.importing.service import UNKNOWN_POLICY
from rapport.leads.models import Lead
from tests.api.conftest import ApiClient, assert_problem, token_for
from tests.factories import LeadFactory
from tests.leads.import_support import csv_bytes, private_media  # noqa: F401 — private_media applies to every test here

URL = "/api/v1/leads/import"
ROWS = [
    ["Imię", "Nazwisko", "Firma", "E-mail", "Wartość"],
    ["Łukasz", "Żółć", "Zażółć Gęślą Jaźń sp. z o.o.", "lukasz@example.pl", "1 234,56"],
    ["Ewa", "Kęska", "", "to nie adres", ""],
]


@pytest.fixture
def api_for(db):
    return lambda user: ApiClient(token_for(user))


def _file(content: bytes | None = None, name: str = "lista.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content if content is not None else csv_bytes(ROWS, delimiter=";", encoding="cp1250")
    )


def _uploads() -> int:
    if not default_storage.exists("lead-imports"):
        return 0
    folders, _files = default_storage.listdir("lead-imports")
    return sum(len(default_storage.listdir(f"lead-imports/{f}")[1]) for f in folders)


def test_an_import_answers_202_with_the_job_and_the_job_reports_the_contract(
    org, api_for, django_capture_on_commit_callbacks
):
    api = api_for(org.marketing)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.client.post(URL, {"file": _file()})
    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {"job"}
    job_id = uuid.UUID(body["job"])

    job = api.get(f"jobs/{job_id}").json()
    assert (job["status"], job["progress"]) == ("done", 100)
    assert (job["created"], job["updated"], job["skipped"], job["failed"]) == (1, 0, 0, 1)
    assert job["errors"] == [{"row": 3, "message": f"E-mail: {BAD_EMAIL}"}]
    assert job["result"]["rows"] == 2 and job["kind"] == "leads.import"
    assert job["download_url"] == f"/api/v1/jobs/{job_id}/download"
    lead = Lead.objects.get()
    assert (lead.first_name, lead.last_name, str(lead.estimated_value_amount)) == ("Łukasz", "Żółć", "1234.56")


def test_a_mapping_policy_and_options_are_taken_as_sent(org, api_for, django_capture_on_commit_callbacks):
    api = api_for(org.marketing)
    mapping = {"Nazwisko": "last_name", "Firma": "company", "E-mail": "ignore", "Wartość": "ignore"}
    form = {"mapping": json.dumps(mapping), "duplicates": "create", "dry_run": "true", "source": "event", "tags": "a,b"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.client.post(URL, {"file": _file(), **form})
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job"])
    assert job.params["mapping"] == {**mapping, "Imię": "ignore"}
    assert (job.params["duplicates"], job.params["dry_run"]) == ("create", True)
    assert (job.params["options"]["source"], job.params["options"]["tags"]) == ("event", ["a", "b"])
    assert (job.result["created"], job.result["dry_run"]) == (2, True)
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("form", "fields", "message"),
    [
        ({"mapping": "{not json"}, {"mapping"}, str(BAD_JSON)),
        (
            {"mapping": json.dumps({"Nazwisko": "last_name", "Firma": "salary"})},
            {"mapping.Firma"},
            str(UNKNOWN_TARGET % {"target": "salary"}),
        ),
        ({"mapping": json.dumps(["Nazwisko"])}, {"mapping"}, None),
        ({"duplicates": "merge"}, {"duplicates"}, str(UNKNOWN_POLICY)),
        ({"decimal_separator": ";"}, {"decimal_separator"}, None),
        ({"date_format": "ymd"}, {"date_format"}, None),
        ({"source": "billboard"}, {"source"}, None),
        ({"currency": "XXX"}, {"currency"}, None),
        ({"campaign": "x\x00y"}, {"campaign"}, None),
    ],
)
def test_bad_requests_are_422_problems_and_store_nothing(org, api_for, form, fields, message):
    api = api_for(org.marketing)
    before = _uploads()
    body = assert_problem(api.client.post(URL, {"file": _file(), **form}), 422, fields)
    if message is not None:
        assert body["errors"][next(iter(fields))] == [message]
    assert _uploads() == before
    assert not Job.objects.exists() and not Lead.objects.exists()


def test_a_file_that_is_no_table_or_too_large_is_a_422_on_file(org, api_for):
    api = api_for(org.marketing)
    assert_problem(api.client.post(URL, {"file": _file(b"%PDF-1.4\n\x00\x01", "offer.pdf")}), 422, {"file"})
    with override_settings(RAPPORT_IMPORT_MAX_BYTES=10):
        assert_problem(api.client.post(URL, {"file": _file()}), 422, {"file"})
    assert_problem(api.client.post(URL, {}), 422)
    assert not Job.objects.exists()


def test_someone_without_the_right_to_create_leads_gets_403(org, api_for):
    for outsider in (org.executive, org.department_member):
        api = api_for(outsider)
        assert_problem(api.client.post(URL, {"file": _file()}), 403)
        assert_problem(api.client.post(f"{URL}/preview", {"file": _file()}), 403)
    assert not Job.objects.exists()


def test_a_salesperson_cannot_update_through_the_api_a_lead_they_cannot_edit(
    org, api_for, django_capture_on_commit_callbacks
):
    theirs = LeadFactory.create(last_name="Theirs", email="lukasz@example.pl", owner=org.other_salesperson)
    api = api_for(org.salesperson)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.client.post(URL, {"file": _file(), "duplicates": "update"})
    job = api.get(f"jobs/{response.json()['job']}").json()
    assert (job["updated"], job["skipped"], job["created"]) == (0, 1, 0)
    assert job["result"]["skips"] == [
        {"row": 2, "message": str(CANNOT_UPDATE % {"label": HIDDEN_RECORD, "reason": "same e-mail"})}
    ]
    theirs.refresh_from_db()
    assert theirs.last_name == "Theirs"


def test_the_preview_checks_the_first_rows_and_saves_nothing(org, api_for):
    api = api_for(org.marketing)
    before = _uploads()
    response = api.client.post(f"{URL}/preview", {"file": _file()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["encoding"], body["delimiter"], body["headers"][1]) == ("Windows-1250", ";", "Nazwisko")
    assert body["mapping"]["Nazwisko"] == "last_name" and body["mapping"]["Wartość"] == "estimated_value"
    assert [(r["row"], r["outcome"]) for r in body["rows"]] == [(2, "created"), (3, "failed")]
    assert body["rows"][1]["errors"] == [{"field": "E-mail", "message": str(BAD_EMAIL)}]
    assert not Lead.objects.exists() and _uploads() == before


def test_an_export_job_has_no_counts_and_its_errors_have_no_row(org, api_for, django_capture_on_commit_callbacks):
    from rapport.core.services.jobs import job_start, register_handler

    def fails(job, progress):
        raise RuntimeError("boom")

    register_handler("tests.fails", fails)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=org.marketing, kind="tests.fails", title="Doomed")
    body = api_for(org.marketing).get(f"jobs/{job.pk}").json()
    assert (body["created"], body["updated"], body["skipped"], body["failed"]) == (None, None, None, None)
    assert body["errors"][0] == {"row": None, "message": "The job failed unexpectedly."}
