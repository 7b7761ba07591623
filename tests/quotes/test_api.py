"""`/api/v1/quotes`: a draft from an opportunity with hand-computed totals, lines changing them,
the approval path to a sent e-mail with its PDF, returning, versions, the customer's answer, who sees
what, the list's filters and orders with pinned query counts, the PDF, and bad input that changes
nothing.

The deal (tests/quotes/conftest.py): 3 pumps at 100.00 (23 % tax) and 10 valves at 9.99 less 5 %
(8 % tax). By hand, half up to the cent, tax once per rate (decision 0011):
    pumps   gross 300.00  net 300.00
    valves  gross  99.90  net  94.91   (99.90 x 0.95 = 94.905)
    subtotal 399.90, discounts 4.99, net 394.91
    tax 23 %: 300.00 x 0.23 = 69.00;  tax 8 %: 94.91 x 0.08 = 7.5928 → 7.59;  tax 76.59
    total 394.91 + 76.59 = 471.50
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from rapport.pipeline.models import Opportunity
from rapport.pipeline.services.opportunities import opportunity_create
from rapport.quotes.models import Quote, QuoteLine, QuoteStatus
from rapport.quotes.services import quote_create, quote_line_add, quote_mark_sent
from rapport.quotes.services.common import (
    LINE_DISCOUNT_TOO_HIGH,
    NEEDS_APPROVAL,
    NOT_EDITABLE,
    REASON_REQUIRED,
    TOTAL_DISCOUNT_TOO_HIGH,
    WRONG_STATUS,
)
from tests.api.conftest import ApiClient, assert_problem, token_for
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db

QUOTE_CONTRACT = {"id", "number", "version", "status", "currency", "subtotal", "tax", "total", "root"}
HEADER = QUOTE_CONTRACT | {
    "discount_total",
    "net_total",
    "taxes",
    "opportunity",
    "account",
    "contact",
    "owner",
    "language",
    "valid_until",
    "terms",
    "custom_fields",
    "submitted_at",
    "approved_by",
    "approved_at",
    "return_reason",
    "sent_at",
    "closed_at",
    "decision_note",
    "created_by",
    "created_at",
    "updated_at",
}
NUMBER = re.compile(r"^Q-(\d{4})-\d{5}$")

# token, rights, team paths, custom fields (cf_ filters), count, page
LIST_QUERIES = 6
# token, rights, team paths, the quote (with opportunity, account, contact, owner), its lines, their
# products, the versions of its series
DETAIL_QUERIES = 7


@pytest.fixture
def sales_api(org) -> ApiClient:
    return ApiClient(token_for(org.salesperson))


@pytest.fixture
def manager_api(org) -> ApiClient:
    return ApiClient(token_for(org.emea_manager))


@pytest.fixture
def outsider_api(org) -> ApiClient:
    """A salesperson of another team: sees none of the Poland team's deals."""
    return ApiClient(token_for(org.other_salesperson))


@pytest.fixture
def created(sales_api, deal) -> dict[str, Any]:
    response = sales_api.post("quotes", {"opportunity": deal.opportunity.pk, "language": "pl"})
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def totals(body: dict[str, Any]) -> tuple[str, ...]:
    return (body["subtotal"], body["discount_total"], body["net_total"], body["tax"], body["total"])


def stored(quote_id: int) -> dict[str, Any]:
    row: dict[str, Any] = dict(Quote.objects.filter(pk=quote_id).values().get())
    row["lines"] = list(QuoteLine.objects.filter(quote_id=quote_id).order_by("pk").values())
    return row


def deal_of(owner, name: str = "Another deal") -> Opportunity:
    account = AccountFactory.create(owner=owner)
    return opportunity_create(actor=owner, name=name, account=account.pk)


# --- creating from an opportunity ------------------------------------------------------------------


