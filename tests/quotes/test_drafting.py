"""Creating a quote from an opportunity and editing it while it is a draft."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from rapport.core.errors import ActionNotAllowed, InvalidInput, RecordNotFound, RuleViolation
from rapport.core.models import AuditEntry
from rapport.pipeline.models import Pipeline
from rapport.pipeline.services.opportunities import opportunity_move
from rapport.quotes.models import QuoteSettings, QuoteStatus
from rapport.quotes.services import quote_create, quote_line_add, quote_line_delete, quote_line_update, quote_update
from rapport.quotes.services.common import OPPORTUNITY_CLOSED, VALID_UNTIL_IN_PAST
from rapport.quotes.services.drafting import PRODUCT_OR_TEXT, UNKNOWN_LANGUAGE

D = Decimal


def test_a_quote_starts_as_a_draft_copied_from_the_opportunity(org, deal):
    QuoteSettings.objects.update_or_create(pk=1, defaults={"validity_days": 14, "default_terms": "Net 30 days."})
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk, language="pl")

    assert quote.status == QuoteStatus.DRAFT and quote.version == 1
    assert (quote.account, quote.contact, quote.owner) == (deal.account, deal.buyer, org.salesperson)
    assert quote.currency_id == deal.opportunity.amount_currency_id == "EUR"
    assert quote.language == "pl" and quote.terms == "Net 30 days."
    assert quote.valid_until == timezone.localdate() + dt.timedelta(days=14)
    lines = list(quote.lines.order_by("position"))
    # the pump at its price-book price (100, not the list price 120), the valve at its list price
    assert [(x.product, x.quantity, x.unit_price, x.discount, x.tax_rate) for x in lines] == [
        (deal.pump, D("3"), D("100.00"), D("0"), D("23")),
        (deal.valve, D("10"), D("9.99"), D("5"), D("8")),
    ]
    # 300.00 + 94.91 (99.90 less 5 %: 94.905 → 94.91); tax 69.00 + 7.59 (94.91 x 8 % = 7.5928)
    assert (quote.subtotal, quote.discount_total, quote.net_total) == (D("399.90"), D("4.99"), D("394.91"))
    assert (quote.tax_total, quote.total) == (D("76.59"), D("471.50"))
    assert quote.tax_breakdown == {"8.00": {"net": "94.91", "tax": "7.59"}, "23.00": {"net": "300.00", "tax": "69.00"}}
    assert AuditEntry.objects.filter(record_type="quote", record_id=quote.pk, action="create").exists()


def test_the_language_must_be_one_a_quote_is_written_in(org, deal):
    with pytest.raises(InvalidInput) as refused:
        quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk, language="de")
    assert refused.value.errors == {"language": [str(UNKNOWN_LANGUAGE % {"choices": "en, pl, id, zh-hant"})]}
    assert quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk, language="zh-hant").language == (
        "zh-hant"
    )


def test_nobody_quotes_an_opportunity_they_cannot_see_or_a_closed_one(org, deal):
    with pytest.raises(RecordNotFound):
        quote_create(actor=org.other_salesperson, opportunity_id=deal.opportunity.pk)
    with pytest.raises(ActionNotAllowed):  # sees every deal, creates nothing
        quote_create(actor=org.executive, opportunity_id=deal.opportunity.pk)
    lost = Pipeline.objects.get(name="Sales").stages.get(name="Lost")
    opportunity_move(
        actor=org.salesperson, opportunity_id=deal.opportunity.pk, stage=lost.pk, values={"closed_reason": "Price"}
    )
    with pytest.raises(RuleViolation, match=str(OPPORTUNITY_CLOSED)):
        quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)


def test_lines_are_products_priced_from_the_price_book_or_free_text(org, deal):
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    pump = quote_line_add(actor=org.salesperson, quote_id=quote.pk, data={"product": deal.pump.pk, "quantity": "2"})
    assert (pump.unit_price, pump.tax_rate, pump.unit) == (D("100.00"), D("23"), "pcs")
    text = quote_line_add(
        actor=org.salesperson,
        quote_id=quote.pk,
        data={"description": "Installation", "unit_price": "250", "tax_rate": "23"},
    )
    assert text.product is None and text.net_amount == D("250.00")
    with pytest.raises(InvalidInput) as refused:
        quote_line_add(actor=org.salesperson, quote_id=quote.pk, data={"quantity": "1", "unit_price": "5"})
    assert refused.value.errors == {"product": [str(PRODUCT_OR_TEXT)]}
    for bad in ({"quantity": "0"}, {"quantity": "abc"}, {"discount": "101"}, {"tax_rate": "-1"}, {"unit_price": "x"}):
        with pytest.raises(InvalidInput):
            quote_line_update(actor=org.salesperson, quote_id=quote.pk, line_id=text.pk, data=bad)

    quote_line_update(actor=org.salesperson, quote_id=quote.pk, line_id=text.pk, data={"discount": "10"})
    quote_line_delete(actor=org.salesperson, quote_id=quote.pk, line_id=pump.pk)
    quote.refresh_from_db()
    assert quote.net_total == D("394.91") + D("225.00")


def test_the_header_of_a_draft_changes_and_the_valid_until_date_cannot_be_past(org, deal):
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    quote = quote_update(actor=org.salesperson, quote_id=quote.pk, terms="  Delivery in 2 weeks. ", language="id")
    assert (quote.terms, quote.language) == ("Delivery in 2 weeks.", "id")
    with pytest.raises(InvalidInput) as refused:
        quote_update(actor=org.salesperson, quote_id=quote.pk, valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert refused.value.errors == {"valid_until": [str(VALID_UNTIL_IN_PAST)]}
    with pytest.raises(InvalidInput):
        quote_update(actor=org.salesperson, quote_id=quote.pk, status="accepted")


def test_a_quote_whose_total_would_not_fit_is_refused_and_unchanged(org, deal):
    from rapport.quotes.services.common import TOO_LARGE

    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    big = {"description": "Plant", "quantity": "1000", "unit_price": "9999999999990.00", "tax_rate": "0"}
    quote_line_add(actor=org.salesperson, quote_id=quote.pk, data=big)  # 9,999,999,999,990,000.00: still fits
    with pytest.raises(InvalidInput) as refused:
        quote_line_add(actor=org.salesperson, quote_id=quote.pk, data=big)
    assert refused.value.errors == {"lines": [str(TOO_LARGE)]}
    assert quote.lines.count() == 3
