"""The kanban board: column totals in the company currency, who sees which cards, filters, moves by the
card's form (htmx and plain), the gate dialog that fills what a stage needs, load-more and the
number of queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.catalog.models import Product
from rapport.core.models import CustomField, CustomFieldType, ExchangeRate
from rapport.pipeline.models import Opportunity, Pipeline, StageChange
from rapport.pipeline.selectors_board import PAGE_SIZE
from rapport.pipeline.services.opportunities import opportunity_create
from rapport.pipeline.services.parts import line_add
from tests.factories import AccountFactory, CategoryFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def sales():
    return Pipeline.objects.get(name="Sales")


def stage(pipeline, name):
    return pipeline.stages.get(name=name)


def make(actor, name, *, account=None, amount="1000", currency="EUR", stage_name=None, pipeline=None, **fields):
    account = account or AccountFactory.create(owner=actor)
    stage_id = stage(pipeline or Pipeline.objects.get(name="Sales"), stage_name).pk if stage_name else None
    if pipeline is not None:
        fields["pipeline"] = pipeline.pk
    return opportunity_create(
        actor=actor,
        name=name,
        account=account.pk,
        amount_amount=amount,
        amount_currency=currency,
        stage=stage_id,
        **fields,
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def board(client, **params):
    return client.get(reverse("pipeline:board"), params)


def card_names(response, stage_obj=None):
    columns = response.context["columns"]
    return sorted(
        card.name for column in columns if stage_obj is None or column.stage == stage_obj for card in column.cards
    )


def fragment(html, pattern):
    found = re.search(pattern, html, re.S)
    assert found is not None, pattern
    return found.group(0)


def column(response, stage_obj):
    return next(c for c in response.context["columns"] if c.stage == stage_obj)


# --- totals ---------------------------------------------------------------------------------------------


def test_column_totals_convert_each_currency_at_todays_rate(client, org, sales):
    today = timezone.localdate()
    ExchangeRate.objects.create(currency_id="USD", valid_from=today - dt.timedelta(days=30), rate=Decimal("0.5"))
    ExchangeRate.objects.create(currency_id="USD", valid_from=today - dt.timedelta(days=2), rate=Decimal("0.9"))
    ExchangeRate.objects.create(currency_id="USD", valid_from=today + dt.timedelta(days=5), rate=Decimal("2"))
    sp = org.salesperson
    make(sp, "A", amount="1000")
    make(sp, "B", amount="2500.50")
    make(sp, "C", amount="400", currency="USD")
    make(sp, "D", amount="1200", stage_name="Qualification")

    response = board(signed_in(client, sp))

    assert response.status_code == 200
    prospecting = column(response, stage(sales, "Prospecting")).totals
    # 1000 + 2500.50 + 400 USD * 0.9; weighted at Prospecting's 10 %: 100 + 250.05 + 36
    assert (prospecting.count, prospecting.amount, prospecting.weighted) == (3, Decimal("3860.50"), Decimal("386.05"))
    assert prospecting.currency == "EUR"
    qualification = column(response, stage(sales, "Qualification")).totals
    assert (qualification.count, qualification.amount, qualification.weighted) == (
        1,
        Decimal("1200.00"),
        Decimal("240.00"),
    )
    negotiation = column(response, stage(sales, "Negotiation")).totals
    assert (negotiation.count, negotiation.amount) == (0, Decimal("0"))
    html = response.content.decode()
    assert "3,860.50 EUR" in html and "386.05 EUR" in html and "400.00 USD" in html


def test_a_currency_without_a_rate_is_left_out_and_said_so(client, org, sales):
    sp = org.salesperson
    make(sp, "A", amount="1000")
    make(sp, "C", amount="400", currency="USD")

    response = board(signed_in(client, sp))

    totals = column(response, stage(sales, "Prospecting")).totals
    assert (totals.count, totals.amount, totals.unconverted) == (2, Decimal("1000.00"), ["USD"])
    assert "amounts in USD are left out of the totals" in response.content.decode()


# --- cards and visibility ---------------------------------------------------------------------------------


def test_a_salesperson_sees_only_their_own_cards_and_totals(client, org, sales):
    make(org.salesperson, "Mine", amount="100")
    theirs = make(org.other_salesperson, "Theirs", amount="900")

    response = board(signed_in(client, org.salesperson))

    assert card_names(response) == ["Mine"]
    assert column(response, stage(sales, "Prospecting")).totals.amount == Decimal("100.00")
    assert "Theirs" not in response.content.decode()
    # Nor can they move it: hidden is 404, and nothing changes.
    moved = client.post(
        reverse("pipeline:board_move"), {"opportunity": theirs.pk, "stage": stage(sales, "Proposal").pk}, **HTMX
    )
    assert moved.status_code == 404
    gate = client.get(reverse("pipeline:board_gate", args=[theirs.pk, stage(sales, "Proposal").pk]))
    assert gate.status_code == 404
    theirs.refresh_from_db()
    assert theirs.stage.name == "Prospecting"
    # A manager of both teams' parent sees both.
    assert card_names(board(signed_in(client, org.admin))) == ["Mine", "Theirs"]


def test_a_card_shows_account_amount_close_date_owner_and_days_in_stage(client, org, sales):
    account = AccountFactory.create(owner=org.salesperson, name="Mleczarnia")
    old = make(org.salesperson, "Old deal", account=account, amount="1234.5", close_date="2030-03-31")
    make(org.salesperson, "Fresh deal")
    Opportunity.objects.filter(pk=old.pk).update(stage_entered_at=timezone.now() - dt.timedelta(days=40))

    response = board(signed_in(client, org.salesperson))

    html = response.content.decode()
    card = fragment(html, rf'<article[^>]*id="card-{old.pk}".*?</article>')
    assert "Mleczarnia" in card and "1,234.50 EUR" in card and "40 days in stage" in card and "stuck" in card
    initials = (org.salesperson.first_name[:1] + org.salesperson.last_name[:1]).upper()
    assert f">{initials}</span>" in card
    fresh = next(c for c in column(response, stage(sales, "Prospecting")).cards if c.name == "Fresh deal")
    assert (fresh.days_in_stage, fresh.is_stuck) == (0, False)


def test_an_unknown_pipeline_is_not_found_and_a_second_one_can_be_chosen(client, org, sales):
    other = Pipeline.objects.create(name="Renewals", position=5)
    other.stages.create(name="Open", order=0, probability=Decimal("50"))
    make(org.salesperson, "Renewal", pipeline=other, stage_name="Open")
    make(org.salesperson, "New business")
    signed_in(client, org.salesperson)

    assert board(client, pipeline=999999).status_code == 404
    assert card_names(board(client)) == ["New business"]  # the first active pipeline
    chosen = board(client, pipeline=other.pk)
    assert card_names(chosen) == ["Renewal"]
    assert [c.stage.name for c in chosen.context["columns"]] == ["Open"]


# --- filters --------------------------------------------------------------------------------------------


def test_filters_narrow_cards_and_totals(client, org, sales):
    sp = org.salesperson
    key = CategoryFactory.create(name="Key account")
    region = TerritoryFactory.create(name="North")
    area = TerritoryFactory.create(name="Gdańsk", parent=region)
    pump = Product.objects.create(sku="P-1", name="Pump", list_price_amount=Decimal("10"), list_price_currency_id="EUR")
    key_deal = make(sp, "Key", account=AccountFactory.create(owner=sp, category=key), amount="300")
    north = make(sp, "North", account=AccountFactory.create(owner=sp, territory=area), amount="200")
    late = make(sp, "Late", close_date="2031-06-30", amount="50")
    colleague = make(org.colleague, "Colleague's", amount="70")
    line_add(actor=sp, opportunity_id=north.pk, data={"product": pump.pk, "quantity": "2", "unit_price": "10"})
    line_add(actor=sp, opportunity_id=north.pk, data={"product": pump.pk, "quantity": "1", "unit_price": "10"})
    signed_in(client, org.emea_manager)

    assert card_names(board(client)) == ["Colleague's", "Key", "Late", "North"]
    assert card_names(board(client, category=key.pk)) == [key_deal.name]
    assert card_names(board(client, territory=region.pk)) == [north.name]  # the territory's whole subtree
    by_product = board(client, product=pump.pk)
    assert card_names(by_product) == [north.name]  # once, though it has two lines of the product
    assert column(by_product, stage(sales, "Prospecting")).totals.count == 1
    assert card_names(board(client, close_from="2031-01-01", close_to="2031-12-31")) == [late.name]
    assert card_names(board(client, owner=org.colleague.pk)) == [colleague.name]
    assert card_names(board(client, owner="me")) == []
    assert card_names(board(client, team=org.poland.pk)) == ["Colleague's", "Key", "Late", "North"]
    assert card_names(board(client, team=org.americas.pk)) == []
    narrowed = board(client, owner=sp.pk)
    assert column(narrowed, stage(sales, "Prospecting")).totals.amount == Decimal("550.00")


def test_a_wrong_filter_value_is_named_and_the_others_still_apply(client, org, sales):
    make(org.salesperson, "Dated", close_date="2030-01-10")
    make(org.salesperson, "Undated")
    response = board(signed_in(client, org.salesperson), close_from="2030-01-01", close_to="soon", owner="x")
    assert response.status_code == 200
    assert card_names(response) == ["Dated"]
    html = response.content.decode()
    assert "Some filters were left out" in html and "Closing until" in html and "Owner" in html


# --- moves ----------------------------------------------------------------------------------------------


def test_a_move_by_the_cards_form_moves_the_card_and_refreshes_the_totals(client, org, sales):
    opportunity = make(org.salesperson, "Pumps", amount="1000")
    qualification = stage(sales, "Qualification")

    response = signed_in(client, org.salesperson).post(
        reverse("pipeline:board_move"), {"opportunity": opportunity.pk, "stage": qualification.pk}, **HTMX
    )

    assert response.status_code == 200
    opportunity.refresh_from_db()
    assert opportunity.stage == qualification
    html = response.content.decode()
    assert "moved to Qualification" in html
    assert f'hx-swap-oob="afterbegin:#cards-{qualification.pk}"' in html
    assert f'id="card-{opportunity.pk}" hx-swap-oob="delete"' in html
    head = fragment(html, rf'<header[^>]*id="column-head-{qualification.pk}".*?</header>')
    assert 'hx-swap-oob="true"' in head and "1,000.00 EUR" in head and "200.00 EUR" in head


def test_a_refused_move_answers_the_dialog_naming_everything_missing_and_changes_nothing(client, org, sales):
    proposal = stage(sales, "Proposal")
    proposal.required_fields = ["close_date", "next_step"]
    proposal.required_roles = ["decision_maker"]
    proposal.save()
    opportunity = make(org.salesperson, "Fleet")

    response = signed_in(client, org.salesperson).post(
        reverse("pipeline:board_move"), {"opportunity": opportunity.pk, "stage": proposal.pk}, **HTMX
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<dialog" in html
    missing = re.findall(r'<li data-kind="(\w+)" data-key="(\w+)">', html)
    assert missing == [("field", "close_date"), ("field", "next_step"), ("role", "decision_maker")]
    assert re.search(r'<input type="date" name="close_date"[^>]*required', html)
    assert re.search(r'<input type="text" name="next_step"[^>]*required', html)
    assert "a contact with the role “decision maker”" in html and "cannot be filled in here" in html
    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Prospecting" and opportunity.close_date is None
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1


def test_filling_the_dialog_moves_the_card(client, org, sales):
    CustomField.objects.create(
        record_type="opportunity", key="budget_code", label="Budget code", field_type=CustomFieldType.TEXT
    )
    proposal = stage(sales, "Proposal")
    proposal.required_fields = ["close_date", "custom.budget_code"]
    proposal.save()
    opportunity = make(org.salesperson, "Fleet")
    gate_url = reverse("pipeline:board_gate", args=[opportunity.pk, proposal.pk])
    signed_in(client, org.salesperson)

    # A wrong date keeps the dialog open with the message; nothing moves.
    again = client.post(gate_url, {"close_date": "someday", "cf_budget_code": "B-7"}, **HTMX)
    assert again.status_code == 200 and "<dialog" in again.content.decode()
    assert "Enter a valid date" in again.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Prospecting"

    response = client.post(gate_url, {"close_date": "2030-05-31", "cf_budget_code": "B-7"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<dialog" not in html and "moved to Proposal" in html
    assert f'hx-swap-oob="afterbegin:#cards-{proposal.pk}"' in html
    opportunity.refresh_from_db()
    assert opportunity.stage == proposal
    assert (opportunity.close_date, opportunity.custom) == (dt.date(2030, 5, 31), {"budget_code": "B-7"})


def test_a_role_still_missing_keeps_the_dialog_open(client, org, sales):
    proposal = stage(sales, "Proposal")
    proposal.required_fields = ["close_date"]
    proposal.required_roles = ["decision_maker"]
    proposal.save()
    opportunity = make(org.salesperson, "Fleet")
    url = reverse("pipeline:board_gate", args=[opportunity.pk, proposal.pk])

    response = signed_in(client, org.salesperson).post(url, {"close_date": "2030-05-31"}, **HTMX)

    html = response.content.decode()
    assert "<dialog" in html and "The stage still needs: a contact with the role “decision maker”" in html
    assert 'value="2030-05-31"' in html  # what was typed is kept
    opportunity.refresh_from_db()
    assert (opportunity.stage.name, opportunity.close_date) == ("Prospecting", None)


def test_without_javascript_a_refusal_leads_to_the_gate_page_and_back_to_the_board(client, org, sales):
    proposal = stage(sales, "Proposal")
    proposal.required_fields = ["next_step"]
    proposal.save()
    opportunity = make(org.salesperson, "Fleet")
    signed_in(client, org.salesperson)

    refused = client.post(
        reverse("pipeline:board_move"), {"opportunity": opportunity.pk, "stage": proposal.pk, "query": "owner=me"}
    )
    gate_url = reverse("pipeline:board_gate", args=[opportunity.pk, proposal.pk])
    assert refused.status_code == 302 and refused["Location"].startswith(gate_url)
    page = client.get(refused["Location"])
    assert page.status_code == 200 and 'name="next_step"' in page.content.decode()

    done = client.post(gate_url, {"next_step": "Send the offer", "query": "owner=me"})
    assert done.status_code == 302
    assert done["Location"] == f"{reverse('pipeline:board')}?pipeline={sales.pk}&owner=me"
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.next_step) == (proposal, "Send the offer")


def test_a_read_only_role_gets_no_move_controls(client, org, sales):
    make(org.salesperson, "Fleet")
    response = board(signed_in(client, org.executive))
    html = response.content.decode()
    if response.context["can_edit"]:
        pytest.skip("the executive role may edit opportunities here")
    assert "Fleet" in html and "board-card-move" not in html and "data-draggable" not in html


# --- load more and queries ----------------------------------------------------------------------------------


def test_a_column_shows_25_cards_and_loads_the_next_page(client, org, sales):
    account = AccountFactory.create(owner=org.salesperson)
    for n in range(PAGE_SIZE + 5):
        make(org.salesperson, f"Deal {n:02d}", account=account, close_date=f"2030-01-{n + 1:02d}")
    prospecting = stage(sales, "Prospecting")
    signed_in(client, org.salesperson)

    response = board(client)
    first = column(response, prospecting)
    assert len(first.cards) == PAGE_SIZE and first.has_more
    assert [c.name for c in first.cards][:2] == ["Deal 00", "Deal 01"]  # soonest close date first
    html = response.content.decode()
    assert 'hx-trigger="revealed' in html and f"/opportunities/board/column/{prospecting.pk}/?page=2" in html

    more = client.get(reverse("pipeline:board_column", args=[prospecting.pk]), {"page": 2}, **HTMX)
    assert more.status_code == 200
    names = re.findall(r'class="board-card-name"[^>]*>([^<]+)<', more.content.decode())
    assert names == [f"Deal {n:02d}" for n in range(25, 30)]
    assert "hx-trigger" not in more.content.decode()  # the last page: no more sentinel


def test_the_board_reads_in_a_fixed_number_of_queries(client, org, sales, django_assert_max_num_queries):
    today = timezone.localdate()
    ExchangeRate.objects.create(currency_id="USD", valid_from=today, rate=Decimal("0.9"))
    accounts = [AccountFactory.create(owner=org.salesperson) for _ in range(3)]
    names = ["Prospecting", "Qualification", "Needs analysis", "Negotiation"]
    for n in range(30):
        make(
            org.salesperson,
            f"Deal {n}",
            account=accounts[n % 3],
            currency="USD" if n % 4 == 0 else "EUR",
            stage_name=names[n % 4],
        )
    signed_in(client, org.salesperson)
    board(client)  # warm the session

    # One query per column (seven stages: each reads its own index, see selectors_board.first_cards),
    # none per card.
    with django_assert_max_num_queries(23):
        response = board(client)
    assert sum(len(c.cards) for c in response.context["columns"]) == 30
    column_url = reverse("pipeline:board_column", args=[stage(sales, "Prospecting").pk])
    with django_assert_max_num_queries(7):  # session, user, rights, pipeline, its stages, stage ids, cards
        client.get(column_url, {"page": 2}, **HTMX)
