"""Opportunity services: prices from price books, probability and amount rules, visibility, history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.models import ExchangeRate
from rapport.pipeline.models import Pipeline, StageChange
from rapport.pipeline.services.opportunities import opportunity_create, opportunity_move, opportunity_update
from rapport.pipeline.services.parts import line_add
from tests.factories import AccountFactory, CategoryFactory


@pytest.fixture
def stages():
    return {s.name: s for s in Pipeline.objects.get(name="Sales").stages.all()}


@pytest.fixture
def pump():
    return Product.objects.create(
        sku="P-1", name="Pump", list_price_amount=Decimal("100"), list_price_currency_id="EUR"
    )


def test_a_line_takes_the_price_book_of_the_deals_currency_and_the_accounts_category(org, pump):
    retail = CategoryFactory.create(name="Retail")
    account = AccountFactory.create(owner=org.salesperson, category=retail)
    general = PriceBook.objects.create(name="PLN general", currency_id="PLN")
    PriceBookEntry.objects.create(price_book=general, product=pump, unit_price=Decimal("450"))
    for_retail = PriceBook.objects.create(name="PLN retail", currency_id="PLN", customer_category=retail)
    PriceBookEntry.objects.create(price_book=for_retail, product=pump, unit_price=Decimal("420"))
    deal = opportunity_create(actor=org.salesperson, name="Pumps", account=account.pk, amount_currency="PLN")

    line = line_add(actor=org.salesperson, opportunity_id=deal.pk, data={"product": pump.pk, "quantity": "2"})
    assert line.unit_price == Decimal("420")

    other = AccountFactory.create(owner=org.salesperson)
    deal2 = opportunity_create(actor=org.salesperson, name="More pumps", account=other.pk, amount_currency="PLN")
    assert line_add(actor=org.salesperson, opportunity_id=deal2.pk, data={"product": pump.pk}).unit_price == 450


def test_without_a_price_book_the_list_price_is_converted_through_the_company_currency(org, pump):
    ExchangeRate.objects.create(currency_id="PLN", valid_from=dt.date(2026, 1, 1), rate=Decimal("0.25"))
    account = AccountFactory.create(owner=org.salesperson)
    deal = opportunity_create(actor=org.salesperson, name="Pumps", account=account.pk, amount_currency="PLN")
    line = line_add(actor=org.salesperson, opportunity_id=deal.pk, data={"product": pump.pk, "quantity": "1.5"})
    assert line.unit_price == Decimal("400.00")  # 100 EUR / 0.25
    deal.refresh_from_db()
    assert deal.amount_amount == Decimal("600.00")


def test_a_typed_amount_stops_following_the_lines_and_a_typed_probability_survives_open_moves(org, pump, stages):
    account = AccountFactory.create(owner=org.salesperson)
    deal = opportunity_create(actor=org.salesperson, name="Pumps", account=account.pk)
    deal = opportunity_update(actor=org.salesperson, opportunity_id=deal.pk, amount_amount="5000", probability="35")
    line_add(actor=org.salesperson, opportunity_id=deal.pk, data={"product": pump.pk})
    deal.refresh_from_db()
    assert deal.amount_amount == Decimal("5000.00") and not deal.amount_from_lines

    deal = opportunity_move(actor=org.salesperson, opportunity_id=deal.pk, stage=stages["Qualification"].pk)
    assert deal.probability == Decimal("35")
    deal = opportunity_move(
        actor=org.salesperson, opportunity_id=deal.pk, stage=stages["Lost"].pk, values={"closed_reason": "Price"}
    )
    assert deal.probability == Decimal("0") and deal.forecast_category == "omitted"


def test_a_salesperson_cannot_touch_a_colleagues_opportunity(org, stages):
    account = AccountFactory.create(owner=org.other_salesperson)
    deal = opportunity_create(actor=org.other_salesperson, name="Theirs", account=account.pk)
    with pytest.raises(RecordNotFound):
        opportunity_move(actor=org.salesperson, opportunity_id=deal.pk, stage=stages["Qualification"].pk)
    with pytest.raises(InvalidInput):  # nor build one on an account they cannot see
        opportunity_create(actor=org.salesperson, name="Mine?", account=account.pk)


def test_a_stage_of_another_pipeline_is_refused(org, stages):
    other = Pipeline.objects.create(name="Renewals")
    renewal_stage = other.stages.create(name="Open", order=0)
    account = AccountFactory.create(owner=org.salesperson)
    deal = opportunity_create(actor=org.salesperson, name="Pumps", account=account.pk)
    with pytest.raises(InvalidInput) as refused:
        opportunity_move(actor=org.salesperson, opportunity_id=deal.pk, stage=renewal_stage.pk)
    assert "stage" in refused.value.errors


def test_the_history_cannot_be_changed(org):
    account = AccountFactory.create(owner=org.salesperson)
    deal = opportunity_create(actor=org.salesperson, name="Pumps", account=account.pk)
    change = StageChange.objects.get(opportunity=deal)
    change.probability = Decimal("99")
    with pytest.raises(ValueError, match="immutable"):
        change.save()
    with pytest.raises(ValueError, match="immutable"):
        change.delete()


def test_the_accounts_and_contacts_timelines_show_their_opportunities_to_those_who_see_them(org):
    from rapport.core.timeline import entries_for
    from rapport.pipeline.services.parts import contact_role_add
    from tests.factories import ContactFactory

    account = AccountFactory.create(owner=org.salesperson)
    contact = ContactFactory.create(account=account, owner=org.salesperson)
    deal = opportunity_create(actor=org.salesperson, name="Pumps", account=account.pk, amount_amount="1200")
    contact_role_add(actor=org.salesperson, opportunity_id=deal.pk, contact_id=contact.pk, role="decision_maker")

    for record_type, record in (("account", account), ("contact", contact)):
        deals = [e for e in entries_for(org.salesperson, record_type, record) if e.kind == "deal"]
        assert [(e.title, e.body, e.url) for e in deals] == [
            ("Opportunity Pumps", "Prospecting · 1,200.00 EUR", f"/opportunities/{deal.pk}/")
        ]
        hidden = [e for e in entries_for(org.other_salesperson, record_type, record) if e.kind == "deal"]
        assert hidden == []


def test_the_global_search_finds_visible_opportunities_by_name(client_for, org):
    mine = AccountFactory.create(owner=org.salesperson, name="Mleczarnia Łowicz")
    theirs = AccountFactory.create(owner=org.other_salesperson, name="Dairy Americas")
    opportunity_create(actor=org.salesperson, name="Łódź dairy line", account=mine.pk, amount_amount="1200")
    opportunity_create(actor=org.other_salesperson, name="Lodz dairy extension", account=theirs.pk)

    response = client_for(org.salesperson).get("/search/?q=lodz dai")
    deals = next(g for g in response.context["groups"] if g["record_type"].key == "opportunity")
    assert [(str(r["record"]), r["describe"]) for r in deals["results"]] == [
        ("Łódź dairy line", "Mleczarnia Łowicz · 1,200.00 EUR")
    ]
