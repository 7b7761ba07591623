"""The quote pages: the list (visibility, filters, sorting, pages, empty state, pinned queries), a new
quote from the opportunity's page, the record page for each status with its buttons, the line editor
in place (row + totals out of band), the workflow buttons with their messages, read-only earlier
versions, the opportunity's quotes panel and timeline, the quote settings page, hostile text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from rapport.core.models import RolePermission
from rapport.core.visibility import forget_cached_rights
from rapport.quotes.models import Quote, QuoteSettings, QuoteStatus
from rapport.quotes.services import (
    quote_create,
    quote_line_update,
    quote_mark_sent,
    quote_reject,
    quote_revise,
    quote_submit,
)
from rapport.quotes.services.common import NOT_EDITABLE, NOT_THE_APPROVER, REASON_REQUIRED
from rapport.quotes.services.drafting import NOT_A_NUMBER, NOT_A_PERCENT
from rapport.quotes.services.sending import NOT_AN_ADDRESS
from rapport.quotes.views.common import READ_ONLY_NOTICE
from rapport.quotes.views.workflow import APPROVED, RETURNED, REVISED
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
D = Decimal


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def numbers(response) -> list[str]:
    return [q.display_number for q in response.context["rows"]]


@pytest.fixture
def quote(org, deal) -> Quote:
    """A draft from the deal: pump 3 x 100.00 at 23 %, valve 10 x 9.99 less 5 % at 8 %."""
    return quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)


def line_of(quote: Quote, sku: str):
    return quote.lines.get(product__sku=sku)


def pending(org, quote: Quote) -> Quote:
    """A quote waiting for the manager's approval: the valve line's discount above the 15 % limit."""
    quote_line_update(
        actor=org.salesperson, quote_id=quote.pk, line_id=line_of(quote, "VALVE").pk, data={"discount": "20"}
    )
    return quote_submit(actor=org.salesperson, quote_id=quote.pk)


def sent(org, quote: Quote) -> Quote:
    return quote_mark_sent(actor=org.salesperson, quote_id=quote.pk)


# --- the list -------------------------------------------------------------------------------------


def test_the_list_shows_only_the_quotes_one_may_see(client_for, org, deal, quote) -> None:
    response = client_for(org.salesperson).get("/quotes/")
    assert response.status_code == 200
    assert numbers(response) == [quote.display_number]
    page = response.content.decode()
    assert "Kowalski Sp. z o.o." in page and "Pumps for the plant" in page and "471.50 EUR" in page

    other = client_for(org.other_salesperson)
    assert numbers(other.get("/quotes/")) == []
    assert other.get(f"/quotes/{quote.pk}/").status_code == 404
    assert other.get(f"/quotes/{quote.pk}/pdf/").status_code == 404
    line = line_of(quote, "PUMP")
    assert other.post(f"/quotes/{quote.pk}/lines/{line.pk}/edit/", {"quantity": "9"}, headers=HX).status_code == 404
    assert other.post(f"/quotes/{quote.pk}/submit/").status_code == 404
    assert line_of(quote, "PUMP").quantity == D("3")


def test_filters_search_sorting_and_pages(client_for, org, deal, quote, settings) -> None:
    second = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    quote_line_update(
        actor=org.salesperson, quote_id=second.pk, line_id=line_of(second, "PUMP").pk, data={"quantity": "1"}
    )
    sent(org, second)
    other_account = AccountFactory.create(owner=org.salesperson, name="Zakłady Azotowe")
    from rapport.pipeline.services.opportunities import opportunity_create

    small = opportunity_create(actor=org.salesperson, name="Small deal", account=other_account.pk)
    third = quote_create(actor=org.salesperson, opportunity_id=small.pk)
    Quote.objects.filter(pk=quote.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    client = client_for(org.emea_manager)

    assert numbers(client.get("/quotes/")) == [third.number, second.number, quote.number]
    assert numbers(client.get("/quotes/?status=sent")) == [second.number]
    assert numbers(client.get("/quotes/?q=azotowe")) == [third.number]
    assert numbers(client.get(f"/quotes/?q={quote.number}")) == [quote.number]
    assert numbers(client.get(f"/quotes/?owner={org.salesperson.pk}")) == [third.number, second.number, quote.number]
    assert numbers(client.get(f"/quotes/?owner={org.colleague.pk}")) == []
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    assert numbers(client.get(f"/quotes/?created_from={since}")) == [third.number, second.number]
    assert numbers(client.get(f"/quotes/?created_to={since}")) == [quote.number]
    assert numbers(client.get("/quotes/?ordering=total")) == [third.number, second.number, quote.number]

    wrong = client.get("/quotes/?status=lost&created_from=yesterday")
    assert wrong.status_code == 200 and len(wrong.context["filter_errors"]) == 2

    settings.RAPPORT_LIST_PAGE_SIZE = 2
    first_page = client.get("/quotes/")
    assert numbers(first_page) == [third.number, second.number]
    assert "Page 1 of 2" in first_page.content.decode()
    assert numbers(client.get("/quotes/?page=2")) == [quote.number]

    partial = client.get("/quotes/?status=draft", headers={"HX-Request": "true", "HX-Target": "list-results"})
    assert partial.status_code == 200 and "<html" not in partial.content.decode()


def test_sorting_by_account(client_for, org, deal, quote) -> None:
    other_account = AccountFactory.create(owner=org.salesperson, name="Azoty")
    from rapport.pipeline.services.opportunities import opportunity_create

    small = opportunity_create(actor=org.salesperson, name="Small deal", account=other_account.pk)
    azoty = quote_create(actor=org.salesperson, opportunity_id=small.pk)
    client = client_for(org.salesperson)
    assert numbers(client.get("/quotes/?ordering=account")) == [azoty.number, quote.number]
    assert numbers(client.get("/quotes/?ordering=-account")) == [quote.number, azoty.number]


def test_the_empty_list_says_where_quotes_come_from(client_for, org) -> None:
    page = client_for(org.salesperson).get("/quotes/").content.decode()
    assert "No quotes yet" in page and "New quote" in page
    filtered = client_for(org.salesperson).get("/quotes/?status=sent").content.decode()
    assert "No quotes match these filters" in filtered


def test_the_list_reads_a_fixed_number_of_queries(client_for, org, deal, django_assert_num_queries) -> None:
    client = client_for(org.salesperson)
    client.get("/quotes/")  # the session and the role's rights are warm, as on any later page
    quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    with django_assert_num_queries(QUERIES) as one:
        assert len(numbers(client.get("/quotes/"))) == 1
    for _ in range(11):
        quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(numbers(client.get("/quotes/"))) == 12


#: session, user, the role's rights, saved views, the count, the page, owners for the filter…
QUERIES = 9


# --- a new quote --------------------------------------------------------------------------------------


def test_a_new_quote_from_the_opportunity_page(client_for, org, deal) -> None:
    client = client_for(org.salesperson)
    opportunity_page = client.get(f"/opportunities/{deal.opportunity.pk}/").content.decode()
    assert f"/quotes/new/?opportunity={deal.opportunity.pk}" in opportunity_page

    form = client.get(f"/quotes/new/?opportunity={deal.opportunity.pk}")
    assert form.status_code == 200
    assert dict(form.context["form"].fields["contact"].choices)[str(deal.buyer.pk)] == str(deal.buyer)
    assert form.context["form"].initial["contact"] == str(deal.buyer.pk)

    valid_until = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    response = client.post(
        f"/quotes/new/?opportunity={deal.opportunity.pk}",
        {"language": "pl", "contact": deal.buyer.pk, "valid_until": valid_until, "terms": "Payment in 14 days."},
    )
    quote = Quote.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/quotes/{quote.pk}/"
    assert (quote.language, quote.contact_id, quote.valid_until.isoformat(), quote.terms) == (
        "pl",
        deal.buyer.pk,
        valid_until,
        "Payment in 14 days.",
    )
    assert quote.lines.count() == 2 and quote.total == D("471.50")


def test_a_new_quote_refuses_a_past_date_and_hidden_opportunities(client_for, org, deal) -> None:
    client = client_for(org.salesperson)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        f"/quotes/new/?opportunity={deal.opportunity.pk}", {"language": "en", "valid_until": yesterday}
    )
    assert response.status_code == 422 and response.context["form"].errors["valid_until"]
    assert not Quote.objects.exists()
    assert client_for(org.other_salesperson).get(f"/quotes/new/?opportunity={deal.opportunity.pk}").status_code == 404
    assert client.get("/quotes/new/?opportunity=abc").status_code == 302


# --- the record page --------------------------------------------------------------------------------


def buttons(response) -> dict[str, bool]:
    page = response.content.decode()
    return {
        "submit": "Submit for approval" in page,
        "send": "Send by e-mail" in page,
        "approve": ">Approve<" in page,
        "return": "Return with a reason" in page,
        "accept": "Mark accepted" in page,
        "reject": "Mark rejected" in page,
        "revise": "Revise into version" in page,
        "lines": 'hx-post="/quotes/' in page and "/lines/add/" in page,
    }


def shown(response) -> set[str]:
    return {name for name, present in buttons(response).items() if present}


def test_each_status_shows_its_own_buttons(client_for, org, deal, quote) -> None:
    owner, manager = client_for(org.salesperson), client_for(org.emea_manager)
    url = f"/quotes/{quote.pk}/"
    response = owner.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert quote.number in page and "Kowalski Sp. z o.o." in page and str(deal.buyer) in page
    # subtotal 300.00 + 99.90, discounts 4.99, net 394.91, tax 69.00 + 7.59, total 471.50
    for figure in ("399.90 EUR", "4.99 EUR", "394.91 EUR", "69.00 EUR", "7.59 EUR", "76.59 EUR", "471.50 EUR"):
        assert figure in page
    assert "Tax 23% on 300.00" in page and "Tax 8% on 94.91" in page
    assert shown(response) == {"submit", "send", "lines"}

    pending(org, quote)
    assert shown(owner.get(url)) == set()
    assert shown(manager.get(url)) == {"approve", "return"}

    quote.refresh_from_db()
    Quote.objects.filter(pk=quote.pk).update(status=QuoteStatus.APPROVED)
    assert shown(owner.get(url)) == {"send"}
    sent(org, quote)
    assert shown(owner.get(url)) == {"accept", "reject", "revise"}
    quote_reject(actor=org.salesperson, quote_id=quote.pk, note="Too expensive")
    response = owner.get(url)
    assert shown(response) == {"revise"} and "Too expensive" in response.content.decode()


def test_the_pdf_tab_frames_the_pdf(client_for, org, quote) -> None:
    page = client_for(org.salesperson).get(f"/quotes/{quote.pk}/?tab=pdf").content.decode()
    assert f'<iframe class="quote-pdf-frame" src="/quotes/{quote.pk}/pdf/"' in page
    assert f"/quotes/{quote.pk}/pdf/?download=1" in page


# --- the line editor --------------------------------------------------------------------------------


def test_a_line_saved_in_place_answers_the_row_and_the_totals(client_for, org, quote) -> None:
    pump = line_of(quote, "PUMP")
    response = client_for(org.salesperson).post(
        f"/quotes/{quote.pk}/lines/{pump.pk}/edit/",
        {"product": pump.product_id, "quantity": "5", "unit_price": "100.00", "discount": "0", "tax_rate": "23"},
        headers=HX,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith(f'<form id="quote-line-{pump.pk}"')
    assert 'id="quote-totals" hx-swap-oob="true"' in page
    # 5 x 100.00 = 500.00 at 23 % (115.00) + the valve's 94.91 at 8 % (7.59)
    assert "717.50 EUR" in page and "594.91 EUR" in page
    quote.refresh_from_db()
    assert quote.total == D("717.50") and line_of(quote, "PUMP").quantity == D("5")


def test_a_line_saved_unchanged_writes_nothing(client_for, org, quote) -> None:
    pump = line_of(quote, "PUMP")
    response = client_for(org.salesperson).post(
        f"/quotes/{quote.pk}/lines/{pump.pk}/edit/", {"quantity": "3.000", "discount": "0"}, headers=HX
    )
    assert response.status_code == 204


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("quantity", "abc", NOT_A_NUMBER), ("discount", "150", NOT_A_PERCENT), ("tax_rate", "-1", NOT_A_PERCENT)],
)
def test_a_wrong_value_shows_its_message_and_changes_nothing(client_for, org, quote, field, value, message) -> None:
    pump = line_of(quote, "PUMP")
    client = client_for(org.salesperson)
    response = client.post(f"/quotes/{quote.pk}/lines/{pump.pk}/edit/", {field: value}, headers=HX)
    assert response.status_code == 200
    page = response.content.decode()
    assert str(message) in page and f'value="{value}"' in page  # what was typed stays, with why
    assert response.context["row"]["form"].errors[field] == [str(message)]
    quote.refresh_from_db()
    assert quote.total == D("471.50") and line_of(quote, "PUMP").quantity == D("3")

    plain = client.post(f"/quotes/{quote.pk}/lines/{pump.pk}/edit/", {field: value})
    assert plain.status_code == 302 and shown_messages(plain) == [str(message)]


def test_lines_are_added_and_removed_without_javascript_too(client_for, org, quote) -> None:
    client = client_for(org.salesperson)
    response = client.post(
        f"/quotes/{quote.pk}/lines/add/",
        {"product": "", "description": "Installation", "quantity": "2", "unit_price": "50", "tax_rate": "23"},
        headers=HX,
    )
    assert response.status_code == 200 and 'id="quote-lines"' in response.content.decode()
    assert "594.50 EUR" in response.content.decode()  # + 100.00 net, + 23.00 tax
    added = quote.lines.get(description="Installation")
    refused = client.post(f"/quotes/{quote.pk}/lines/add/", {"quantity": "1", "unit_price": "5"}, headers=HX)
    assert refused.context["new_form"].errors and quote.lines.count() == 3

    response = client.post(f"/quotes/{quote.pk}/lines/{added.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == f"/quotes/{quote.pk}/#quote-lines"
    quote.refresh_from_db()
    assert quote.lines.count() == 2 and quote.total == D("471.50")


def test_a_product_picked_takes_its_price_and_rate(client_for, org, deal, quote) -> None:
    valve = line_of(quote, "VALVE")
    client = client_for(org.salesperson)
    suggestions = client.get("/quotes/products/suggest/?term=pum").content.decode()
    assert f'data-value="{deal.pump.pk}"' in suggestions and "VALVE" not in suggestions
    response = client.post(
        f"/quotes/{quote.pk}/lines/{valve.pk}/edit/",
        # the row posts everything; only the product changed, so the price book's price applies
        {"product": deal.pump.pk, "quantity": "10", "unit_price": "9.99", "discount": "5", "tax_rate": "8"},
        headers=HX,
    )
    assert response.status_code == 200
    line = quote.lines.get(pk=valve.pk)
    assert (line.product_id, line.unit_price, line.tax_rate) == (deal.pump.pk, D("100.00"), D("23.00"))


# --- the workflow -------------------------------------------------------------------------------------


def test_approve_return_and_resubmit(client_for, org, quote) -> None:
    pending(org, quote)
    owner, manager = client_for(org.salesperson), client_for(org.emea_manager)

    refused = owner.post(f"/quotes/{quote.pk}/approve/")
    assert refused.status_code == 302
    assert shown_messages(refused) == [str(NOT_THE_APPROVER % {"approver": org.emea_manager})]

    no_reason = manager.post(f"/quotes/{quote.pk}/return/", {"reason": "  "})
    assert shown_messages(no_reason) == [str(REASON_REQUIRED)]
    manager.get("/quotes/")  # the message is shown (and gone)
    returned = manager.post(f"/quotes/{quote.pk}/return/", {"reason": "20 % is too much"})
    assert shown_messages(returned) == [str(RETURNED % {"number": quote.display_number})]
    manager.get("/quotes/")
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.RETURNED
    page = owner.get(f"/quotes/{quote.pk}/").content.decode()
    assert "20 % is too much" in page and "Submit for approval" in page

    owner.post(f"/quotes/{quote.pk}/submit/")
    approved = manager.post(f"/quotes/{quote.pk}/approve/")
    assert shown_messages(approved) == [str(APPROVED % {"number": quote.display_number})]
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.APPROVED


def test_accept_reject_and_revise(client_for, org, deal, quote) -> None:
    sent(org, quote)
    client = client_for(org.salesperson)
    confirm = client.post(f"/quotes/{quote.pk}/reject/", {"note": "Price"})
    assert confirm.status_code == 200 and "Mark the quote" in confirm.content.decode()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT  # nothing happens before the confirmation
    rejected = client.post(f"/quotes/{quote.pk}/reject/", {"note": "Price", "confirmed": "1"}, follow=True)
    assert "is marked as rejected" in rejected.content.decode()
    quote.refresh_from_db()
    assert (quote.status, quote.decision_note) == (QuoteStatus.REJECTED, "Price")

    revised = client.post(f"/quotes/{quote.pk}/revise/")
    second = Quote.objects.get(root_id=quote.pk, version=2)
    assert revised["Location"] == f"/quotes/{second.pk}/"
    assert shown_messages(revised) == [str(REVISED % {"version": 2, "number": quote.number})]

    sent(org, second)
    accepted = client.post(f"/quotes/{second.pk}/accept/", {"note": "Signed"}, follow=True)
    assert "is accepted" in accepted.content.decode()
    second.refresh_from_db()
    deal.opportunity.refresh_from_db()
    assert second.status == QuoteStatus.ACCEPTED and deal.opportunity.amount_amount == second.net_total
    again = client.post(f"/quotes/{second.pk}/accept/")
    assert shown_messages(again) and "cannot be" in shown_messages(again)[0]


def test_an_earlier_version_is_read_only(client_for, org, quote) -> None:
    sent(org, quote)
    second = quote_revise(actor=org.salesperson, quote_id=quote.pk)
    client = client_for(org.salesperson)
    response = client.get(f"/quotes/{quote.pk}/")
    page = response.content.decode()
    notice = str(READ_ONLY_NOTICE % {"version": 1, "count": 2, "status": "superseded"})
    assert notice in page and notice == "Version 1 of 2 — superseded, read-only."
    assert shown(response) == set()
    assert f'href="/quotes/{second.pk}/"' in page  # the history links the newer version

    pump = line_of(quote, "PUMP")
    refused = client.post(f"/quotes/{quote.pk}/lines/{pump.pk}/edit/", {"quantity": "9"}, headers=HX)
    assert refused.status_code == 200
    message = str(NOT_EDITABLE % {"status": "superseded"})
    assert message in refused.content.decode()
    plain = client.post(f"/quotes/{quote.pk}/lines/{pump.pk}/delete/")
    assert shown_messages(plain) == [message]
    quote.refresh_from_db()
    assert line_of(quote, "PUMP").quantity == D("3") and quote.lines.count() == 2
    assert client.get(f"/quotes/{second.pk}/").context["read_only_notice"] == ""


def test_the_send_form_is_prefilled_and_refuses_a_bad_address(client_for, org, deal, quote) -> None:
    deal.buyer.email = "buyer@kowalski.example"
    deal.buyer.save()
    client = client_for(org.salesperson)
    form = client.get(f"/quotes/{quote.pk}/send/").context["form"]
    assert form.initial["to"] == "buyer@kowalski.example" and quote.number in form.initial["subject"]
    response = client.post(f"/quotes/{quote.pk}/send/", {"to": "not an address", "subject": "Quote"})
    assert response.status_code == 422
    assert response.context["form"].errors["to"] == [str(NOT_AN_ADDRESS % {"address": "not an address"})]
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT


# --- the opportunity's page ---------------------------------------------------------------------------


def test_the_opportunity_page_lists_its_quotes_and_their_timeline(client_for, org, deal, quote) -> None:
    sent(org, quote)
    response = client_for(org.salesperson).get(f"/opportunities/{deal.opportunity.pk}/")
    page = response.content.decode()
    assert 'id="quotes"' in page and f'href="/quotes/{quote.pk}/"' in page and "471.50 EUR" in page
    titles = [entry.title for entry in response.context["timeline"]]
    assert f"Quote {quote.number} created" in titles and f"Quote {quote.number} sent" in titles

    hidden = client_for(org.marketing)  # reads the opportunity, but quotes are not for their role
    RolePermission.objects.filter(role_id="marketing", record_type="quote").update(can_read=False)
    forget_cached_rights(org.marketing)
    response = hidden.get(f"/opportunities/{deal.opportunity.pk}/")
    page = response.content.decode()
    assert 'id="quotes"' not in page and "/quotes/" not in page
    assert not any(entry.url.startswith("/quotes/") for entry in response.context["timeline"])
    assert hidden.get("/quotes/").status_code == 403


def test_the_navigation_offers_quotes(client_for, org) -> None:
    assert 'href="/quotes/"' in client_for(org.salesperson).get("/quotes/").content.decode()


# --- settings, hostile text -----------------------------------------------------------------------------


def test_only_administrators_change_the_quote_settings(client_for, org) -> None:
    assert client_for(org.salesperson).get("/settings/quotes/").status_code == 403
    admin = client_for(org.admin)
    assert 'href="/settings/quotes/"' in admin.get("/settings/").content.decode()
    assert admin.get("/settings/quotes/").status_code == 200
    data = {
        "number_prefix": "OF",
        "number_padding": "4",
        "validity_days": "14",
        "max_line_discount": "20",
        "max_total_discount": "12.5",
        "default_terms": "Prices net.",
    }
    response = admin.post("/settings/quotes/", data)
    assert response.status_code == 302
    row = QuoteSettings.current()
    assert (row.number_prefix, row.number_padding, row.validity_days) == ("OF", 4, 14)
    assert (row.max_line_discount, row.max_total_discount, row.default_terms) == (D("20"), D("12.5"), "Prices net.")
    wrong = admin.post("/settings/quotes/", {**data, "max_line_discount": "150", "number_padding": "x"})
    assert wrong.status_code == 200 and set(wrong.context["form"].errors) == {"max_line_discount", "number_padding"}
    assert QuoteSettings.current().max_line_discount == D("20")


def test_the_settings_page_chooses_the_stage_after_acceptance(client_for, org, deal) -> None:
    from rapport.pipeline.models import Pipeline
    from rapport.quotes.services.acceptance import acceptance_stages

    admin = client_for(org.admin)
    sales = Pipeline.objects.get(name="Sales")
    negotiation = sales.stages.get(name="Negotiation")
    data = {
        "number_prefix": "Q",
        "number_padding": "5",
        "validity_days": "30",
        "max_line_discount": "15",
        "max_total_discount": "10",
        "default_terms": "",
    }
    page = admin.get("/settings/quotes/").content.decode()
    assert f'name="stage_{sales.pk}"' in page and "Stays where it is" in page
    assert admin.post("/settings/quotes/", {**data, f"stage_{sales.pk}": str(negotiation.pk)}).status_code == 302
    assert acceptance_stages() == {sales.pk: negotiation.pk}
    foreign = admin.post("/settings/quotes/", {**data, f"stage_{sales.pk}": "999999"})
    assert foreign.status_code == 200 and acceptance_stages() == {sales.pk: negotiation.pk}  # not a choice
    assert admin.post("/settings/quotes/", {**data, f"stage_{sales.pk}": ""}).status_code == 302
    assert acceptance_stages() == {}


def test_hostile_text_is_shown_as_text(client_for, org, deal, quote) -> None:
    from rapport.quotes.services import quote_line_add, quote_update

    hostile = '<script>alert("x")</script>'
    quote_update(actor=org.salesperson, quote_id=quote.pk, terms=hostile)
    quote_line_add(
        actor=org.salesperson, quote_id=quote.pk, data={"description": hostile, "quantity": "1", "unit_price": "1"}
    )
    client = client_for(org.salesperson)
    for url in (f"/quotes/{quote.pk}/", "/quotes/", f"/opportunities/{deal.opportunity.pk}/"):
        page = client.get(url).content.decode()
        assert hostile not in page
    assert "&lt;script&gt;" in client.get(f"/quotes/{quote.pk}/").content.decode()


# --- the PDF and the e-mail ------------------------------------------------------------------------------


def test_the_pdf_is_shown_inline_and_may_be_framed_only_by_rapport(client_for, org, quote) -> None:
    client = client_for(org.salesperson)
    response = client.get(f"/quotes/{quote.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'inline; filename="{quote.number}.pdf"'
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    download = client.get(f"/quotes/{quote.pk}/pdf/?download=1")
    assert download["Content-Disposition"] == f'attachment; filename="{quote.number}.pdf"'
    page = client.get(f"/quotes/{quote.pk}/")  # every other page still refuses to be framed
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"] and page["X-Frame-Options"] == "DENY"


def test_sending_from_the_form_marks_the_quote_sent(client_for, org, deal, quote) -> None:
    from django.core import mail  # the test settings' mailer is the in-memory one

    response = client_for(org.salesperson).post(
        f"/quotes/{quote.pk}/send/",
        {"to": "buyer@kowalski.example", "cc": "boss@kowalski.example, ", "subject": "Our quote", "message": "Hi"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert shown_messages(response) == [f"The quote {quote.number} is sent to buyer@kowalski.example."]
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT
    [message] = mail.outbox
    assert message.to == ["buyer@kowalski.example"] and message.cc == ["boss@kowalski.example"]


def test_the_record_page_reads_a_fixed_number_of_queries(client_for, org, quote, django_assert_num_queries) -> None:
    from rapport.quotes.services import quote_line_add

    client = client_for(org.salesperson)
    client.get(f"/quotes/{quote.pk}/")
    with django_assert_num_queries(DETAIL_QUERIES) as two:
        client.get(f"/quotes/{quote.pk}/")
    for n in range(8):
        quote_line_add(
            actor=org.salesperson,
            quote_id=quote.pk,
            data={"description": f"Item {n}", "quantity": "1", "unit_price": "1"},
        )
    with django_assert_num_queries(len(two.captured_queries)):
        assert len(client.get(f"/quotes/{quote.pk}/").context["rows"]) == 10


#: session, user, rights, the quote (+ its lines, products), versions, custom fields, timeline…
DETAIL_QUERIES = 10


def test_the_header_of_a_draft_is_edited_and_a_sent_one_refused(client_for, org, deal, quote) -> None:
    client = client_for(org.salesperson)
    assert f'href="/quotes/{quote.pk}/edit/"' in client.get(f"/quotes/{quote.pk}/").content.decode()
    form = client.get(f"/quotes/{quote.pk}/edit/").context["form"]
    assert form.initial["contact"] == str(deal.buyer.pk)
    data = {"language": "zh-hant", "contact": "", "valid_until": quote.valid_until.isoformat(), "terms": "FOB"}
    response = client.post(f"/quotes/{quote.pk}/edit/", data)
    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.language, quote.contact_id, quote.terms) == ("zh-hant", None, "FOB")

    sent(org, quote)
    assert f'href="/quotes/{quote.pk}/edit/"' not in client.get(f"/quotes/{quote.pk}/").content.decode()
    refused = client.post(f"/quotes/{quote.pk}/edit/", {**data, "terms": "Changed"})
    assert refused.status_code == 422
    assert refused.context["form"].non_field_errors() == [str(NOT_EDITABLE % {"status": "sent"})]
    quote.refresh_from_db()
    assert quote.terms == "FOB"
    assert client_for(org.other_salesperson).get(f"/quotes/{quote.pk}/edit/").status_code == 404


def test_custom_fields_are_filled_in_when_quoting_and_editing(client_for, org, deal) -> None:
    from rapport.core.services.customfields import custom_field_create

    custom_field_create(actor=org.admin, record_type="quote", key="po_number", label="PO number", field_type="text")
    custom_field_create(actor=org.admin, record_type="quote", key="copies", label="Copies", field_type="number")
    client = client_for(org.salesperson)
    page = client.get(f"/quotes/new/?opportunity={deal.opportunity.pk}").content.decode()
    assert 'name="cf_po_number"' in page and "PO number" in page
    response = client.post(
        f"/quotes/new/?opportunity={deal.opportunity.pk}",
        {"language": "en", "contact": "", "valid_until": "", "terms": "", "cf_po_number": "PO-77", "cf_copies": "2"},
    )
    assert response.status_code == 302
    quote = Quote.objects.get(opportunity=deal.opportunity)
    assert quote.custom["po_number"] == "PO-77"

    edit = f"/quotes/{quote.pk}/edit/"
    assert 'value="PO-77"' in client.get(edit).content.decode()
    wrong = client.post(
        edit, {"language": "en", "contact": "", "terms": "", "cf_po_number": "PO-78", "cf_copies": "many"}
    )
    assert wrong.status_code == 422 and Quote.objects.get(pk=quote.pk).custom["po_number"] == "PO-77"
    client.post(edit, {"language": "en", "contact": "", "terms": "", "cf_po_number": "PO-78", "cf_copies": "3"})
    assert Quote.objects.get(pk=quote.pk).custom["po_number"] == "PO-78"
