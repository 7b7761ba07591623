"""The pipeline board in a real browser: drag a card with the mouse to a stage whose gate wants a close
date, fill it in the dialog that appears, and the card lands in the new column — and in the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rapport.pipeline.models import Opportunity, Pipeline
from rapport.pipeline.services.opportunities import opportunity_create
from tests.e2e.support import shot, sign_in
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db(transaction=True)


def drag(page: Any, source: Any, target: Any) -> None:
    """Press on the card, move in steps onto the column, release (Pointer Events from a real mouse)."""
    start = source.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + 12)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 20, start["y"] + 20, steps=4)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 60, steps=12)
    page.mouse.up()


def test_drag_a_card_to_a_gated_stage_and_fill_the_dialog(page: Any, live_server: Any, org: Any) -> None:
    sales = Pipeline.objects.get(name="Sales")
    proposal = sales.stages.get(name="Proposal")
    proposal.required_fields = ["close_date"]
    proposal.save()
    account = AccountFactory.create(owner=org.salesperson, name="Mleczarnia Łowicz")
    opportunity = opportunity_create(
        actor=org.salesperson, name="Dairy line", account=account.pk, amount_amount="1000", amount_currency="EUR"
    )
    assert opportunity.stage.name == "Prospecting"
    base = live_server.url
    sign_in(page, base, org.salesperson.email)

    page.goto(f"{base}/opportunities/board/")
    prospecting = page.locator(f'.board-column[data-stage="{opportunity.stage_id}"]')
    proposal_column = page.locator(f'.board-column[data-stage="{proposal.pk}"]')
    card = page.locator(f"#card-{opportunity.pk}")
    assert prospecting.locator(f"#card-{opportunity.pk}").count() == 1
    assert "1,000.00 EUR" in prospecting.locator(".board-total").inner_text()
    shot(page, "board-01")

    drag(page, card, proposal_column)

    # The gate refuses: a dialog names the missing close date and asks for it.
    dialog = page.locator("dialog.gate-dialog[open]")
    dialog.wait_for()
    assert "expected close date" in dialog.inner_text().lower()
    shot(page, "board-02-dialog")
    dialog.locator("input[name=close_date]").fill("2030-06-30")
    dialog.get_by_role("button", name="Save and move").click()

    # The dialog closes and the card is now in Proposal, with the totals following.
    page.locator("dialog.gate-dialog").wait_for(state="detached")
    proposal_column.locator(f"#card-{opportunity.pk}").wait_for()
    assert prospecting.locator(f"#card-{opportunity.pk}").count() == 0
    assert "1,000.00 EUR" in proposal_column.locator(".board-total").inner_text()
    assert "600.00 EUR" in proposal_column.locator(".board-weighted").inner_text()
    assert prospecting.locator(".board-count").inner_text() == "0"
    shot(page, "board-03-moved")

    opportunity = Opportunity.objects.get(pk=opportunity.pk)
    assert (opportunity.stage_id, opportunity.close_date) == (proposal.pk, dt.date(2030, 6, 30))

    # The keyboard path: the card's "Move to…" list moves it on without dragging.
    card.locator("select[name=stage]").select_option(label="Negotiation")
    card.get_by_role("button", name="Move").click()
    negotiation = sales.stages.get(name="Negotiation")
    page.locator(f'.board-column[data-stage="{negotiation.pk}"] #card-{opportunity.pk}').wait_for()
    assert Opportunity.objects.get(pk=opportunity.pk).stage_id == negotiation.pk


def test_the_board_on_a_phone(browser: Any, live_server: Any, org: Any) -> None:
    """At 390 px the columns scroll sideways inside the board, not the page; the filters open; a card
    moves with its "Move to…" list."""
    account = AccountFactory.create(owner=org.salesperson, name="Mleczarnia Łowicz")
    opportunity = opportunity_create(
        actor=org.salesperson, name="Dairy line", account=account.pk, amount_amount="1000", amount_currency="EUR"
    )
    qualification = Pipeline.objects.get(name="Sales").stages.get(name="Qualification")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        base = live_server.url
        sign_in(page, base, org.salesperson.email)
        page.goto(f"{base}/opportunities/board/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.evaluate("document.getElementById('board').scrollWidth > window.innerWidth")
        page.get_by_text("Filters", exact=True).click()
        page.locator("#filter-close_from").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, "board-04-phone")
        card = page.locator(f"#card-{opportunity.pk}")
        card.locator("select[name=stage]").select_option(label="Qualification")
        card.get_by_role("button", name="Move").click()
        page.locator(f'.board-column[data-stage="{qualification.pk}"] #card-{opportunity.pk}').wait_for()
        assert Opportunity.objects.get(pk=opportunity.pk).stage_id == qualification.pk
    finally:
        context.close()
