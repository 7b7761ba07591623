"""The opportunity pages: the list (visibility, filters, sorting, bulk actions), the record page
(stage path, product lines in place, contacts, competitors, costs, moves), the form and the refused
move; pinned query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from rapport.core.models import User
from rapport.pipeline.models import Opportunity, Pipeline, StageChange
from rapport.pipeline.services.opportunities import opportunity_create, opportunity_move
from rapport.pipeline.services.parts import line_add
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def names(response) -> list[str]:
    return [o.name for o in response.context["rows"]]


@pytest.fixture
def sales():
    pipeline = Pipeline.objects.get(name="Sales")
    return {s.name: s for s in pipeline.stages.all()}


def make(actor: User, name: str, account=None, **fields) -> Opportunity:
    account = account or AccountFactory.create(owner=actor, name=f"{name} Ltd")
    return opportunity_create(actor=actor, name=name, account=account.pk, **fields)


@pytest.fixture
def deals(org):
    """Two deals of the salesperson, one of the colleague (same team), one of the other salesperson."""
    alpha = make(org.salesperson, "Alpha pumps", amount_amount="5000", close_date="2026-03-10")
    beta = make(org.salesperson, "Beta valves", amount_amount="20000", close_date="2026-06-30")
    gamma = make(org.colleague, "Gamma seals", amount_amount="800", close_date="2026-04-15")
    hidden = make(org.other_salesperson, "Hidden deal", amount_amount="999")
    return alpha, beta, gamma, hidden


# --- the list -------------------------------------------------------------------------------------


def test_a_salesperson_lists_only_their_own_opportunities(client_for, org, deals) -> None:
    response = client_for(org.salesperson).get("/opportunities/")
    assert response.status_code == 200
    assert names(response) == ["Beta valves", "Alpha pumps"]
    assert "Hidden deal" not in response.content.decode()
    assert names(client_for(org.other_salesperson).get("/opportunities/")) == ["Hidden deal"]


def test_filters_search_and_sorting_narrow_the_list(client_for, org, deals, sales) -> None:
    _alpha, beta, _gamma, _hidden = deals
    client = client_for(org.emea_manager)
    assert names(client.get("/opportunities/")) == ["Gamma seals", "Beta valves", "Alpha pumps"]
    assert names(client.get(f"/opportunities/?owner={org.colleague.pk}")) == ["Gamma seals"]
    assert names(client.get(f"/opportunities/?team={org.americas.pk}")) == []
    assert names(client.get("/opportunities/?q=valv")) == ["Beta valves"]
    assert names(client.get("/opportunities/?amount_min=1000&amount_max=6000")) == ["Alpha pumps"]
    assert names(client.get("/opportunities/?close_from=2026-04-01&close_to=2026-06-30")) == [
        "Gamma seals",
        "Beta valves",
    ]
    assert names(client.get("/opportunities/?ordering=amount")) == ["Gamma seals", "Alpha pumps", "Beta valves"]
    assert names(client.get("/opportunities/?ordering=-close_date")) == ["Beta valves", "Gamma seals", "Alpha pumps"]
    opportunity_move(actor=org.salesperson, opportunity_id=beta.pk, stage=sales["Qualification"].pk)
    assert names(client.get(f"/opportunities/?stage={sales['Qualification'].pk}")) == ["Beta valves"]
    pipeline = sales["Qualification"].pipeline_id
    assert len(names(client.get(f"/opportunities/?pipeline={pipeline}"))) == 3


def test_a_wrong_filter_is_a_message_not_an_error(client_for, org, deals) -> None:
    response = client_for(org.salesperson).get("/opportunities/?amount_min=lots")
    assert response.status_code == 200
    assert response.context["filter_errors"]
    assert names(response) == ["Beta valves", "Alpha pumps"]


def test_the_empty_list_invites_to_create_the_first_one(client_for, org) -> None:
    response = client_for(org.salesperson).get("/opportunities/")
    assert "Create the first opportunity" in response.content.decode()


def test_a_saved_view_is_offered_on_the_list(client_for, org, deals) -> None:
    client = client_for(org.salesperson)
    response = client.post("/views/opportunity/save/", {"name": "Big", "query": "amount_min=10000"})
    assert response["Location"] == "/opportunities/?amount_min=10000"
    response = client.get("/opportunities/?amount_min=10000")
    assert response.context["active_view"].name == "Big"
    assert names(response) == ["Beta valves"]


def test_the_list_query_count_does_not_grow_with_the_rows(client_for, org, django_assert_max_num_queries) -> None:
    for n in range(12):
        make(org.salesperson, f"Deal {n:02d}")
    client = client_for(org.salesperson)
    with django_assert_max_num_queries(13):
        response = client.get("/opportunities/")
    assert len(names(response)) == 12


# --- the record page ----------------------------------------------------------------------------------


def test_someone_elses_opportunity_is_not_found(client_for, org, deals) -> None:
    hidden = deals[3]
    client = client_for(org.salesperson)
    assert client.get(f"/opportunities/{hidden.pk}/").status_code == 404
    assert client.get(f"/opportunities/{hidden.pk}/edit/").status_code == 404
    assert client.post(f"/opportunities/{hidden.pk}/move/", {"stage": hidden.stage_id}).status_code == 404
    assert client.post(f"/opportunities/{hidden.pk}/lines/add/", {"product": "1"}).status_code == 404


def test_the_stage_path_shows_the_days_spent_in_each_stage(client_for, org, sales) -> None:
    deal = make(org.salesperson, "Path deal")
    opportunity_move(actor=org.salesperson, opportunity_id=deal.pk, stage=sales["Qualification"].pk)
    opportunity_move(actor=org.salesperson, opportunity_id=deal.pk, stage=sales["Needs analysis"].pk)
    now = timezone.now()
    created, qualified, analysed = StageChange.objects.filter(opportunity=deal).order_by("at", "id")
    StageChange.objects.filter(pk=created.pk).update(at=now - dt.timedelta(days=20, hours=3))
    StageChange.objects.filter(pk=qualified.pk).update(at=now - dt.timedelta(days=15))
    StageChange.objects.filter(pk=analysed.pk).update(at=now - dt.timedelta(days=9, hours=1))
    needs = sales["Needs analysis"]
    needs.stuck_after_days = 7
    needs.save()

    response = client_for(org.salesperson).get(f"/opportunities/{deal.pk}/")
    path = {step.stage.name: step for step in response.context["path"]}
    assert path["Prospecting"].days == 5  # 20 d 3 h - 15 d
    assert path["Qualification"].days == 5  # 15 d - 9 d 1 h = 5 d 23 h
    assert path["Needs analysis"].days == 9
    assert path["Proposal"].days is None
    assert path["Needs analysis"].current and path["Needs analysis"].stuck
    assert not path["Qualification"].stuck
    page = response.content.decode()
    assert "stuck" in page and "9 days" in page


def test_a_line_priced_from_the_price_book_sets_the_amount(client_for, org) -> None:
    pump = Product.objects.create(
        sku="P-1", name="Pump", list_price_amount=Decimal("100"), list_price_currency_id="EUR"
    )
    seal = Product.objects.create(
        sku="S-1", name="Seal", list_price_amount=Decimal("7.5"), list_price_currency_id="EUR"
    )
    book = PriceBook.objects.create(name="PLN", currency_id="PLN")
    PriceBookEntry.objects.create(price_book=book, product=pump, unit_price=Decimal("412.50"))
    deal = make(org.salesperson, "Lines deal", amount_currency="PLN")
    client = client_for(org.salesperson)

    response = client.post(
        f"/opportunities/{deal.pk}/lines/add/",
        {"product": pump.pk, "quantity": "3", "discount": "10"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert [line.unit_price for line in response.context["lines"]] == [Decimal("412.50")]
    client.post(
        f"/opportunities/{deal.pk}/lines/add/",
        {"product": seal.pk, "quantity": "4", "unit_price": "20"},
        headers={"HX-Request": "true"},
    )
    expected = Decimal("1113.75") + Decimal("80.00")  # 3 x 412.50 less 10 %, then 4 x 20
    deal.refresh_from_db()
    assert deal.amount_amount == expected
    response = client.post(
        f"/opportunities/{deal.pk}/lines/{deal.lines.get(product=seal).pk}/edit/",
        {"quantity": "2", "discount": "0", "unit_price": "20"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert 'id="opportunity-facts"' in page and "hx-swap-oob" in page  # the header amount follows
    assert "1153.75 PLN" in page
    deal.refresh_from_db()
    assert deal.amount_amount == Decimal("1153.75")


def test_a_refused_line_says_why_and_adds_nothing(client_for, org) -> None:
    deal = make(org.salesperson, "Bad line")
    response = client_for(org.salesperson).post(
        f"/opportunities/{deal.pk}/lines/add/", {"product": "", "quantity": "x"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and response.context["error"]
    assert not deal.lines.exists()


def test_contacts_competitors_and_costs_are_added_and_removed_in_place(client_for, org) -> None:
    account = AccountFactory.create(owner=org.salesperson, name="Buyer")
    rival = AccountFactory.create(owner=org.salesperson, name="Rival")
    contact = ContactFactory.create(owner=org.salesperson, account=account, last_name="Nowak")
    deal = make(org.salesperson, "Parts deal", account=account)
    client = client_for(org.salesperson)
    htmx = {"HX-Request": "true"}

    response = client.get(f"/opportunities/{deal.pk}/")
    assert (str(contact.pk), str(contact)) in response.context["contact_form"].fields["contact"].choices
    client.post(
        f"/opportunities/{deal.pk}/contacts/add/", {"contact": contact.pk, "role": "decision_maker"}, headers=htmx
    )
    client.post(
        f"/opportunities/{deal.pk}/competitors/add/",
        {"competitor": rival.pk, "strengths": "cheap", "status": "leading"},
        headers=htmx,
    )
    response = client.post(
        f"/opportunities/{deal.pk}/costs/add/",
        {"date": "2026-02-01", "category": "travel", "amount_amount": "120.50", "amount_currency": "EUR"},
        headers=htmx,
    )
    client.post(
        f"/opportunities/{deal.pk}/costs/add/",
        {"date": "2026-02-03", "category": "samples", "amount_amount": "30", "amount_currency": "EUR"},
        headers=htmx,
    )
    response = client.get(f"/opportunities/{deal.pk}/")
    assert [(c.contact, c.role) for c in response.context["contact_roles"]] == [(contact, "decision_maker")]
    assert [(c.competitor, c.status) for c in response.context["competitors"]] == [(rival, "leading")]
    assert response.context["cost_totals"] == [("EUR", Decimal("150.50"))]
    titles = " | ".join(entry.title for entry in response.context["timeline"])
    assert "Contact added" in titles and "Competitor: Rival" in titles and "Cost recorded" in titles

    link = deal.contact_roles.get()
    client.post(f"/opportunities/{deal.pk}/contacts/{link.pk}/remove/", headers=htmx)
    response = client.post(f"/opportunities/{deal.pk}/costs/{deal.costs.earliest('date').pk}/remove/")
    assert response.status_code == 302
    assert not deal.contact_roles.exists() and deal.costs.count() == 1


def test_a_refused_move_lists_what_is_missing_and_changes_nothing(client_for, org, sales) -> None:
    proposal = sales["Proposal"]
    proposal.required_fields = ["close_date", "next_step"]
    proposal.required_roles = ["decision_maker"]
    proposal.save()
    deal = make(org.salesperson, "Gated deal")
    client = client_for(org.salesperson)

    response = client.post(f"/opportunities/{deal.pk}/move/", {"stage": proposal.pk})
    assert response.status_code == 422
    page = response.content.decode()
    assert "expected close date" in page and "next step" in page and "decision maker" in page
    assert {"v_close_date", "v_next_step"} <= set(response.context["form"].fields)
    deal.refresh_from_db()
    assert deal.stage == sales["Prospecting"]
    assert StageChange.objects.filter(opportunity=deal).count() == 1

    proposal.required_roles = []
    proposal.save()
    response = client.post(
        f"/opportunities/{deal.pk}/move/", {"stage": proposal.pk, "v_close_date": "soon", "v_next_step": "Call"}
    )
    assert response.status_code == 422 and "v_close_date" in response.context["form"].errors
    deal.refresh_from_db()
    assert deal.stage == sales["Prospecting"] and deal.next_step == ""
    response = client.post(
        f"/opportunities/{deal.pk}/move/",
        {"stage": proposal.pk, "v_close_date": "2026-09-30", "v_next_step": "Send the offer"},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == proposal and deal.next_step == "Send the offer" and deal.close_date == dt.date(2026, 9, 30)


def test_the_detail_query_count_is_pinned(client_for, org, django_assert_max_num_queries) -> None:
    pump = Product.objects.create(
        sku="P-1", name="Pump", list_price_amount=Decimal("100"), list_price_currency_id="EUR"
    )
    deal = make(org.salesperson, "Busy deal")
    for _ in range(5):
        line_add(actor=org.salesperson, opportunity_id=deal.pk, data={"product": pump.pk, "quantity": "1"})
    client = client_for(org.salesperson)
    client.get(f"/opportunities/{deal.pk}/")
    # + its activities (timeline) and their cost (the pursuit cost), one query each
    with django_assert_max_num_queries(19):  # 18 + the quotes panel (with its timeline entries)
        response = client.get(f"/opportunities/{deal.pk}/")
    assert response.status_code == 200
    assert len(response.context["lines"]) == 5


# --- form ---------------------------------------------------------------------------------------------


def test_creating_from_the_form_with_an_account_preset(client_for, org, sales) -> None:
    account = AccountFactory.create(owner=org.salesperson, name="Preset")
    client = client_for(org.salesperson)
    response = client.get(f"/opportunities/new/?account={account.pk}")
    assert response.context["form"].initial["account"] == account.pk
    response = client.post(
        "/opportunities/new/",
        {"name": "From form", "account": account.pk, "owner": org.salesperson.pk, "forecast_category": "pipeline"},
    )
    deal = Opportunity.objects.get(name="From form")
    assert response.status_code == 302 and response["Location"] == f"/opportunities/{deal.pk}/"
    assert deal.stage == sales["Prospecting"] and deal.amount_from_lines and deal.probability == Decimal("10")


def test_a_gate_refused_on_the_form_shows_the_missing_fields(client_for, org, sales) -> None:
    account = AccountFactory.create(owner=org.salesperson)
    proposal = sales["Proposal"]
    proposal.required_fields = ["close_date", "amount"]
    proposal.save()
    response = client_for(org.salesperson).post(
        "/opportunities/new/",
        {
            "name": "Too fast",
            "account": account.pk,
            "owner": org.salesperson.pk,
            "stage": proposal.pk,
            "forecast_category": "pipeline",
        },
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "close_date" in form.errors and "amount_amount" in form.errors
    assert not Opportunity.objects.filter(name="Too fast").exists()


def test_editing_keeps_custom_fields_and_an_unseen_account_is_refused(client_for, org) -> None:
    deal = make(org.salesperson, "Editable")
    elsewhere = AccountFactory.create(owner=org.other_salesperson)
    client = client_for(org.salesperson)
    data = {
        "name": "Edited",
        "account": elsewhere.pk,
        "owner": org.salesperson.pk,
        "pipeline": deal.pipeline_id,
        "stage": deal.stage_id,
        "forecast_category": "pipeline",
        "amount_amount": "700",
    }
    response = client.post(f"/opportunities/{deal.pk}/edit/", data)
    assert response.status_code == 422 and "account" in response.context["form"].errors
    data["account"] = deal.account_id
    assert client.post(f"/opportunities/{deal.pk}/edit/", data).status_code == 302
    deal.refresh_from_db()
    assert deal.name == "Edited" and deal.amount_amount == Decimal("700") and not deal.amount_from_lines


def test_deleting_asks_first(client_for, org) -> None:
    deal = make(org.salesperson, "Doomed")
    assert client_for(org.other_salesperson).get(f"/opportunities/{deal.pk}/delete/").status_code == 404
    client = client_for(org.admin)
    assert "Delete opportunity" in client.get(f"/opportunities/{deal.pk}/delete/").content.decode()
    assert Opportunity.objects.filter(pk=deal.pk).exists()
    response = client.post(f"/opportunities/{deal.pk}/delete/")
    assert response.status_code == 302 and not Opportunity.objects.filter(pk=deal.pk).exists()


# --- bulk ---------------------------------------------------------------------------------------------


def test_bulk_move_reports_the_refused_ones(client_for, org, sales, deals) -> None:
    alpha, beta, _gamma, hidden = deals
    proposal = sales["Proposal"]
    proposal.required_fields = ["next_step"]
    proposal.save()
    client = client_for(org.salesperson)
    client.post(f"/opportunities/{alpha.pk}/move/", {"stage": sales["Qualification"].pk})
    Opportunity.objects.filter(pk=beta.pk).update(next_step="Call back")

    response = client.post(
        "/opportunities/bulk/",
        {"action": "move", "stage": proposal.pk, "ids": [alpha.pk, beta.pk, hidden.pk]},
    )
    assert response.status_code == 302
    shown = shown_messages(response)
    assert "1 opportunity moved." in shown
    assert any(m.startswith("Alpha pumps:") and "next step" in m for m in shown)
    assert not any("Hidden" in m for m in shown)
    alpha.refresh_from_db(), beta.refresh_from_db(), hidden.refresh_from_db()
    assert beta.stage == proposal and alpha.stage == sales["Qualification"] and hidden.stage == sales["Prospecting"]


def test_bulk_reassign_and_close_date(client_for, org, deals) -> None:
    alpha, beta, *_rest = deals
    client = client_for(org.emea_manager)
    response = client.post(
        "/opportunities/bulk/", {"action": "close_date", "close_date": "2027-01-31", "ids": [alpha.pk, beta.pk]}
    )
    assert "Close date changed on 2 opportunities." in shown_messages(response)
    response = client.post("/opportunities/bulk/", {"action": "reassign", "owner": org.colleague.pk, "ids": [alpha.pk]})
    assert "1 opportunity reassigned." in shown_messages(response)
    alpha.refresh_from_db(), beta.refresh_from_db()
    assert alpha.owner == org.colleague and beta.close_date == dt.date(2027, 1, 31)
