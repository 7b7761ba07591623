"""Every API route with a record id in its path, called by someone who must not see the record.

Hidden records answer 404; organisation data everyone may read (users, teams, territories, custom
field definitions) answers 200 to a read and 403 to a write. Nothing in the database changes. A new
route with an id fails `test_every_id_route_is_walked` until it is added to `CASES` below.
Someone who sees a lead but may not change it (an executive) gets 403 from every lead write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

import pytest

from rapport.activities.models import ActivityType
from rapport.activities.services import activity_create
from rapport.catalog.models import PriceBook, Product
from rapport.config.api import api
from rapport.core.models import CustomField, Job, User
from rapport.core.services.customfields import custom_field_create
from rapport.core.services.tokens import token_issue
from rapport.customers.exports import export_start
from rapport.customers.models import Account, AccountContact
from rapport.leads.models import Lead
from rapport.pipeline.models import Pipeline
from rapport.pipeline.services.opportunities import opportunity_create
from rapport.pipeline.services.parts import line_add
from rapport.quotes.services import quote_create
from tests.api.conftest import API, ApiClient, assert_problem, db_snapshot, token_for
from tests.factories import AccountFactory, ContactFactory, LeadFactory, TerritoryFactory


def id_routes() -> set[tuple[str, str]]:
    """(METHOD, path) of every operation whose path holds a parameter, from Ninja's own routers."""
    routes: set[tuple[str, str]] = set()
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            full = "/" + f"{bound.prefix}/{path}".strip("/").replace("//", "/")
            if "{" not in full:
                continue
            for operation in view.operations:
                for method in operation.methods:
                    routes.add((method.upper(), re.sub(r"\{\w+:(\w+)\}", r"{\1}", full)))
    return routes


@dataclass
class Scene:
    """Records of the Poland team (the salesperson's), and one record of the outsider's own."""

    account: Account
    other_account: Account
    contact: Any
    user: User
    team_id: int
    territory_id: int
    field: CustomField
    job: Job
    token_id: int
    own_account: Account
    lead: Lead
    own_lead: Lead
    #: the pipeline module's records: opportunity, line (of the salesperson's), product, price book, pipeline, stage
    ids: dict[str, int] = dataclass_field(default_factory=dict)


def _scene(org: Any) -> Scene:
    account = AccountFactory.create(owner=org.salesperson, name="Hidden")
    other_account = AccountFactory.create(owner=org.salesperson, name="Hidden too")
    contact = ContactFactory.create(owner=org.salesperson, account=account)
    AccountContact.objects.create(account=account, contact=contact)
    custom = custom_field_create(actor=org.admin, record_type="account", key="tier", label="Tier", field_type="text")
    job = export_start(actor=org.salesperson, record_type="account", params={}, file_format="csv")
    token, _clear = token_issue(actor=org.salesperson, name="theirs")
    return Scene(
        account=account,
        other_account=other_account,
        contact=contact,
        user=org.colleague,
        team_id=org.poland.pk,
        territory_id=TerritoryFactory.create(name="Poland").pk,
        field=custom,
        job=job,
        token_id=token.pk,
        own_account=AccountFactory.create(owner=org.other_salesperson, name="Outsider's own"),
        lead=LeadFactory.create(owner=org.salesperson, last_name="Hidden", email="hidden@example.com"),
        own_lead=LeadFactory.create(owner=org.other_salesperson, last_name="Outsider's own"),
        ids=_pipeline_records(org, account),
    )