def test_a_draft_from_the_opportunity_copies_its_lines_and_adds_up(org, deal, created):
    body = created
    assert set(body) >= HEADER | {"lines", "versions"}
    assert body["status"] == "draft" and body["version"] == 1 and body["root"] == body["id"]
    found = NUMBER.match(body["number"])
    assert found and int(found.group(1)) == timezone.localdate().year
    assert (body["opportunity"], body["account"], body["owner"]) == (
        deal.opportunity.pk,
        deal.account.pk,
        org.salesperson.pk,
    )
    assert body["contact"] == deal.buyer.pk and body["currency"] == "EUR" and body["language"] == "pl"
    assert body["created_by"] == org.salesperson.pk

    lines = [
        (line["product"], line["quantity"], line["unit_price"], line["discount"], line["tax_rate"],
         line["gross_amount"], line["net_amount"])
        for line in body["lines"]
    ]  # fmt: skip
    assert lines == [
        (deal.pump.pk, "3.000", "100.00", "0.00", "23.00", "300.00", "300.00"),
        (deal.valve.pk, "10.000", "9.99", "5.00", "8.00", "99.90", "94.91"),
    ]
    assert totals(body) == ("399.90", "4.99", "394.91", "76.59", "471.50")
    assert body["taxes"] == [
        {"rate": "8.00", "net": "94.91", "tax": "7.59"},
        {"rate": "23.00", "net": "300.00", "tax": "69.00"},
    ]
    assert body["versions"] == [{"id": body["id"], "version": 1, "status": "draft", "number": body["number"]}]


