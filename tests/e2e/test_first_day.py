"""A salesperson's first minutes, in a real browser: sign in, create an account and a contact at
it (picking the account with the search widget), then find both with the global search."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rapport.customers.models import Account, Contact
from tests.e2e.support import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_an_account_and_a_contact_then_find_them(page: Any, live_server: Any, org: Any) -> None:
    base = live_server.url
    sign_in(page, base, org.salesperson.email)

    # A new account, through the form.
    page.goto(f"{base}/accounts/new/")
    page.fill("input[name=name]", "Żabka Logistics Kraków")
    page.select_option("select[name=type]", "customer")
    page.fill("input[name=city]", "Kraków")
    page.click("main form button[type=submit].button-primary")
    page.wait_for_url(re.compile(r".*/accounts/\d+/$"))
    assert page.locator("h1").inner_text().strip() == "Żabka Logistics Kraków"
    account = Account.objects.get(name="Żabka Logistics Kraków")
    assert account.owner_id == org.salesperson.pk

    # A contact at that account: the account is picked from live suggestions.
    page.goto(f"{base}/contacts/new/")
    page.fill("input[name=first_name]", "Agnieszka")
    page.fill("input[name=last_name]", "Wiśniewska")
    page.fill("input[name=email]", "a.wisniewska@zabka-logistics.example")
    combo = page.locator(".combo-input").first
    combo.fill("żabka")
    page.locator(".combo-options [data-value]").first.click()
    page.select_option("select[name=purchase_role]", "decision_maker")
    page.click("main form button[type=submit].button-primary")
    page.wait_for_url(re.compile(r".*/contacts/\d+/$"))
    contact = Contact.objects.get(last_name="Wiśniewska")
    assert contact.account_id == account.pk
    assert contact.account_links.get().purchase_role == "decision_maker"

    # The global search box suggests both as you type, without diacritics.
    page.fill("#global-search-input", "zabka")
    suggestions = page.locator("#search-suggestions")
    suggestions.get_by_role("link", name=re.compile("^Żabka Logistics Kraków")).wait_for()
    page.fill("#global-search-input", "wisniew")
    suggestions.get_by_role("link", name=re.compile("^Agnieszka Wiśniewska")).wait_for()

    # And the full results page lists them, linking to the records.
    page.goto(f"{base}/search/?q=agn")
    page.locator("main").get_by_role("link", name=re.compile("^Agnieszka Wiśniewska")).first.click()
    page.wait_for_url(f"{base}/contacts/{contact.pk}/")


def test_a_colleague_from_another_team_does_not_find_them(page: Any, live_server: Any, org: Any) -> None:
    from rapport.customers import services

    services.account_create(actor=org.salesperson, name="Secret Sp. z o.o.")
    sign_in(page, live_server.url, org.other_salesperson.email)
    page.goto(f"{live_server.url}/search/?q=secret")
    assert "Secret Sp. z o.o." not in page.content()