def _pipeline_records(org: Any, account: Account) -> dict[str, int]:
    product = Product.objects.create(
        sku="RW-1", name="Pump", list_price_amount=Decimal("10"), list_price_currency_id="EUR"
    )
    opportunity = opportunity_create(actor=org.salesperson, name="Hidden deal", account=account.pk)
    line = line_add(actor=org.salesperson, opportunity_id=opportunity.pk, data={"product": product.pk})
    pipeline = Pipeline.objects.get(name="Sales")
    meeting = ActivityType.objects.get(code="meeting")
    activity = activity_create(
        actor=org.salesperson,
        type=meeting.pk,
        subject="Hidden meeting",
        due_date="2026-01-12",
        related_type="opportunity",
        related_id=opportunity.pk,
    )
    quote = quote_create(actor=org.salesperson, opportunity_id=opportunity.pk)
    return {
        "quote": quote.pk,
        "quote_line": quote.lines.get().pk,
        "activity": activity.pk,
        "activity_type": meeting.pk,
        "opportunity": opportunity.pk,
        "line": line.pk,
        "product": product.pk,
        "price_book": PriceBook.objects.create(name="General", currency_id="EUR").pk,
        "pipeline": pipeline.pk,
        "stage": pipeline.stages.get(name="Qualification").pk,
    }


HIDDEN, READ_OK, FORBIDDEN = {404}, {200}, {403}

