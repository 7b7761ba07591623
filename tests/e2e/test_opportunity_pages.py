"""The opportunity pages on a phone: the list, the record page with its product-line editor, and the
catalogue fit a 390 px screen without sideways scrolling, and a line added in place updates the amount."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rapport.catalog.models import Product
from rapport.pipeline.models import Opportunity
from rapport.pipeline.services.opportunities import opportunity_create
from tests.e2e.test_pipeline_board import shot, sign_in
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)

FITS = "document.documentElement.scrollWidth <= window.innerWidth"


def test_list_detail_and_line_editor_on_a_phone(browser: Any, live_server: Any, org: Any) -> None:
    account = AccountFactory.create(owner=org.salesperson, name="Mleczarnia Łowicz Spółdzielnia Mleczarska")
    Product.objects.create(
        sku="PMP-100", name="Centrifugal pump", list_price_amount=Decimal("1250"), list_price_currency_id="EUR"
    )
    opportunity = opportunity_create(
        actor=org.salesperson, name="Dairy line modernisation, phase two", account=account.pk, amount_currency="EUR"
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        base = live_server.url
        sign_in(page, base, org.salesperson.email)
        page.goto(f"{base}/opportunities/")
        page.get_by_role("link", name="Dairy line modernisation, phase two").first.wait_for()
        assert page.evaluate(FITS)
        shot(page, "opportunities-01-list-phone")

        page.goto(f"{base}/opportunities/{opportunity.pk}/")
        assert page.evaluate(FITS)
        form = page.locator("form[action$='/lines/add/']").first
        form.locator("select[name=product]").select_option(label="Centrifugal pump (PMP-100)")
        form.locator("input[name=quantity]").fill("2")
        form.locator("input[name=discount]").fill("10")
        form.locator("button[type=submit]").click()
        page.locator(".lines-total", has_text="2250.00").wait_for()  # 2 x 1,250 less 10 %, in place
        assert Opportunity.objects.get(pk=opportunity.pk).amount_amount == Decimal("2250.00")
        assert page.evaluate(FITS)
        shot(page, "opportunities-02-detail-phone")

        page.goto(f"{base}/products/")
        page.get_by_text("PMP-100").first.wait_for()
        assert page.evaluate(FITS)
    finally:
        context.close()
