"""Demo catalogue and pipeline: what a sales manager trying Rapport sees on the board and on a deal.

The company is seeded once for the module (`seeded_once`); the tests only read it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from decimal import Decimal

from django.utils import timezone

from rapport.catalog.models import PriceBook, Product
from rapport.catalog.pricing import price_for
from rapport.core.models import AuditEntry
from rapport.core.visibility import visible_to
from rapport.customers.models import Account, AccountType
from rapport.demo import data
from rapport.demo import pipeline_data as pd
from rapport.pipeline.models import Opportunity, Stage, StageKind
from tests.demo.conftest import OPPORTUNITIES

CURRENCY_BY_TERRITORY = {m.territory: m.currency for m in data.MARKETS}


def _opportunities() -> list[Opportunity]:
    return list(
        Opportunity.objects.select_related("stage", "owner", "account__territory", "account__category")
        .prefetch_related("lines__product", "stage_changes", "contact_roles__contact", "competitors", "costs")
        .order_by("pk")
    )


def test_the_catalogue_has_five_families_priced_in_every_market_currency(seeded_once, db):
    products = list(Product.objects.all())
    assert 35 <= len(products) <= 45
    assert {p.family for p in products} == set(pd.FAMILIES)
    assert {p.unit for p in products} == {"pcs", "h", "licence"}
    assert {p.tax_rate for p in products} == {Decimal(r) for r in ("23", "19", "20", "11", "5", "0")}
    assert all(p.list_price_currency_id == "EUR" and p.list_price_amount > 0 for p in products)
    assert Product.objects.filter(active=False).exists()  # a discontinued product or two
    general = PriceBook.objects.filter(customer_category=None)
    assert sorted(general.values_list("currency", flat=True)) == ["EUR", "GBP", "IDR", "PLN", "TWD", "USD"]
    active = Product.objects.filter(active=True).count()
    assert all(book.entries.count() == active for book in general)
    key_accounts = PriceBook.objects.get(customer_category__name="Key account")
    pump = Product.objects.get(sku="PMP-100")
    assert price_for(pump, "EUR", key_accounts.customer_category_id) < price_for(pump, "EUR") == Decimal("1850.00")
    assert price_for(pump, "PLN") > price_for(pump, "EUR")  # local prices, not the euro figure


def test_opportunities_are_spread_over_the_stages_like_a_real_pipeline(seeded_once, db):
    assert f"{OPPORTUNITIES} opportunities" in seeded_once
    stages = Counter(Opportunity.objects.values_list("stage__name", flat=True))
    assert sum(stages.values()) == OPPORTUNITIES
    assert set(stages) == set(pd.STAGE_WEIGHTS)
    assert stages["Prospecting"] > stages["Negotiation"]
    closed = stages["Won"] + stages["Lost"]
    assert 0.15 * OPPORTUNITIES < closed < 0.5 * OPPORTUNITIES
    for opportunity in Opportunity.objects.select_related("stage"):
        stage = opportunity.stage
        assert opportunity.probability == stage.probability
        assert opportunity.forecast_category == stage.forecast_category
        if stage.kind == StageKind.LOST:
            assert opportunity.closed_reason in pd.LOST_REASONS
        elif stage.kind == StageKind.OPEN:
            assert opportunity.closed_reason == "" and opportunity.closed_at is None
    assert Opportunity.objects.filter(stage__kind=StageKind.OPEN).exclude(next_step="").exists()


def test_every_amount_is_the_sum_of_lines_priced_from_the_account_s_price_book(seeded_once, db):
    for opportunity in _opportunities():
        lines = list(opportunity.lines.all())
        assert 1 <= len(lines) <= 4, opportunity.pk
        assert opportunity.amount_from_lines
        assert opportunity.amount_amount == sum((line.total for line in lines), Decimal("0")), opportunity.pk
        account = opportunity.account
        assert account.territory is not None
        assert opportunity.amount_currency_id == CURRENCY_BY_TERRITORY[account.territory.name]
        for line in lines:
            assert line.product.active
            assert line.unit_price == price_for(line.product, opportunity.amount_currency_id, account.category_id)
            assert Decimal("0") <= line.discount <= Decimal("15")
            assert line.quantity > 0


def test_every_opportunity_belongs_to_its_account_s_owner_who_sees_it(seeded_once, db):
    for opportunity in _opportunities():
        assert opportunity.owner_id == opportunity.account.owner_id
        assert opportunity.created_by_id == opportunity.owner_id
        assert visible_to(opportunity.owner, Opportunity).filter(pk=opportunity.pk).exists(), opportunity.pk
        assert opportunity.account.type != AccountType.COMPETITOR


def test_the_history_of_each_opportunity_leads_to_its_current_stage(seeded_once, db):
    first = Stage.objects.get(pipeline__name="Sales", name="Prospecting")
    now = timezone.now()
    stuck = 0
    for opportunity in _opportunities():
        changes = list(opportunity.stage_changes.all())
        assert changes[0].from_stage_id is None and changes[0].to_stage_id == first.pk
        assert changes[-1].to_stage_id == opportunity.stage_id, opportunity.pk
        for before, after in itertools.pairwise(changes):
            assert after.from_stage_id == before.to_stage_id
            assert before.at < after.at
        assert changes[-1].at <= now
        assert opportunity.stage_entered_at == changes[-1].at
        assert opportunity.created_at == changes[0].at >= opportunity.account.created_at
        assert all(c.amount == opportunity.amount_amount for c in changes)
        stage = opportunity.stage
        if stage.is_closed:
            assert opportunity.closed_at == changes[-1].at
            assert opportunity.close_date == timezone.localdate(changes[-1].at)
        elif (now - opportunity.stage_entered_at).days > (stage.stuck_after_days or 10**6):
            stuck += 1
    assert stuck > 0  # the board has deals to flag as stuck


def test_deals_have_contacts_of_their_account_competitors_and_some_costs(seeded_once, db):
    opportunities = _opportunities()
    for opportunity in opportunities:
        for role in opportunity.contact_roles.all():
            assert role.contact.account_id == opportunity.account_id
        for competitor in opportunity.competitors.all():
            assert competitor.competitor_id != opportunity.account_id
            if opportunity.stage.kind == StageKind.WON:
                assert competitor.status == "out"
        for cost in opportunity.costs.all():
            assert cost.amount_amount > 0 and cost.amount_currency_id == opportunity.amount_currency_id
            assert timezone.localdate(opportunity.created_at) <= cost.date <= timezone.localdate()
    assert sum(len(o.contact_roles.all()) > 0 for o in opportunities) > 0.6 * len(opportunities)
    assert any(o.competitors.all() for o in opportunities)
    assert any(o.costs.all() for o in opportunities)
    competitors = Account.objects.filter(type=AccountType.COMPETITOR)
    if competitors.exists():
        assert all(c.competitor.type == AccountType.COMPETITOR for o in opportunities for c in o.competitors.all())


def test_the_audit_trail_shows_each_deal_created_and_moved(seeded_once, db):
    entries = AuditEntry.objects.filter(record_type="opportunity", note="demo data")
    assert entries.filter(action="create").count() == OPPORTUNITIES
    opportunity = Opportunity.objects.filter(stage__kind=StageKind.WON).select_related("owner").first()
    assert opportunity is not None
    history = list(entries.filter(record_id=opportunity.pk).order_by("at"))
    assert history[0].changes["stage"] == ["", "Prospecting"]
    assert history[-1].changes["stage"][1] == "Won"
    assert {e.actor_id for e in history} == {opportunity.owner_id}
