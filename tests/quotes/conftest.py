"""A deal to quote: the salesperson's opportunity on their account, two product lines at
price-book prices (EUR), and a decision maker among its contacts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from rapport.customers.models import Account, Contact
from rapport.pipeline.models import Opportunity
from rapport.pipeline.services.opportunities import opportunity_create
from rapport.pipeline.services.parts import contact_role_add, line_add
from tests.factories import AccountFactory, ContactFactory


@dataclass
class Deal:
    opportunity: Opportunity
    account: Account
    buyer: Contact
    pump: Product
    valve: Product


@pytest.fixture
def products(db: None) -> tuple[Product, Product]:
    pump = Product.objects.create(
        sku="PUMP", name="Pump", list_price_amount=Decimal("120"), list_price_currency_id="EUR", tax_rate=Decimal("23")
    )
    valve = Product.objects.create(
        sku="VALVE",
        name="Valve",
        list_price_amount=Decimal("9.99"),
        list_price_currency_id="EUR",
        tax_rate=Decimal("8"),
    )
    book = PriceBook.objects.create(name="EUR general", currency_id="EUR")
    PriceBookEntry.objects.create(price_book=book, product=pump, unit_price=Decimal("100.00"))
    return pump, valve


@pytest.fixture
def deal(org, products) -> Deal:
    pump, valve = products
    account = AccountFactory.create(owner=org.salesperson, name="Kowalski Sp. z o.o.")
    buyer = ContactFactory.create(owner=org.salesperson, account=account)
    opportunity = opportunity_create(actor=org.salesperson, name="Pumps for the plant", account=account.pk)
    line_add(actor=org.salesperson, opportunity_id=opportunity.pk, data={"product": pump.pk, "quantity": "3"})
    line_add(
        actor=org.salesperson,
        opportunity_id=opportunity.pk,
        data={"product": valve.pk, "quantity": "10", "discount": "5"},
    )
    contact_role_add(actor=org.salesperson, opportunity_id=opportunity.pk, contact_id=buyer.pk, role="decision_maker")
    opportunity.refresh_from_db()
    return Deal(opportunity=opportunity, account=account, buyer=buyer, pump=pump, valve=valve)
