"""The import pages: upload → map → preview → run → report, and who may use them."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rapport.core.models import Job
from rapport.customers.exports import export_start
from rapport.leads.importing.mapping import NEEDS_LAST_NAME
from rapport.leads.importing.reading import NOT_A_TABLE
from rapport.leads.importing.rows import BAD_EMAIL
from rapport.leads.models import Lead
from tests.leads.import_support import csv_bytes, private_media  # noqa: F401 — private_media applies to every test here

ROWS = [
    ["Imię", "Nazwisko", "Firma", "E-mail"],
    ["Łukasz", "Żółć", "Zażółć Gęślą Jaźń sp. z o.o.", "lukasz@example.pl"],
    ["Ewa", "Kęska", "", "to nie adres"],
]
CHOICES = {
    "col_0": "first_name",
    "col_1": "last_name",
    "col_2": "company",
    "col_3": "email",
    "duplicates": "skip",
    "decimal_separator": "auto",
    "date_format": "iso",
    "source": "purchased_list",
}


def _upload(client, content: bytes | None = None, name: str = "lista.csv"):
    content = content if content is not None else csv_bytes(ROWS, delimiter=";", encoding="cp1250")
    return client.post("/leads/import/", {"file": SimpleUploadedFile(name, content)})


def test_the_whole_flow_in_pages(org, client_for, django_capture_on_commit_callbacks):
    client = client_for(org.marketing)
    assert client.get("/leads/import/").status_code == 200

    uploaded = _upload(client)
    assert uploaded.status_code == 302
    mapping_url = uploaded["Location"]
    assert re.fullmatch(r"/leads/import/[0-9a-f]{32}\.csv/", mapping_url)

    page = client.get(mapping_url).content.decode()
    assert "Windows-1250" in page and "lista.csv" in page
    assert '<option value="last_name" selected>' in page  # "Nazwisko" is suggested as the last name
    assert "Zażółć Gęślą Jaźń sp. z o.o." in page  # examples of each column

    preview = client.post(mapping_url, {**CHOICES, "action": "preview"}).content.decode()
    assert 'id="import-preview"' in preview
    assert 'data-row="2" data-outcome="created"' in preview and 'data-row="3" data-outcome="failed"' in preview
    assert str(BAD_EMAIL) in preview
    assert not Lead.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(mapping_url, {**CHOICES, "action": "run"})
    assert started.status_code == 302
    job = Job.objects.get(kind="leads.import")
    assert started["Location"] == f"/leads/import/jobs/{job.pk}/"
    assert job.params["filename"] == "lista.csv"

    report = client.get(started["Location"]).content.decode()
    assert 'data-count="created">1<' in report and 'data-count="failed">1<' in report
    assert f"E-mail: {BAD_EMAIL}" in report
    assert f"/jobs/{job.pk}/download/" in report
    assert Lead.objects.get().last_name == "Żółć"

    partial = client.get(started["Location"], headers={"HX-Request": "true", "HX-Target": "import-progress"})
    assert partial.content.decode().lstrip().startswith('<div id="import-progress"')


def test_a_file_that_is_no_table_is_refused_on_the_upload_page(org, client_for):
    response = _upload(client_for(org.marketing), b"%PDF-1.4\n\x00\x01\x02", "offer.pdf")
    assert response.status_code == 200
    assert str(NOT_A_TABLE) in response.content.decode()


def test_a_mapping_without_a_last_name_is_refused_with_its_reason(org, client_for):
    client = client_for(org.marketing)
    mapping_url = _upload(client)["Location"]
    response = client.post(mapping_url, {**CHOICES, "col_1": "ignore", "action": "run"})
    assert response.status_code == 200
    assert str(NEEDS_LAST_NAME) in response.content.decode()
    assert not Job.objects.exists()


def test_only_people_who_may_create_leads_see_the_pages(org, client_for):
    mapping_url = _upload(client_for(org.marketing))["Location"]
    for outsider in (org.executive, org.department_member):
        client = client_for(outsider)
        assert client.get("/leads/import/").status_code == 403
        assert client.get(mapping_url).status_code == 403


def test_an_upload_is_its_owners_only(org, client_for):
    mapping_url = _upload(client_for(org.marketing))["Location"]
    assert client_for(org.salesperson).get(mapping_url).status_code == 404
    assert client_for(org.marketing).get("/leads/import/../etc/").status_code == 404


@pytest.mark.parametrize("who", ["colleague", "owner_other_kind"])
def test_the_report_page_shows_only_ones_own_import_jobs(org, client_for, django_capture_on_commit_callbacks, who):
    if who == "colleague":
        client = client_for(org.marketing)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_upload(client)["Location"], {**CHOICES, "action": "run"})
        job = Job.objects.get()
        assert client_for(org.salesperson).get(f"/leads/import/jobs/{job.pk}/").status_code == 404
    else:
        job = export_start(actor=org.salesperson, record_type="account", params={}, file_format="csv")
        assert client_for(org.salesperson).get(f"/leads/import/jobs/{job.pk}/").status_code == 404
