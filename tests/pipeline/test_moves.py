"""Stage gates and the stage history, through the one move service."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rapport.catalog.models import Product
from rapport.pipeline.models import Pipeline, StageChange
from rapport.pipeline.services.opportunities import GateRefused, opportunity_create, opportunity_move
from rapport.pipeline.services.parts import line_add
from tests.factories import AccountFactory


@pytest.fixture
def sales_pipeline():
    return Pipeline.objects.get(name="Sales")


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def test_a_gated_move_is_refused_with_everything_missing_and_changes_nothing(org, sales_pipeline):
    account = AccountFactory.create(owner=org.salesperson)
    proposal = stage(sales_pipeline, "Proposal")
    proposal.required_fields = ["close_date", "next_step"]
    proposal.required_artefacts = ["product_line"]
    proposal.required_roles = ["decision_maker"]
    proposal.save()
    opportunity = opportunity_create(actor=org.salesperson, name="Fleet renewal", account=account.pk)
    assert opportunity.stage.name == "Prospecting" and opportunity.probability == Decimal("10")

    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=org.salesperson, opportunity_id=opportunity.pk, stage=proposal.pk)
    assert [(m.kind, m.key) for m in refused.value.missing] == [
        ("field", "close_date"),
        ("field", "next_step"),
        ("role", "decision_maker"),
        ("artefact", "product_line"),
    ]
    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Prospecting"
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1  # the creation only


def test_a_move_with_the_missing_values_succeeds_and_is_recorded(org, sales_pipeline):
    account = AccountFactory.create(owner=org.salesperson)
    proposal = stage(sales_pipeline, "Proposal")
    proposal.required_fields = ["close_date"]
    proposal.save()
    product = Product.objects.create(
        sku="X-1", name="Pump", list_price_amount=Decimal("100"), list_price_currency_id="EUR"
    )
    opportunity = opportunity_create(actor=org.salesperson, name="Pumps", account=account.pk)
    line_add(
        actor=org.salesperson,
        opportunity_id=opportunity.pk,
        data={"product": product.pk, "quantity": "3", "discount": "10"},
    )

    moved = opportunity_move(
        actor=org.salesperson, opportunity_id=opportunity.pk, stage=proposal.pk, values={"close_date": "2026-12-31"}
    )
    assert moved.stage == proposal and moved.probability == Decimal("60")
    assert moved.amount_amount == Decimal("270.00")
    changes = list(StageChange.objects.filter(opportunity=opportunity).order_by("at", "id"))
    assert [(c.from_stage_id, c.to_stage.name, c.amount) for c in changes] == [
        (None, "Prospecting", Decimal("0.00")),
        (stage(sales_pipeline, "Prospecting").pk, "Proposal", Decimal("270.00")),
    ]


def test_closing_needs_a_reason(org, sales_pipeline):
    account = AccountFactory.create(owner=org.salesperson)
    opportunity = opportunity_create(actor=org.salesperson, name="Pumps", account=account.pk)
    won = stage(sales_pipeline, "Won")
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=org.salesperson, opportunity_id=opportunity.pk, stage=won.pk)
    assert [m.key for m in refused.value.missing] == ["closed_reason"]
    closed = opportunity_move(
        actor=org.salesperson, opportunity_id=opportunity.pk, stage=won.pk, values={"closed_reason": "Best price"}
    )
    assert closed.closed_at is not None and closed.probability == Decimal("100")