#: (METHOD, path) → (concrete path, JSON body, the statuses allowed)
Case = Callable[[Scene], tuple[str, Any, set[int]]]
CASES: dict[tuple[str, str], Case] = {
    ("GET", "/accounts/{account_id}"): lambda s: (f"accounts/{s.account.pk}", None, HIDDEN),
    ("PATCH", "/accounts/{account_id}"): lambda s: (f"accounts/{s.account.pk}", {"name": "Taken over"}, HIDDEN),
    ("DELETE", "/accounts/{account_id}"): lambda s: (f"accounts/{s.account.pk}", None, HIDDEN),
    ("POST", "/accounts/{account_id}/merge"): lambda s: (
        f"accounts/{s.account.pk}/merge",
        {"duplicate": s.own_account.pk},
        HIDDEN,
    ),
    ("GET", "/accounts/{account_id}/history"): lambda s: (f"accounts/{s.account.pk}/history", None, HIDDEN),
    ("GET", "/contacts/{contact_id}"): lambda s: (f"contacts/{s.contact.pk}", None, HIDDEN),
    ("PATCH", "/contacts/{contact_id}"): lambda s: (
        f"contacts/{s.contact.pk}",
        {"last_name": "Taken over", "owner": None},
        HIDDEN,
    ),
    ("DELETE", "/contacts/{contact_id}"): lambda s: (f"contacts/{s.contact.pk}", None, HIDDEN),
    ("POST", "/contacts/{contact_id}/accounts"): lambda s: (
        f"contacts/{s.contact.pk}/accounts",
        {"account": s.own_account.pk, "purchase_role": "champion"},
        HIDDEN,
    ),
    ("DELETE", "/contacts/{contact_id}/accounts/{account_id}"): lambda s: (
        f"contacts/{s.contact.pk}/accounts/{s.account.pk}",
        None,
        HIDDEN,
    ),
    ("GET", "/contacts/{contact_id}/history"): lambda s: (f"contacts/{s.contact.pk}/history", None, HIDDEN),
    ("GET", "/contacts/{contact_id}/vcard"): lambda s: (f"contacts/{s.contact.pk}/vcard", None, HIDDEN),
    ("GET", "/leads/{lead_id}"): lambda s: (f"leads/{s.lead.pk}", None, HIDDEN),
    ("PATCH", "/leads/{lead_id}"): lambda s: (f"leads/{s.lead.pk}", {"last_name": "Taken over"}, HIDDEN),
    ("DELETE", "/leads/{lead_id}"): lambda s: (f"leads/{s.lead.pk}", None, HIDDEN),
    ("GET", "/leads/{lead_id}/history"): lambda s: (f"leads/{s.lead.pk}/history", None, HIDDEN),
    ("GET", "/leads/{lead_id}/duplicates"): lambda s: (f"leads/{s.lead.pk}/duplicates", None, HIDDEN),
    ("POST", "/leads/{lead_id}/status"): lambda s: (f"leads/{s.lead.pk}/status", {"status": "contacted"}, HIDDEN),
    ("POST", "/leads/{lead_id}/qualify"): lambda s: (f"leads/{s.lead.pk}/qualify", None, HIDDEN),
    ("POST", "/leads/{lead_id}/disqualify"): lambda s: (f"leads/{s.lead.pk}/disqualify", {"reason": "X"}, HIDDEN),
    ("PUT", "/leads/{lead_id}/qualification"): lambda s: (
        f"leads/{s.lead.pk}/qualification",
        {"criteria": {"budget": True}},
        HIDDEN,
    ),
    ("POST", "/leads/{lead_id}/convert"): lambda s: (f"leads/{s.lead.pk}/convert", {}, HIDDEN),
    ("POST", "/leads/{lead_id}/merge"): lambda s: (
        f"leads/{s.lead.pk}/merge",
        {"duplicate": s.own_lead.pk, "take_from_duplicate": ["last_name"]},
        HIDDEN,
    ),
    ("GET", "/jobs/{job_id}"): lambda s: (f"jobs/{s.job.pk}", None, HIDDEN),
    ("GET", "/jobs/{job_id}/download"): lambda s: (f"jobs/{s.job.pk}/download", None, HIDDEN),
    ("DELETE", "/users/me/tokens/{token_id}"): lambda s: (f"users/me/tokens/{s.token_id}", None, HIDDEN),
    # Organisation data: readable by everyone, writable by administrators only.
    ("GET", "/users/{user_id}"): lambda s: (f"users/{s.user.pk}", None, READ_OK),
    ("PATCH", "/users/{user_id}"): lambda s: (f"users/{s.user.pk}", {"role": "administrator"}, FORBIDDEN),
    ("GET", "/teams/{team_id}"): lambda s: (f"teams/{s.team_id}", None, READ_OK),
    ("PATCH", "/teams/{team_id}"): lambda s: (f"teams/{s.team_id}", {"name": "Taken over"}, FORBIDDEN),
    ("DELETE", "/teams/{team_id}"): lambda s: (f"teams/{s.team_id}", None, FORBIDDEN),
    ("GET", "/territories/{territory_id}"): lambda s: (f"territories/{s.territory_id}", None, READ_OK),
    ("PATCH", "/territories/{territory_id}"): lambda s: (f"territories/{s.territory_id}", {"name": "X"}, FORBIDDEN),
    ("DELETE", "/territories/{territory_id}"): lambda s: (f"territories/{s.territory_id}", None, FORBIDDEN),
    ("GET", "/custom-fields/{field_id}"): lambda s: (f"custom-fields/{s.field.pk}", None, READ_OK),
    ("PATCH", "/custom-fields/{field_id}"): lambda s: (f"custom-fields/{s.field.pk}", {"label": "X"}, FORBIDDEN),
    ("DELETE", "/custom-fields/{field_id}"): lambda s: (f"custom-fields/{s.field.pk}", None, FORBIDDEN),
    # Opportunities: hidden like leads, their product lines too.
    ("GET", "/opportunities/{opportunity_id}"): lambda s: (f"opportunities/{s.ids['opportunity']}", None, HIDDEN),
    ("PATCH", "/opportunities/{opportunity_id}"): lambda s: (
        f"opportunities/{s.ids['opportunity']}",
        {"name": "Taken over"},
        HIDDEN,
    ),
    ("DELETE", "/opportunities/{opportunity_id}"): lambda s: (f"opportunities/{s.ids['opportunity']}", None, HIDDEN),
    ("POST", "/opportunities/{opportunity_id}/move"): lambda s: (
        f"opportunities/{s.ids['opportunity']}/move",
        {"stage": s.ids["stage"]},
        HIDDEN,
    ),
    ("GET", "/opportunities/{opportunity_id}/history"): lambda s: (
        f"opportunities/{s.ids['opportunity']}/history",
        None,
        HIDDEN,
    ),
    ("POST", "/opportunities/{opportunity_id}/lines"): lambda s: (
        f"opportunities/{s.ids['opportunity']}/lines",
        {"product": s.ids["product"]},
        HIDDEN,
    ),
    ("PATCH", "/opportunities/{opportunity_id}/lines/{line_id}"): lambda s: (
        f"opportunities/{s.ids['opportunity']}/lines/{s.ids['line']}",
        {"quantity": "9"},
        HIDDEN,
    ),
    ("DELETE", "/opportunities/{opportunity_id}/lines/{line_id}"): lambda s: (
        f"opportunities/{s.ids['opportunity']}/lines/{s.ids['line']}",
        None,
        HIDDEN,
    ),
    # Quotes: hidden with their opportunity, on every route (the PDF and sending too).
    ("GET", "/quotes/{quote_id}"): lambda s: (f"quotes/{s.ids['quote']}", None, HIDDEN),
    ("PATCH", "/quotes/{quote_id}"): lambda s: (f"quotes/{s.ids['quote']}", {"terms": "Taken over"}, HIDDEN),
    ("GET", "/quotes/{quote_id}/pdf"): lambda s: (f"quotes/{s.ids['quote']}/pdf", None, HIDDEN),
    ("POST", "/quotes/{quote_id}/lines"): lambda s: (
        f"quotes/{s.ids['quote']}/lines",
        {"product": s.ids["product"]},
        HIDDEN,
    ),
    ("PATCH", "/quotes/{quote_id}/lines/{line_id}"): lambda s: (
        f"quotes/{s.ids['quote']}/lines/{s.ids['quote_line']}",
        {"quantity": "9"},
        HIDDEN,
    ),
    ("DELETE", "/quotes/{quote_id}/lines/{line_id}"): lambda s: (
        f"quotes/{s.ids['quote']}/lines/{s.ids['quote_line']}",
        None,
        HIDDEN,
    ),
    ("POST", "/quotes/{quote_id}/submit"): lambda s: (f"quotes/{s.ids['quote']}/submit", None, HIDDEN),
    ("POST", "/quotes/{quote_id}/approve"): lambda s: (f"quotes/{s.ids['quote']}/approve", {}, HIDDEN),
    ("POST", "/quotes/{quote_id}/return"): lambda s: (f"quotes/{s.ids['quote']}/return", {"reason": "No"}, HIDDEN),
    ("POST", "/quotes/{quote_id}/send"): lambda s: (
        f"quotes/{s.ids['quote']}/send",
        {"to": "outsider@example.com"},
        HIDDEN,
    ),
    ("POST", "/quotes/{quote_id}/accept"): lambda s: (f"quotes/{s.ids['quote']}/accept", {}, HIDDEN),
    ("POST", "/quotes/{quote_id}/reject"): lambda s: (f"quotes/{s.ids['quote']}/reject", {}, HIDDEN),
    ("POST", "/quotes/{quote_id}/revise"): lambda s: (f"quotes/{s.ids['quote']}/revise", None, HIDDEN),
    # Pipelines and the catalogue: readable by everyone, writable by administrators only.
    ("GET", "/pipelines/{pipeline_id}"): lambda s: (f"pipelines/{s.ids['pipeline']}", None, READ_OK),
    ("PATCH", "/pipelines/{pipeline_id}"): lambda s: (f"pipelines/{s.ids['pipeline']}", {"name": "X"}, FORBIDDEN),
    ("DELETE", "/pipelines/{pipeline_id}"): lambda s: (f"pipelines/{s.ids['pipeline']}", None, FORBIDDEN),
    ("GET", "/pipelines/{pipeline_id}/stages"): lambda s: (f"pipelines/{s.ids['pipeline']}/stages", None, READ_OK),
    ("POST", "/pipelines/{pipeline_id}/stages"): lambda s: (
        f"pipelines/{s.ids['pipeline']}/stages",
        {"name": "Mine"},
        FORBIDDEN,
    ),
    ("GET", "/pipelines/{pipeline_id}/stages/{stage_id}"): lambda s: (
        f"pipelines/{s.ids['pipeline']}/stages/{s.ids['stage']}",
        None,
        READ_OK,
    ),
    ("PATCH", "/pipelines/{pipeline_id}/stages/{stage_id}"): lambda s: (
        f"pipelines/{s.ids['pipeline']}/stages/{s.ids['stage']}",
        {"probability": "99"},
        FORBIDDEN,
    ),
    ("DELETE", "/pipelines/{pipeline_id}/stages/{stage_id}"): lambda s: (
        f"pipelines/{s.ids['pipeline']}/stages/{s.ids['stage']}",
        None,
        FORBIDDEN,
    ),
    # Activities: hidden like the records they are about; their types are organisation data.
    ("GET", "/activities/{activity_id}"): lambda s: (f"activities/{s.ids['activity']}", None, HIDDEN),
    ("PATCH", "/activities/{activity_id}"): lambda s: (
        f"activities/{s.ids['activity']}",
        {"subject": "Taken over", "owner": s.user.pk},
        HIDDEN,
    ),
    ("DELETE", "/activities/{activity_id}"): lambda s: (f"activities/{s.ids['activity']}", None, HIDDEN),
    ("POST", "/activities/{activity_id}/outcome"): lambda s: (
        f"activities/{s.ids['activity']}/outcome",
        {"code": "successful", "next": {"type": s.ids["activity_type"], "subject": "Next", "due_date": "2026-02-01"}},
        HIDDEN,
    ),
    ("POST", "/activities/{activity_id}/cancel"): lambda s: (f"activities/{s.ids['activity']}/cancel", {}, HIDDEN),
    ("GET", "/activity-types/{type_id}"): lambda s: (f"activity-types/{s.ids['activity_type']}", None, READ_OK),
    ("PATCH", "/activity-types/{type_id}"): lambda s: (
        f"activity-types/{s.ids['activity_type']}",
        {"outcome_required": False},
        FORBIDDEN,
    ),
    ("DELETE", "/activity-types/{type_id}"): lambda s: (f"activity-types/{s.ids['activity_type']}", None, FORBIDDEN),
    ("GET", "/products/{product_id}"): lambda s: (f"products/{s.ids['product']}", None, READ_OK),
    ("PATCH", "/products/{product_id}"): lambda s: (f"products/{s.ids['product']}", {"name": "X"}, FORBIDDEN),
    ("DELETE", "/products/{product_id}"): lambda s: (f"products/{s.ids['product']}", None, FORBIDDEN),
    ("GET", "/price-books/{price_book_id}"): lambda s: (f"price-books/{s.ids['price_book']}", None, READ_OK),
    ("PATCH", "/price-books/{price_book_id}"): lambda s: (
        f"price-books/{s.ids['price_book']}",
        {"name": "X"},
        FORBIDDEN,
    ),
    ("GET", "/price-books/{price_book_id}/entries"): lambda s: (
        f"price-books/{s.ids['price_book']}/entries",
        None,
        READ_OK,
    ),
    ("PUT", "/price-books/{price_book_id}/entries"): lambda s: (
        f"price-books/{s.ids['price_book']}/entries",
        {"product": s.ids["product"], "unit_price": "1"},
        FORBIDDEN,
    ),
}