def test_create_takes_the_optional_header(sales_api, org, deal):
    other = ContactFactory.create(owner=org.salesperson, account=deal.account)
    day = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = sales_api.post(
        "quotes",
        {"opportunity": deal.opportunity.pk, "language": "zh-hant", "contact": other.pk, "valid_until": day,
         "terms": "Payment in 14 days"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["language"], body["contact"], body["valid_until"], body["terms"]) == (
        "zh-hant",
        other.pk,
        day,
        "Payment in 14 days",
    )
    without = sales_api.post("quotes", {"opportunity": deal.opportunity.pk, "contact": None}).json()
    assert without["contact"] is None and without["language"] == "en"
    assert NUMBER.match(without["number"]) and without["number"] != body["number"]


@pytest.mark.parametrize("language", ["de", "EN_GB", "", 1])
def test_an_unknown_language_is_refused(sales_api, deal, language):
    response = sales_api.post("quotes", {"opportunity": deal.opportunity.pk, "language": language})
    assert_problem(response, 422, {"language"})
    assert not Quote.objects.exists()


def test_create_refuses_wrong_and_hidden_opportunities(sales_api, org, deal):
    hidden = deal_of(org.other_salesperson)
    for value in ("abc", 1.5, 2**64, 0, None):
        assert_problem(sales_api.post("quotes", {"opportunity": value}), 422, {"opportunity"})
    assert_problem(sales_api.post("quotes", {}), 422, {"opportunity"})
    assert_problem(sales_api.post("quotes", {"opportunity": hidden.pk}), 422, {"opportunity"})
    assert_problem(sales_api.post("quotes", {"opportunity": 987654321}), 422, {"opportunity"})
    other_contact = ContactFactory.create(owner=org.other_salesperson)
    body = {"opportunity": deal.opportunity.pk, "contact": other_contact.pk}
    assert_problem(sales_api.post("quotes", body), 422, {"contact"})
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert_problem(
        sales_api.post("quotes", {"opportunity": deal.opportunity.pk, "valid_until": past}), 422, {"valid_until"}
    )
    assert_problem(sales_api.post("quotes", {"opportunity": deal.opportunity.pk, "custom_fields": {"x": 1}}), 422)
    assert not Quote.objects.exists()
    # A role that may not create quotes
    executive = ApiClient(token_for(org.executive))
    assert_problem(executive.post("quotes", {"opportunity": deal.opportunity.pk}), 403)
    assert not Quote.objects.exists()


# --- the header and lines ---------------------------------------------------------------------------


def test_editing_lines_changes_the_totals(sales_api, created):
    quote_id = created["id"]
    pumps, valves = created["lines"]
    changed = sales_api.patch(f"quotes/{quote_id}/lines/{pumps['id']}", {"quantity": "4"})
    assert changed.status_code == 200, changed.content
    # pumps 400.00; subtotal 499.90; net 494.91; tax 92.00 + 7.59
    assert totals(changed.json()) == ("499.90", "4.99", "494.91", "99.59", "594.50")
    assert changed.json()["lines"][0]["gross_amount"] == "400.00"

    added = sales_api.post(
        f"quotes/{quote_id}/lines", {"description": "Installation", "unit_price": "250", "tax_rate": "23"}
    )
    assert added.status_code == 201, added.content
    body = added.json()
    new = body["lines"][-1]
    assert (new["product"], new["description"], new["quantity"], new["net_amount"]) == (
        None,
        "Installation",
        "1.000",
        "250.00",
    )
    # 23 %: (400 + 250) x 0.23 = 149.50; 8 %: 7.59
    assert totals(body) == ("749.90", "4.99", "744.91", "157.09", "902.00")
    assert body["taxes"][1] == {"rate": "23.00", "net": "650.00", "tax": "149.50"}

    removed = sales_api.delete(f"quotes/{quote_id}/lines/{new['id']}")
    assert removed.status_code == 200, removed.content
    assert [line["id"] for line in removed.json()["lines"]] == [pumps["id"], valves["id"]]
    assert totals(removed.json()) == ("499.90", "4.99", "494.91", "99.59", "594.50")
    assert sales_api.get(f"quotes/{quote_id}").json()["total"] == "594.50"


def test_a_product_line_takes_its_price_and_tax_rate(sales_api, deal, created):
    body = sales_api.post(f"quotes/{created['id']}/lines", {"product": deal.pump.pk, "quantity": "2"}).json()
    line = body["lines"][-1]
    assert (line["unit_price"], line["tax_rate"], line["net_amount"]) == ("100.00", "23.00", "200.00")


def test_the_header_changes(sales_api, org, deal, created):
    quote_id = created["id"]
    other = ContactFactory.create(owner=org.salesperson, account=deal.account)
    day = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    response = sales_api.patch(
        f"quotes/{quote_id}", {"contact": other.pk, "language": "id", "valid_until": day, "terms": " Net 30 "}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["contact"], body["language"], body["valid_until"], body["terms"]) == (other.pk, "id", day, "Net 30")
    assert sales_api.patch(f"quotes/{quote_id}", {"contact": None}).json()["contact"] is None
    assert_problem(sales_api.patch(f"quotes/{quote_id}", {"language": None}), 422, {"language"})
    assert_problem(sales_api.patch(f"quotes/{quote_id}", {"language": "fr"}), 422, {"language"})
    assert_problem(sales_api.patch(f"quotes/{quote_id}", {"valid_until": "soon"}), 422, {"valid_until"})
    assert Quote.objects.get(pk=quote_id).language == "id"


BAD_LINES = [
    ({"description": "X", "unit_price": "1", "quantity": "many"}, "quantity"),
    ({"description": "X", "unit_price": "1", "quantity": 1.5}, "quantity"),
    ({"description": "X", "unit_price": "1", "quantity": "0"}, "quantity"),
    ({"description": "X", "unit_price": "1", "quantity": "-2"}, "quantity"),
    ({"description": "X", "unit_price": "1", "quantity": "1.0005"}, "quantity"),
    ({"description": "X", "unit_price": 9.99}, "unit_price"),
    ({"description": "X", "unit_price": "9.999"}, "unit_price"),
    ({"description": "X", "unit_price": "1e30"}, "unit_price"),
    ({"description": "X", "unit_price": "NaN"}, "unit_price"),
    ({"description": "X", "unit_price": "1", "discount": "101"}, "discount"),
    ({"description": "X", "unit_price": "1", "tax_rate": True}, "tax_rate"),
    ({"product": 987654321}, "product"),
    ({"product": 2**63}, "product"),
    ({"product": "pump"}, "product"),
    ({"unit_price": "1"}, "product"),
    ({"description": "X" * 301, "unit_price": "1"}, "description"),
]


@pytest.mark.parametrize(("body", "field"), BAD_LINES)
def test_a_wrong_line_is_a_422_naming_its_field_and_changes_nothing(sales_api, created, body, field):
    before = stored(created["id"])
    assert_problem(sales_api.post(f"quotes/{created['id']}/lines", body), 422, {field})
    if field in body:  # the same wrong value in a change of a line
        line_id = created["lines"][0]["id"]
        patch = {field: body[field]}
        assert_problem(sales_api.patch(f"quotes/{created['id']}/lines/{line_id}", patch), 422, {field})
    assert stored(created["id"]) == before


def test_a_wrong_header_or_id_is_refused_and_changes_nothing(sales_api, org, created):
    quote_id = created["id"]
    line_id = created["lines"][0]["id"]
    before = stored(quote_id)
    theirs = ContactFactory.create(owner=org.other_salesperson)
    assert_problem(sales_api.patch(f"quotes/{quote_id}", {"contact": theirs.pk}), 422, {"contact"})
    assert_problem(sales_api.patch(f"quotes/{quote_id}", {"contact": 2**64}), 422, {"contact"})
    assert_problem(sales_api.patch(f"quotes/{quote_id}", {"contact": "Anna"}), 422, {"contact"})
    assert_problem(sales_api.patch(f"quotes/{quote_id}/lines/{line_id}", {"quantity": None}), 422, {"quantity"})
    assert_problem(sales_api.patch(f"quotes/{quote_id}/lines/999999999", {"quantity": "2"}), 404)
    huge = 2**70
    assert_problem(sales_api.get(f"quotes/{huge}"), 404)
    assert_problem(sales_api.patch(f"quotes/{huge}", {"terms": "x"}), 404)
    assert_problem(sales_api.patch(f"quotes/{quote_id}/lines/{huge}", {"quantity": "2"}), 404)
    assert_problem(sales_api.delete(f"quotes/{quote_id}/lines/{huge}"), 404)
    assert_problem(sales_api.post(f"quotes/{huge}/send", {}), 404)
    assert_problem(sales_api.get(f"quotes/{huge}/pdf"), 404)
    assert_problem(sales_api.post(f"quotes/{quote_id}/send", {"cc": "boss@example.com"}), 422, {"cc"})
    assert_problem(sales_api.post(f"quotes/{quote_id}/approve", {"note": "x" * 501}), 422, {"note"})
    assert stored(quote_id) == before


# --- the workflow -----------------------------------------------------------------------------------


def test_a_big_discount_needs_the_managers_approval_before_it_is_sent(org, deal, sales_api, manager_api, created):
    deal.buyer.email = "anna.nowak@kowalski.example"
    deal.buyer.save()
    quote_id = created["id"]
    pumps = created["lines"][0]
    sales_api.patch(f"quotes/{quote_id}/lines/{pumps['id']}", {"discount": "20"})

    refused = sales_api.post(f"quotes/{quote_id}/send", {})
    line = str(LINE_DISCOUNT_TOO_HIGH % {"position": 1, "discount": "20", "limit": "15"})
    whole = str(TOTAL_DISCOUNT_TOO_HIGH % {"discount": "16.25", "limit": "10"})  # 64.99 / 399.90
    message = str(NEEDS_APPROVAL % {"approver": org.emea_manager, "reasons": f"{line}; {whole}"})
    assert_problem(refused, 409, detail=message)
    assert mail.outbox == [] and Quote.objects.get(pk=quote_id).status == QuoteStatus.DRAFT

    submitted = sales_api.post(f"quotes/{quote_id}/submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "pending_approval" and submitted.json()["submitted_at"]
    assert_problem(sales_api.post(f"quotes/{quote_id}/approve", {}), 409)  # not their own
    assert_problem(sales_api.patch(f"quotes/{quote_id}", {"terms": "x"}), 409)  # waiting: read-only

    approved = manager_api.post(f"quotes/{quote_id}/approve", {"note": "Strategic customer"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"] == org.emea_manager.pk

    sent = sales_api.post(f"quotes/{quote_id}/send", {"cc": ["boss@kowalski.example"], "subject": "Our offer"})
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent" and sent.json()["sent_at"]
    [message_sent] = mail.outbox
    assert message_sent.to == ["anna.nowak@kowalski.example"] and message_sent.cc == ["boss@kowalski.example"]
    assert message_sent.subject == "Our offer"
    [(filename, content, media_type)] = message_sent.attachments
    assert media_type == "application/pdf" and filename.endswith(".pdf") and content.startswith(b"%PDF")
    assert_problem(sales_api.post(f"quotes/{quote_id}/send", {}), 409)  # sent already


def test_a_quote_within_the_limits_is_sent_without_a_body(sales_api, deal, created):
    deal.buyer.email = "buyer@kowalski.example"
    deal.buyer.save()
    # no body at all (the test client's post sends "{}")
    response = sales_api.client.post(f"/api/v1/quotes/{created['id']}/send", "", content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "sent" and len(mail.outbox) == 1


def test_without_an_address_sending_asks_for_one(sales_api, deal, created):
    deal.buyer.email = ""
    deal.buyer.save()
    assert_problem(sales_api.post(f"quotes/{created['id']}/send", {}), 422, {"to"})
    assert_problem(sales_api.post(f"quotes/{created['id']}/send", {"to": "not an address"}), 422, {"to"})
    assert Quote.objects.get(pk=created["id"]).status == QuoteStatus.DRAFT and mail.outbox == []


def test_returning_needs_a_reason(org, sales_api, manager_api, created):
    quote_id = created["id"]
    sales_api.patch(f"quotes/{quote_id}/lines/{created['lines'][0]['id']}", {"discount": "20"})
    sales_api.post(f"quotes/{quote_id}/submit")
    assert_problem(manager_api.post(f"quotes/{quote_id}/return", {}), 422, {"reason"})
    blank = assert_problem(manager_api.post(f"quotes/{quote_id}/return", {"reason": "  "}), 422, {"reason"})
    assert blank["errors"]["reason"] == [str(REASON_REQUIRED)]
    assert Quote.objects.get(pk=quote_id).status == QuoteStatus.PENDING_APPROVAL

    returned = manager_api.post(f"quotes/{quote_id}/return", {"reason": "20 % is too much"})
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned" and returned.json()["return_reason"] == "20 % is too much"
    # editable again
    assert sales_api.patch(f"quotes/{quote_id}", {"terms": "Revised"}).json()["terms"] == "Revised"


def test_revising_makes_version_2_and_supersedes_version_1(org, sales_api, created):
    first_id = created["id"]
    quote_mark_sent(actor=org.salesperson, quote_id=first_id)
    response = sales_api.post(f"quotes/{first_id}/revise")
    assert response.status_code == 201, response.content
    second = response.json()
    assert second["id"] != first_id and second["version"] == 2 and second["status"] == "draft"
    assert second["number"] == f"{created['number']}/2" and second["root"] == first_id
    assert totals(second) == totals(created) and len(second["lines"]) == 2
    assert [(v["id"], v["version"], v["status"], v["number"]) for v in second["versions"]] == [
        (first_id, 1, "superseded", created["number"]),
        (second["id"], 2, "draft", f"{created['number']}/2"),
    ]

    first = sales_api.get(f"quotes/{first_id}").json()
    assert first["status"] == "superseded" and [v["id"] for v in first["versions"]] == [first_id, second["id"]]
    before = stored(first_id)
    refused = sales_api.patch(f"quotes/{first_id}", {"terms": "Changed"})
    assert_problem(refused, 409, detail=str(NOT_EDITABLE % {"status": "superseded"}))
    line_id = created["lines"][0]["id"]
    assert_problem(sales_api.patch(f"quotes/{first_id}/lines/{line_id}", {"quantity": "9"}), 409)
    assert_problem(sales_api.delete(f"quotes/{first_id}/lines/{line_id}"), 409)
    assert_problem(sales_api.post(f"quotes/{first_id}/revise"), 409)
    assert stored(first_id) == before

    listed = sales_api.get("quotes", q=second["number"]).json()
    assert [item["id"] for item in listed["items"]] == [second["id"]]


def test_accepting_gives_the_opportunity_the_quotes_amount(org, deal, sales_api, created):
    quote_id = created["id"]
    sales_api.patch(f"quotes/{quote_id}/lines/{created['lines'][0]['id']}", {"quantity": "4"})
    assert_problem(
        sales_api.post(f"quotes/{quote_id}/accept", {}),
        409,
        detail=str(WRONG_STATUS % {"status": "draft", "action": "accepted"}),
    )
    quote_mark_sent(actor=org.salesperson, quote_id=quote_id)
    accepted = sales_api.post(f"quotes/{quote_id}/accept", {"note": "Signed by phone"})
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["status"] == "accepted" and body["decision_note"] == "Signed by phone" and body["closed_at"]
    opportunity = Opportunity.objects.get(pk=deal.opportunity.pk)
    assert opportunity.amount_amount == Decimal("494.91")  # the net total: 400.00 + 94.91
    assert [(line.quantity, line.unit_price) for line in opportunity.lines.order_by("position")] == [
        (Decimal("4"), Decimal("100")),
        (Decimal("10"), Decimal("9.99")),
    ]


def test_rejecting_needs_no_note(org, sales_api, created):
    quote_mark_sent(actor=org.salesperson, quote_id=created["id"])
    response = sales_api.post(f"quotes/{created['id']}/reject")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected" and response.json()["decision_note"] == ""


# --- the PDF ----------------------------------------------------------------------------------------


def test_the_pdf_is_inline_or_a_download(sales_api, created):
    response = sales_api.get(f"quotes/{created['id']}/pdf")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    filename = created["number"] + ".pdf"
    assert response["Content-Disposition"] == f'inline; filename="{filename}"'
    download = sales_api.get(f"quotes/{created['id']}/pdf", download="1")
    assert download["Content-Disposition"] == f'attachment; filename="{filename}"'


# --- who sees what ----------------------------------------------------------------------------------


def test_another_teams_salesperson_finds_nothing(org, deal, outsider_api, created):
    quote_id = created["id"]
    line_id = created["lines"][0]["id"]
    before = stored(quote_id)
    assert_problem(outsider_api.get(f"quotes/{quote_id}"), 404)
    assert_problem(outsider_api.patch(f"quotes/{quote_id}", {"terms": "Mine"}), 404)
    assert_problem(outsider_api.get(f"quotes/{quote_id}/pdf"), 404)
    assert_problem(outsider_api.post(f"quotes/{quote_id}/send", {"to": "me@example.com"}), 404)
    assert_problem(outsider_api.post(f"quotes/{quote_id}/lines", {"description": "X", "unit_price": "1"}), 404)
    assert_problem(outsider_api.patch(f"quotes/{quote_id}/lines/{line_id}", {"quantity": "9"}), 404)
    assert_problem(outsider_api.delete(f"quotes/{quote_id}/lines/{line_id}"), 404)
    for action in ("submit", "approve", "accept", "reject", "revise"):
        assert_problem(outsider_api.post(f"quotes/{quote_id}/{action}", {}), 404)
    assert_problem(outsider_api.post(f"quotes/{quote_id}/return", {"reason": "No"}), 404)
    assert outsider_api.get("quotes").json() == {"items": [], "count": 0}
    assert outsider_api.get("quotes", opportunity=deal.opportunity.pk).json()["count"] == 0
    assert stored(quote_id) == before and mail.outbox == []


def test_a_reader_sees_but_may_not_write(org, created):
    executive = ApiClient(token_for(org.executive))
    assert executive.get(f"quotes/{created['id']}").status_code == 200
    assert executive.get("quotes").json()["count"] == 1
    assert_problem(executive.patch(f"quotes/{created['id']}", {"terms": "Mine"}), 403)
    assert_problem(executive.post(f"quotes/{created['id']}/lines", {"description": "X", "unit_price": "1"}), 403)
    assert_problem(executive.post(f"quotes/{created['id']}/send", {}), 403)


def test_a_browser_session_reads_the_list(org, client_for, created):
    response = client_for(org.salesperson).get("/api/v1/quotes")
    assert response.status_code == 200 and response.json()["count"] == 1


# --- the list ---------------------------------------------------------------------------------------


def test_list_filters_and_orders(org, deal, manager_api, sales_api):
    """As the salespeople's manager (team scope): the outsider's quote never shows."""
    theirs = deal_of(org.colleague)
    hidden = deal_of(org.other_salesperson)
    a = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)  # lines: total 471.50
    b = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    c = quote_create(actor=org.colleague, opportunity_id=theirs.pk)
    quote_line_add(actor=org.colleague, quote_id=c.pk, data={"description": "Study", "unit_price": "1000"})
    quote_create(actor=org.other_salesperson, opportunity_id=hidden.pk)
    now = timezone.now()
    Quote.objects.filter(pk=a.pk).update(created_at=now - dt.timedelta(days=10), status=QuoteStatus.SENT)
    Quote.objects.filter(pk=b.pk).update(created_at=now - dt.timedelta(days=5), total=Decimal("5.00"))
    Quote.objects.filter(pk=c.pk).update(valid_until=timezone.localdate() + dt.timedelta(days=1))

    def ids(client: ApiClient = manager_api, **params: Any) -> list[int]:
        response = client.get("quotes", **params)
        assert response.status_code == 200, response.content
        items = response.json()["items"]
        assert all(set(item) == HEADER for item in items)  # the header: no lines
        return [item["id"] for item in items]

    assert ids() == [c.pk, b.pk, a.pk]
    assert ids(ordering="created") == [a.pk, b.pk, c.pk]
    assert ids(ordering="number") == [a.pk, b.pk, c.pk]
    assert ids(ordering="-number") == [c.pk, b.pk, a.pk]
    assert ids(ordering="-total") == [c.pk, a.pk, b.pk]  # 1000.00, 471.50, 5.00
    assert ids(ordering="valid_until") == [c.pk, a.pk, b.pk]
    assert ids(ordering="status") == [b.pk, c.pk, a.pk]  # draft, draft, sent
    assert ids(status="sent") == [a.pk]
    assert ids(status=["sent", "draft"]) == [c.pk, b.pk, a.pk]
    assert ids(status="draft,sent", owner=str(org.salesperson.pk)) == [b.pk, a.pk]
    assert ids(sales_api, owner="me") == [b.pk, a.pk]
    assert ids(opportunity=theirs.pk) == [c.pk]
    assert ids(account=deal.account.pk) == [b.pk, a.pk]
    today = timezone.localdate()
    assert ids(created_from=(today - dt.timedelta(days=6)).isoformat()) == [c.pk, b.pk]
    assert ids(created_to=(today - dt.timedelta(days=5)).isoformat()) == [b.pk, a.pk]
    assert ids(created_from="0001-01-01", created_to="9999-12-31") == [c.pk, b.pk, a.pk]
    assert ids(q=c.number) == [c.pk]
    assert ids(q=c.number.lower()) == [c.pk]
    assert ids(q=c.number[:-1]) == [c.pk, b.pk, a.pk]
    assert ids(q="X-") == [] and ids(q=f"{a.number}/²") == [] and ids(q=f"{a.number}/1") == [a.pk]
    page = manager_api.get("quotes", limit=2, page=2, ordering="number").json()
    assert page["count"] == 3 and [item["id"] for item in page["items"]] == [c.pk]
    assert_problem(manager_api.get("quotes", ordering="colour"), 422, {"ordering"})
    assert_problem(manager_api.get("quotes", status="won"), 422, {"status"})
    assert_problem(manager_api.get("quotes", created_from="soon"), 422, {"created_from"})
    assert_problem(manager_api.get("quotes", owner=str(2**64)), 422, {"owner"})
    assert_problem(manager_api.get("quotes", opportunity="x"), 422, {"opportunity"})


# --- query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_list_queries_do_not_grow(org, deal, manager_api, django_assert_num_queries, rows):
    theirs = deal_of(org.colleague)
    for i in range(rows):
        owner, opportunity = (org.salesperson, deal.opportunity) if i % 2 else (org.colleague, theirs)
        quote_create(actor=owner, opportunity_id=opportunity.pk)
    with django_assert_num_queries(LIST_QUERIES):
        body = manager_api.get("quotes", limit=50).json()
    assert body["count"] == rows and len(body["items"]) == rows


@pytest.mark.parametrize("lines", [1, 15])
def test_detail_queries_do_not_grow(org, deal, manager_api, django_assert_num_queries, lines):
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    for i in range(lines):
        quote_line_add(actor=org.salesperson, quote_id=quote.pk, data={"product": deal.pump.pk, "quantity": i + 1})
    with django_assert_num_queries(DETAIL_QUERIES):
        body = manager_api.get(f"quotes/{quote.pk}").json()
    assert len(body["lines"]) == lines + 2
