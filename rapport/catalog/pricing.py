"""Which unit price a product has for a deal: the price book for the deal's currency and the
account's customer category, else the currency's general price book, else the list price
(converted to the deal's currency at today's rate when it is in another one)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from rapport.catalog.models import PriceBookEntry, Product
from rapport.core.money import CENT, Money, rate_on


def price_for(product: Product, currency: str, category_id: int | None = None) -> Decimal:
    entries = PriceBookEntry.objects.filter(
        product=product, price_book__currency_id=currency, price_book__active=True
    ).values_list("price_book__customer_category_id", "unit_price")
    general = None
    for book_category, unit_price in entries:
        if category_id is not None and book_category == category_id:
            return unit_price
        if book_category is None:
            general = unit_price
    if general is not None:
        return general
    list_price = Money(product.list_price_amount, product.list_price_currency_id)
    if list_price.currency == currency:
        return list_price.amount
    day = timezone.localdate()
    # list price → company currency → deal currency
    in_company = list_price.amount * rate_on(list_price.currency, day)
    return (in_company / rate_on(currency, day)).quantize(CENT)
