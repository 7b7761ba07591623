"""Versions (a revision is the next version; earlier ones never change), what an accepted quote
does to its opportunity, and the pipeline's gate artefacts answering from real quotes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rapport.core.errors import RuleViolation
from rapport.pipeline.models import Opportunity, Pipeline
from rapport.pipeline.services.opportunities import GateRefused, opportunity_move
from rapport.quotes.models import Quote, QuoteStatus
from rapport.quotes.selectors import quote_versions
from rapport.quotes.services import (
    quote_accept,
    quote_create,
    quote_line_add,
    quote_line_update,
    quote_mark_sent,
    quote_reject,
    quote_revise,
    quote_update,
)
from rapport.quotes.services.common import NOT_EDITABLE, NOT_LATEST, WRONG_STATUS

D = Decimal


@pytest.fixture
def sent(org, deal) -> Quote:
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    return quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)


def test_revising_a_sent_quote_makes_the_next_version_and_freezes_the_first(org, sent):
    v2 = quote_revise(actor=org.salesperson, quote_id=sent.pk)
    sent.refresh_from_db()
    assert (v2.number, v2.version, v2.root_id, v2.status) == (sent.number, 2, sent.pk, QuoteStatus.DRAFT)
    assert str(v2) == f"{sent.number}/2"
    assert sent.status == QuoteStatus.SUPERSEDED
    assert [(x.product_id, x.quantity, x.unit_price) for x in v2.lines.all()] == [
        (x.product_id, x.quantity, x.unit_price) for x in sent.lines.all()
    ]
    assert (v2.total, v2.tax_breakdown) == (sent.total, sent.tax_breakdown)

    line = v2.lines.all()[0]
    quote_line_update(actor=org.salesperson, quote_id=v2.pk, line_id=line.pk, data={"quantity": "5"})
    with pytest.raises(RuleViolation, match=str(NOT_EDITABLE % {"status": "superseded"})):
        quote_line_update(
            actor=org.salesperson, quote_id=sent.pk, line_id=sent.lines.all()[0].pk, data={"quantity": "5"}
        )
    with pytest.raises(RuleViolation, match=str(NOT_EDITABLE % {"status": "superseded"})):
        quote_update(actor=org.salesperson, quote_id=sent.pk, terms="Changed")
    with pytest.raises(RuleViolation, match=str(WRONG_STATUS % {"status": "superseded", "action": "revised"})):
        quote_revise(actor=org.salesperson, quote_id=sent.pk)
    with pytest.raises(RuleViolation, match=str(WRONG_STATUS % {"status": "superseded", "action": "accepted"})):
        quote_accept(actor=org.salesperson, quote_id=sent.pk)

    frozen = Quote.objects.get(pk=sent.pk)
    assert frozen.lines.all()[0].quantity == D("3") and frozen.total == sent.total
    assert [q.version for q in quote_versions(actor=org.salesperson, quote=v2)] == [1, 2]


def test_a_draft_is_not_revised_and_only_the_latest_version_is(org, deal, sent):
    draft = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    with pytest.raises(RuleViolation, match=str(WRONG_STATUS % {"status": "draft", "action": "revised"})):
        quote_revise(actor=org.salesperson, quote_id=draft.pk)

    quote_reject(actor=org.salesperson, quote_id=sent.pk, note="Too late")
    v2 = quote_revise(actor=org.salesperson, quote_id=sent.pk)
    assert Quote.objects.get(pk=sent.pk).status == QuoteStatus.REJECTED  # a rejected one stays rejected
    with pytest.raises(RuleViolation, match=str(NOT_LATEST % {"version": 2})):
        quote_revise(actor=org.salesperson, quote_id=sent.pk)
    quote_mark_sent(actor=org.salesperson, quote_id=v2.pk)
    v3 = quote_revise(actor=org.salesperson, quote_id=v2.pk)
    assert (v3.version, v3.number) == (3, sent.number)


def test_an_accepted_quote_becomes_the_opportunitys_lines_and_amount(org, deal, sent):
    v2 = quote_revise(actor=org.salesperson, quote_id=sent.pk)
    pump_line = v2.lines.get(product=deal.pump)
    quote_line_update(
        actor=org.salesperson, quote_id=v2.pk, line_id=pump_line.pk, data={"quantity": "4", "discount": "10"}
    )
    quote_mark_sent(actor=org.salesperson, quote_id=v2.pk)
    accepted = quote_accept(actor=org.salesperson, quote_id=v2.pk, note="Signed by J. Nowak")
    assert accepted.status == QuoteStatus.ACCEPTED and accepted.closed_at is not None

    opportunity = Opportunity.objects.get(pk=deal.opportunity.pk)
    assert [(x.product_id, x.quantity, x.unit_price, x.discount) for x in opportunity.lines.order_by("position")] == [
        (deal.pump.pk, D("4"), D("100.00"), D("10")),
        (deal.valve.pk, D("10"), D("9.99"), D("5")),
    ]
    # 360.00 + 94.91: the quote's net total, before tax
    assert opportunity.amount_amount == accepted.net_total == D("454.91")
    assert opportunity.amount_from_lines and opportunity.amount_currency_id == accepted.currency_id


def test_with_free_text_lines_the_opportunitys_amount_is_the_quotes_net_total(org, deal):
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    quote_line_add(actor=org.salesperson, quote_id=quote.pk, data={"description": "Installation", "unit_price": "500"})
    quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    accepted = quote_accept(actor=org.salesperson, quote_id=quote.pk)

    opportunity = Opportunity.objects.get(pk=deal.opportunity.pk)
    assert opportunity.lines.count() == 2  # the products; the installation is in the amount
    assert opportunity.amount_amount == accepted.net_total == D("894.91") and not opportunity.amount_from_lines


def test_the_gates_ask_for_a_sent_and_an_accepted_quote(org, deal):
    stages = {s.name: s for s in Pipeline.objects.get(name="Sales").stages.all()}
    stages["Negotiation"].required_artefacts = ["quote_sent"]
    stages["Negotiation"].save()
    stages["Won"].required_artefacts = ["quote_accepted"]
    stages["Won"].save()
    opportunity_id = deal.opportunity.pk

    quote = quote_create(actor=org.salesperson, opportunity_id=opportunity_id)
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=org.salesperson, opportunity_id=opportunity_id, stage=stages["Negotiation"].pk)
    assert [(m.kind, m.key, m.label) for m in refused.value.missing] == [("artefact", "quote_sent", "a sent quote")]

    quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)
    opportunity_move(actor=org.salesperson, opportunity_id=opportunity_id, stage=stages["Negotiation"].pk)
    won = {"closed_reason": "Best offer"}
    with pytest.raises(GateRefused) as refused:
        opportunity_move(actor=org.salesperson, opportunity_id=opportunity_id, stage=stages["Won"].pk, values=won)
    assert [m.key for m in refused.value.missing] == ["quote_accepted"]

    quote_accept(actor=org.salesperson, quote_id=quote.pk)
    moved = opportunity_move(actor=org.salesperson, opportunity_id=opportunity_id, stage=stages["Won"].pk, values=won)
    assert moved.stage == stages["Won"]


def test_a_superseded_or_rejected_quote_is_not_a_sent_one(org, deal, sent):
    from rapport.quotes.artefacts import has_accepted_quote, has_sent_quote

    opportunity = Opportunity.objects.get(pk=deal.opportunity.pk)
    assert has_sent_quote(opportunity) and not has_accepted_quote(opportunity)
    quote_revise(actor=org.salesperson, quote_id=sent.pk)
    assert not has_sent_quote(opportunity)
