"""Exports through the API run as jobs; `/api/v1/jobs/{id}` reports them and serves the file."""

from __future__ import annotations

import csv
import io
import uuid

import openpyxl
import pytest

from rapport.core.models import Job, JobStatus
from rapport.core.services.jobs import job_start, register_handler
from tests.api.conftest import assert_problem, db_snapshot
from tests.factories import AccountFactory, ContactFactory

HOSTILE = "=cmd|' /C calc'!A0"


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, getattr(response, "content", b"")
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content)


@pytest.fixture
def accounts(org):
    AccountFactory.create(owner=org.salesperson, name="Acme")
    AccountFactory.create(owner=org.salesperson, name=HOSTILE)
    AccountFactory.create(owner=org.salesperson, name="Zeta", type="customer")
    AccountFactory.create(owner=org.other_salesperson, name="Hidden from the salesperson")


def test_csv_export_has_exactly_the_visible_rows_and_neutralises_formulas(
    org, api_for, accounts, django_capture_on_commit_callbacks
):
    api = api_for(org.salesperson)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("accounts/export", {"format": "csv", "filters": {"type": "prospect", "ordering": "-name"}})
    assert response.status_code == 202, response.content
    queued = response.json()
    assert queued["status"] == "queued" and queued["download_url"] is None

    job = api.get(f"jobs/{queued['id']}").json()
    assert (job["status"], job["progress"], job["errors"], job["result"]["rows"]) == ("done", 100, [], 2)
    assert job["kind"] == "customers.export" and job["finished_at"]
    assert job["download_url"] == f"/api/v1/jobs/{queued['id']}/download"

    content = _download(api.client, job["download_url"]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:2] == ["ID", "Name"]
    assert [row[1] for row in rows[1:]] == ["Acme", "'" + HOSTILE]


def test_xlsx_export_opens_in_openpyxl(org, api_for, accounts, django_capture_on_commit_callbacks):
    api = api_for(org.emea_manager)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api.post("accounts/export", {"format": "xlsx", "filters": {"q": "acme"}}).json()["id"]
    job = api.get(f"jobs/{job_id}").json()
    workbook = openpyxl.load_workbook(io.BytesIO(_download(api.client, job["download_url"])))
    values = list(workbook.active.iter_rows(values_only=True))
    assert values[0][1] == "Name"
    assert [row[1] for row in values[1:]] == ["Acme"]


def test_contact_export_applies_visibility(org, api_for, django_capture_on_commit_callbacks):
    ContactFactory.create(owner=org.salesperson, last_name="Mine")
    ContactFactory.create(owner=org.other_salesperson, last_name="Theirs")
    api = api_for(org.salesperson)
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api.post("contacts/export", {"filters": {}}).json()["id"]
    content = _download(api.client, api.get(f"jobs/{job_id}").json()["download_url"]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert [row[2] for row in rows[1:]] == ["Mine"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"format": "pdf"}, {"format"}),
        ({"filters": {"ordering": "salary"}}, {"filters.ordering"}),
        ({"filters": {"type": "villain"}}, {"filters.type"}),
        ({"filters": {"owner": "someone"}}, {"filters.owner"}),
        ({"filters": {"created_after": "yesterday"}}, {"filters.created_after"}),
        ({"filters": {"salary": "1"}}, {"filters.salary"}),
        ({"filters": {"page": 2}}, {"filters.page"}),
        ({"filters": ["type"]}, {"filters"}),
    ],
)
def test_bad_export_requests_are_422_and_queue_nothing(org, api_for, body, fields):
    api = api_for(org.salesperson)
    before = db_snapshot()
    assert_problem(api.post("accounts/export", body), 422, fields)
    assert db_snapshot() == before


# --- jobs ----------------------------------------------------------------------------------------


def test_only_the_creator_or_an_administrator_sees_a_job(org, api_for, accounts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = api_for(org.salesperson).post("accounts/export", {}).json()["id"]
    for outsider in (org.colleague, org.emea_manager, org.executive):
        api = api_for(outsider)
        assert_problem(api.get(f"jobs/{job_id}"), 404)
        assert_problem(api.get(f"jobs/{job_id}/download"), 404)
    admin = api_for(org.admin)
    assert admin.get(f"jobs/{job_id}").json()["status"] == "done"
    assert _download(admin.client, f"/api/v1/jobs/{job_id}/download")


@pytest.mark.parametrize("job_id", ["not-a-uuid", "1", "00000000-0000-0000-0000", "%00"])
def test_malformed_job_ids_are_422_never_500(org, api_for, job_id):
    api = api_for(org.salesperson)
    assert_problem(api.get(f"jobs/{job_id}"), 422, {"job_id"})
    assert_problem(api.get(f"jobs/{job_id}/download"), 422, {"job_id"})


def test_unknown_job_is_404(org, api_for):
    assert_problem(api_for(org.admin).get(f"jobs/{uuid.uuid4()}"), 404)


def _fails(job: Job, progress) -> dict:
    progress(40)
    raise RuntimeError("boom")


def test_failed_job_reports_errors_and_has_no_file(org, api_for, django_capture_on_commit_callbacks):
    register_handler("tests.fails", _fails)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(actor=org.salesperson, kind="tests.fails", title="Doomed")
    api = api_for(org.salesperson)
    body = api.get(f"jobs/{job.pk}").json()
    assert (body["status"], body["progress"], body["title"], body["download_url"]) == ("failed", 40, "Doomed", None)
    assert body["errors"][0] == {"row": None, "message": "The job failed unexpectedly."}
    assert (body["created"], body["updated"], body["skipped"], body["failed"]) == (None, None, None, None)
    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED
    assert_problem(api.get(f"jobs/{job.pk}/download"), 404)
