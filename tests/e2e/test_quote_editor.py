"""The quote's line editor in a real browser: a quantity changed in a row is saved in place and the
totals follow without a page load; the quote pages fit a phone's screen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from rapport.pipeline.services.opportunities import opportunity_create
from rapport.pipeline.services.parts import line_add
from rapport.quotes.models import Quote
from rapport.quotes.services import quote_create
from tests.e2e.support import shot, sign_in
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def draft_quote(org: Any) -> Quote:
    """Pump 3 x 100.00 at 23 %: 300.00 net, 69.00 tax, 369.00 in all."""
    pump = Product.objects.create(
        sku="PUMP", name="Pump", list_price_amount=Decimal("120"), list_price_currency_id="EUR", tax_rate=Decimal("23")
    )
    book = PriceBook.objects.create(name="EUR general", currency_id="EUR")
    PriceBookEntry.objects.create(price_book=book, product=pump, unit_price=Decimal("100.00"))
    account = AccountFactory.create(owner=org.salesperson, name="Mleczarnia Łowicz Spółdzielnia Mleczarska")
    opportunity = opportunity_create(actor=org.salesperson, name="Dairy pumps", account=account.pk)
    line_add(actor=org.salesperson, opportunity_id=opportunity.pk, data={"product": pump.pk, "quantity": "3"})
    return quote_create(actor=org.salesperson, opportunity_id=opportunity.pk)


def test_a_quantity_changed_in_place_updates_the_total(page: Any, live_server: Any, org: Any) -> None:
    quote = draft_quote(org)
    assert quote.total == Decimal("369.00")
    line = quote.lines.get()
    base = live_server.url
    sign_in(page, base, org.salesperson.email)
    page.goto(f"{base}/quotes/{quote.pk}/")
    page.locator(".quote-total", has_text="369.00 EUR").wait_for()
    page.evaluate("window.__samePage = true")  # gone if the browser loaded a new page

    quantity = page.locator(f"#line-{line.pk}-quantity")
    quantity.fill("5")
    quantity.press("Tab")  # leaving the field saves the row
    page.locator(".quote-total", has_text="615.00 EUR").wait_for()  # 500.00 + 23 % tax
    page.locator(f"#quote-line-{line.pk} .line-net", has_text="500.00").wait_for()
    page.locator("#quote-version-total", has_text="615.00 EUR").wait_for()  # the history follows too
    assert page.evaluate("window.__samePage === true")
    assert Quote.objects.get(pk=quote.pk).total == Decimal("615.00")
    shot(page, "quotes-01-editor")

    page.locator(f"#line-{line.pk}-discount").fill("150")
    page.locator(f"#line-{line.pk}-discount").press("Tab")
    page.get_by_text("Enter a percentage between 0 and 100.").wait_for()
    assert Quote.objects.get(pk=quote.pk).total == Decimal("615.00")
    assert page.evaluate("window.__samePage === true")


def test_the_quote_pages_fit_a_phone(browser: Any, live_server: Any, org: Any) -> None:
    quote = draft_quote(org)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        base = live_server.url
        sign_in(page, base, org.salesperson.email)
        page.goto(f"{base}/quotes/")
        page.get_by_role("link", name=quote.display_number).first.wait_for()
        assert page.evaluate(FITS)
        page.goto(f"{base}/quotes/{quote.pk}/")
        page.locator(".quote-total").wait_for()
        assert page.evaluate(FITS)
        shot(page, "quotes-02-detail-phone")
    finally:
        context.close()