def test_every_id_route_is_walked():
    routes = {(method, path.removeprefix(API)) for method, path in id_routes()}
    missing = routes - set(CASES)
    assert not missing, f"Add these routes to CASES in {__file__}: {sorted(missing)}"
    assert set(CASES) <= routes, f"CASES lists routes that no longer exist: {sorted(set(CASES) - routes)}"


@pytest.mark.parametrize("outsider", ["other_salesperson", "department_member"])
def test_outsider_gets_404_or_403_and_nothing_changes(org, outsider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        scene = _scene(org)
    assert Job.objects.get(pk=scene.job.pk).file  # the download route has a file to refuse
    client = ApiClient(token_for(getattr(org, outsider)))
    before = db_snapshot()
    walked = set()
    for (method, _path), case in sorted(CASES.items()):
        url, body, allowed = case(scene)
        response = client._call(method.lower(), url, body)
        assert response.status_code in allowed, (method, url, response.status_code, response.content)
        if response.status_code >= 400:
            assert_problem(response, response.status_code)
        else:
            assert b"password" not in response.content
        assert db_snapshot() == before, (method, url)
        walked.add((method, _path))
    assert walked == set(CASES)


def test_merge_with_a_hidden_duplicate_is_404_and_changes_nothing(org):
    hidden = AccountFactory.create(owner=org.salesperson, name="Hidden")
    own = AccountFactory.create(owner=org.other_salesperson, name="Own")
    client = ApiClient(token_for(org.other_salesperson))
    before = db_snapshot()
    assert_problem(client.post(f"accounts/{own.pk}/merge", {"duplicate": hidden.pk}), 404)
    assert_problem(client.patch(f"accounts/{own.pk}", {"parent": hidden.pk}), 422, {"parent"})
    assert db_snapshot() == before


def test_hidden_leads_stay_out_of_lists_duplicates_and_bulk_actions(org):
    """Routes without an id in the path: the list, a merge the other way round, a bulk reassignment."""
    hidden = LeadFactory.create(owner=org.salesperson, last_name="Hidden", email="same@example.com")
    own = LeadFactory.create(owner=org.other_salesperson, last_name="Own", email="same@example.com")
    client = ApiClient(token_for(org.other_salesperson))
    before = db_snapshot()
    assert [lead["id"] for lead in client.get("leads").json()["items"]] == [own.pk]
    assert client.get(f"leads/{own.pk}/duplicates").json() == []
    assert_problem(client.post(f"leads/{own.pk}/merge", {"duplicate": hidden.pk}), 404)
    response = client.post("leads/reassign", {"ids": [hidden.pk], "owner": org.other_salesperson.pk})
    assert response.json() == {"changed": 0}
    assert db_snapshot() == before


#: every lead route that writes, as someone who sees the lead: (method, path, body)
LEAD_WRITES = [
    ("patch", "", {"last_name": "Taken over"}),
    ("delete", "", None),
    ("post", "/status", {"status": "contacted"}),
    ("post", "/qualify", None),
    ("post", "/disqualify", {"reason": "X"}),
    ("put", "/qualification", {"criteria": {"budget": True}}),
    ("post", "/convert", {}),
    ("post", "/merge", "duplicate"),
]


def test_a_reader_gets_403_from_every_lead_write(org):
    lead = LeadFactory.create(owner=org.salesperson, last_name="Seen")
    duplicate = LeadFactory.create(owner=org.salesperson, last_name="Seen too")
    client = ApiClient(token_for(org.executive))
    before = db_snapshot()
    assert client.get(f"leads/{lead.pk}").status_code == 200
    assert client.get(f"leads/{lead.pk}/history").status_code == 200
    assert client.get(f"leads/{lead.pk}/duplicates").status_code == 200
    for method, suffix, body in LEAD_WRITES:
        payload = {"duplicate": duplicate.pk} if body == "duplicate" else body
        response = client._call(method, f"leads/{lead.pk}{suffix}", payload)
        assert_problem(response, 403)
    assert_problem(client.post("leads", {"last_name": "New"}), 403)
    assert_problem(client.post("leads/reassign", {"ids": [lead.pk], "owner": org.executive.pk}), 403)
    assert db_snapshot() == before
    written = {(method.upper(), f"/leads/{{lead_id}}{suffix}") for method, suffix, _body in LEAD_WRITES}
    assert written == {route for route in CASES if route[0] != "GET" and route[1].startswith("/leads/")}


def test_ids_out_of_range_are_never_a_500(org):
    client = ApiClient(token_for(org.admin))
    huge = 2**70
    for method, path in sorted(id_routes()):
        url = re.sub(r"\{job_id\}", "f" * 40, path.removeprefix(API)).lstrip("/")
        url = re.sub(r"\{\w+\}", str(huge), url)
        response = client._call(method.lower(), url, {})
        assert response.status_code in {404, 405, 422}, (method, url, response.status_code, response.content)
