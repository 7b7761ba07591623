"""Working a lead in a real browser: create it, find it with the list filters, tick the qualification
checklist (the score follows without a reload), convert it — and the same on a 390 px phone screen."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rapport.customers.models import Account, Contact
from rapport.leads.models import Lead, LeadStatus, ScoringRule
from rapport.pipeline.models import Opportunity
from tests.e2e.support import shot, sign_in
from tests.factories import lead_source

pytestmark = pytest.mark.django_db(transaction=True)

#: set RAPPORT_SCREENSHOTS=/some/dir to keep a picture of each step (for reviewing the layout)


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_create_filter_qualify_and_convert(page: Any, live_server: Any, org: Any) -> None:
    ScoringRule.objects.create(name="Budget known", field="criterion_budget", operator="is_set", points=15)
    base = live_server.url
    sign_in(page, base, org.salesperson.email)

    # The main navigation leads to the list, empty at first, with a call to action.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Leads").click()
    page.wait_for_url(f"{base}/leads/")
    assert page.locator(".empty-state h2").inner_text() == "No leads yet"

    # A new lead through the full form; no owner chosen, so the assignment rules (none here) give it to me.
    page.get_by_role("link", name="Create the first lead").click()
    page.fill("input[name=first_name]", "Zofia")
    page.fill("input[name=last_name]", "Wójcik")
    page.fill("input[name=company]", "Mleczarnia Łowicz")
    page.fill("input[name=email]", "zofia@mleczarnia.example")
    page.select_option("select[name=source]", label="Event")
    page.check("input[name=need_identified]")
    page.fill("input[name=tags]", "fair 2026, dairy")
    shot(page, "01-form")
    page.click("main form button[type=submit].button-primary")
    page.wait_for_url(re.compile(r".*/leads/\d+/$"))
    lead = Lead.objects.get(last_name="Wójcik")
    assert (lead.owner_id, lead.source_id, lead.need_identified) == (org.salesperson.pk, lead_source("event").pk, True)
    assert sorted(t.name for t in lead.tags.all()) == ["dairy", "fair 2026"]
    Lead.objects.create(last_name="Kowalczyk", company="Other", owner=org.salesperson, status=LeadStatus.CONTACTED)

    # The list: the status filter narrows the rows in place (htmx), and the address keeps the filter.
    page.goto(f"{base}/leads/")
    assert page.locator("table.lead-table tbody tr").count() == 2
    page.select_option("#filter-status", "contacted")
    page.wait_for_url(re.compile(r".*/leads/\?.*status=contacted"))
    page.locator("table.lead-table tbody tr").first.wait_for()
    assert page.locator("table.lead-table tbody tr").count() == 1
    assert "Kowalczyk" in page.locator("table.lead-table").inner_text()
    page.select_option("#filter-status", "new")
    page.get_by_role("link", name="Zofia Wójcik").wait_for()
    shot(page, "02-list")
    page.get_by_role("link", name="Zofia Wójcik").click()
    page.wait_for_url(f"{base}/leads/{lead.pk}/")

    # The checklist: ticking "Budget" saves at once and the score in the header follows.
    assert page.locator("#lead-score").inner_text() == "Score: 0"
    page.locator("#checklist button[data-criterion=budget]").click()
    page.locator("#checklist button[data-criterion=budget][aria-pressed=true]").wait_for()
    assert page.locator("#lead-score").inner_text() == "Score: 15"
    lead.refresh_from_db()
    assert (lead.qualification, lead.score) == ({"budget": True}, 15)
    page.get_by_role("button", name="Qualify").click()
    page.locator(".alert-success").wait_for()
    shot(page, "03-detail")

    # Convert: a new account from the company (no match exists) and a new contact.
    page.get_by_role("link", name="Convert").click()
    page.wait_for_url(f"{base}/leads/{lead.pk}/convert/")
    assert page.locator("input[name=account][value=new]").is_checked()
    page.locator("input[name=create_opportunity]").check()
    shot(page, "04-convert")
    page.get_by_role("button", name="Convert lead").click()
    page.wait_for_url(re.compile(r".*/opportunities/\d+/$"))
    contact = Contact.objects.get(last_name="Wójcik")
    assert contact.account == Account.objects.get(name="Mleczarnia Łowicz")
    opportunity = Opportunity.objects.get(source_lead=lead)
    assert (opportunity.account, opportunity.stage.name) == (contact.account, "Prospecting")
    page.goto(f"{base}/leads/{lead.pk}/")
    assert "Converted on" in page.locator(".converted-banner").inner_text()
    assert page.get_by_role("link", name="Edit").count() == 0


def test_phone_screen_quick_add_and_bulk_actions(browser: Any, live_server: Any, org: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    Lead.objects.create(last_name="Existing", company="Old Co", owner=org.emea_manager)
    sign_in(page, base, org.emea_manager.email)

    page.goto(f"{base}/leads/")
    assert no_sideways_scroll(page)
    page.locator("details.quick-create > summary").click()
    page.fill("#id_quick-last_name", "Tanaka")
    page.fill("#id_quick-company", "Kyoto Tea")
    page.fill("#id_quick-email", "tanaka@kyoto-tea.example")
    shot(page, "05-quick-390")
    page.locator("#quick-create button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/leads/\d+/$"))
    assert page.locator("h1").inner_text() == "Tanaka"
    assert no_sideways_scroll(page)
    shot(page, "06-detail-390")

    # Bulk: tick every lead on the page, mark them contacted; the page says how many changed.
    page.goto(f"{base}/leads/")
    page.locator("input.select-all").check()
    assert page.locator("input.row-select:checked").count() == 2
    page.locator("details.bulk-actions > summary").click()
    page.select_option("#id_status", "contacted")
    page.get_by_role("button", name="Set status").click()
    page.locator(".alert-success").wait_for()
    assert page.locator(".alert-success").inner_text() == "Status changed on 2 leads."
    assert set(Lead.objects.values_list("status", flat=True)) == {"contacted"}
    assert no_sideways_scroll(page)

    # Enter in the tag field adds the tag (not the first action of the panel, reassigning).
    page.locator("input.row-select").first.check()
    page.locator("details.bulk-actions > summary").click()
    page.fill("#id_tag", "Fair 2026")
    page.press("#id_tag", "Enter")
    page.locator(".alert-success", has_text="Tag added").wait_for()
    assert page.locator(".alert-success").inner_text() == "Tag added to 1 lead."

    # The other lead pages fit the screen too.
    tanaka, existing = Lead.objects.get(last_name="Tanaka"), Lead.objects.get(last_name="Existing")
    for path in (
        f"/leads/{tanaka.pk}/convert/",
        f"/leads/{tanaka.pk}/merge/?duplicate={existing.pk}",
        f"/leads/{tanaka.pk}/edit/",
        "/leads/new/",
    ):
        page.goto(f"{base}{path}")
        assert no_sideways_scroll(page), path
    shot(page, "07-list-390")
    context.close()
