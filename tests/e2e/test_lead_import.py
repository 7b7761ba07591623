"""Importing a purchased list in a real browser: upload → map → preview → run → report → download."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from rapport.leads.models import Lead
from tests.e2e.support import sign_in
from tests.leads.import_support import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    ["Imię", "Nazwisko", "Nazwa firmy", "E-mail", "Wartość", "Uwagi"],
    ["Łukasz", "Żółć", "Zażółć Gęślą Jaźń sp. z o.o.", "lukasz@example.pl", "1 234,56", "=HYPERLINK(1)"],
    ["Agnieszka", "Wiśniewska", "Śnieżka S.A.", "a.wisniewska@example.pl", "99,90", ""],
    ["Ewa", "Kęska", "", "to nie adres", "", ""],
]


def test_import_a_purchased_list(page: Any, live_server: Any, org: Any, tmp_path: Path) -> None:
    base = live_server.url
    sign_in(page, base, org.marketing.email)
    source = tmp_path / "zakupiona-lista.csv"
    source.write_bytes(csv_bytes(ROWS, delimiter=";", encoding="cp1250"))

    # 1. Upload.
    page.goto(f"{base}/leads/import/")
    page.set_input_files("input[name=file]", str(source))
    page.click("main form button[type=submit].button-primary")
    page.wait_for_url(re.compile(r".*/leads/import/[0-9a-f]{32}\.csv/$"))

    # 2. Map: the encoding and delimiter are recognised, the Polish headers suggested.
    facts = page.locator("#import-file").inner_text()
    assert "Windows-1250" in facts and "zakupiona-lista.csv" in facts
    assert page.locator("select[name=col_1]").input_value() == "last_name"
    assert page.locator("select[name=col_4]").input_value() == "estimated_value"
    page.select_option("select[name=col_5]", "description")
    page.fill("input[name=tags]", "targi-2026")

    # 3. Preview: row 4 has a bad e-mail address, nothing is saved yet.
    page.click("button[value=preview]")
    page.locator("#import-preview").wait_for()
    assert page.locator('tr[data-row="4"]').get_attribute("data-outcome") == "failed"
    assert "E-mail" in page.locator('tr[data-row="4"]').inner_text()
    assert page.locator('tr[data-row="2"]').get_attribute("data-outcome") == "created"
    assert Lead.objects.count() == 0

    # 4. Run, 5. the report fills in by itself.
    page.click("button[value=run]")
    page.wait_for_url(re.compile(r".*/leads/import/jobs/[0-9a-f-]{36}/$"))
    page.locator('[data-count="created"]').wait_for()
    assert page.locator('[data-count="created"]').inner_text() == "2"
    assert page.locator('[data-count="failed"]').inner_text() == "1"
    assert "4" in page.locator("#import-errors").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download the report")).click()
    report = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert report.splitlines()[0] == "Row,Outcome,Lead,Message"
    assert len(report.splitlines()) == 4

    lead = Lead.objects.get(last_name="Żółć")
    assert (lead.first_name, lead.company, str(lead.estimated_value_amount)) == (
        "Łukasz",
        "Zażółć Gęślą Jaźń sp. z o.o.",
        "1234.56",
    )
    assert lead.description == "=HYPERLINK(1)"
    assert list(lead.tags.values_list("name", flat=True)) == ["targi-2026"]


def test_the_import_pages_fit_a_phone(page: Any, live_server: Any, org: Any, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, org.marketing.email)
    page.goto(f"{live_server.url}/leads/import/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    source = tmp_path / "list.csv"
    source.write_bytes(csv_bytes(ROWS))
    page.set_input_files("input[name=file]", str(source))
    page.click("main form button[type=submit].button-primary")
    page.wait_for_url(re.compile(r".*/leads/import/[0-9a-f]{32}\.csv/$"))
    page.click("button[value=preview]")
    page.locator("#import-preview").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
