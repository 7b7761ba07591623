"""Pinned query counts: the account, contact and lead list and detail endpoints do not grow with rows.

Each count is the whole request with a bearer token: the token lookup, the role's rights, the team
paths (a manager's scope), the custom field definitions, then the page's own queries.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rapport.activities.models import ActivityType
from rapport.activities.services import activity_create
from rapport.core.services.customfields import custom_field_create
from rapport.customers.models import AccountContact
from tests.api.conftest import ApiClient, token_for
from tests.factories import AccountFactory, ContactFactory, LeadFactory, lead_source

# token, rights, team paths, custom fields (cf_ filters), count, page
ACCOUNT_LIST_QUERIES = 6
# token, rights, team paths, the account with its related rows
ACCOUNT_DETAIL_QUERIES = 4
CONTACT_LIST_QUERIES = 6
# token, rights, team paths, the contact with related rows, its account links
CONTACT_DETAIL_QUERIES = 5
# token, rights, team paths, custom fields, count, page (with owner and source), the page's tags
LEAD_LIST_QUERIES = 7
# token, rights, team paths, the lead with its related rows, its tags
LEAD_DETAIL_QUERIES = 5
# token, rights, team paths, custom fields, count, page, the page's participant users and contacts
ACTIVITY_LIST_QUERIES = 8


@pytest.fixture
def manager_api(org):
    custom_field_create(actor=org.admin, record_type="account", key="tier", label="Tier", field_type="text")
    custom_field_create(actor=org.admin, record_type="contact", key="nick", label="Nick", field_type="text")
    custom_field_create(actor=org.admin, record_type="lead", key="fleet", label="Fleet", field_type="number")
    return ApiClient(token_for(org.emea_manager))


def _accounts(org, n: int) -> list:
    owners = [org.salesperson, org.colleague, org.emea_manager]
    return [AccountFactory.create(owner=owners[i % 3], custom={"tier": "Gold"}) for i in range(n)]


def _contacts(org, n: int) -> list:
    accounts = _accounts(org, 3)
    contacts = []
    for i in range(n):
        contact = ContactFactory.create(owner=accounts[i % 3].owner, account=accounts[i % 3])
        AccountContact.objects.create(account=accounts[i % 3], contact=contact, purchase_role="user")
        AccountContact.objects.create(account=accounts[(i + 1) % 3], contact=contact)
        contacts.append(contact)
    return contacts


@pytest.mark.parametrize("rows", [5, 30, 50])
def test_account_list(org, manager_api, django_assert_num_queries, rows):
    _accounts(org, rows)
    with django_assert_num_queries(ACCOUNT_LIST_QUERIES):
        body = manager_api.get("accounts", limit=50, ordering="owner").json()
    assert len(body["items"]) == rows


@pytest.mark.parametrize("rows", [5, 30])
def test_account_detail(org, manager_api, django_assert_num_queries, rows):
    accounts = _accounts(org, rows)
    for child in accounts[1:]:
        child.parent = accounts[0]
        child.save()
    with django_assert_num_queries(ACCOUNT_DETAIL_QUERIES):
        assert manager_api.get(f"accounts/{accounts[0].pk}").status_code == 200


@pytest.mark.parametrize("rows", [5, 30, 50])
def test_contact_list(org, manager_api, django_assert_num_queries, rows):
    _contacts(org, rows)
    with django_assert_num_queries(CONTACT_LIST_QUERIES):
        body = manager_api.get("contacts", limit=50, ordering="account").json()
    assert len(body["items"]) == rows


@pytest.mark.parametrize("links", [1, 30])
def test_contact_detail(org, manager_api, django_assert_num_queries, links):
    contact = _contacts(org, 1)[0]
    for _ in range(links - 1):
        AccountContact.objects.create(account=AccountFactory.create(owner=org.salesperson), contact=contact)
    with django_assert_num_queries(CONTACT_DETAIL_QUERIES):
        body = manager_api.get(f"contacts/{contact.pk}").json()
    assert len(body["accounts"]) == links + 1


def _leads(org, n: int) -> list:
    owners = [org.salesperson, org.colleague, org.emea_manager]
    sources = [lead_source("event"), lead_source("web_form"), None]
    leads = []
    for i in range(n):
        lead = LeadFactory.create(owner=owners[i % 3], source=sources[i % 3], custom={"fleet": str(i)})
        lead.tags.create(name=f"Tag {i}")
        leads.append(lead)
    return leads


@pytest.mark.parametrize("rows", [5, 30, 50])
def test_lead_list(org, manager_api, django_assert_num_queries, rows):
    _leads(org, rows)
    with django_assert_num_queries(LEAD_LIST_QUERIES):
        body = manager_api.get("leads", limit=50, ordering="-score").json()
    assert len(body["items"]) == rows
    assert all(len(item["tags"]) == 1 and item["source"] in ("event", "web_form", None) for item in body["items"])


@pytest.mark.parametrize("tags", [1, 20])
def test_lead_detail(org, manager_api, django_assert_num_queries, tags):
    lead = _leads(org, 1)[0]
    for i in range(tags - 1):
        lead.tags.create(name=f"Extra {i}")
    with django_assert_num_queries(LEAD_DETAIL_QUERIES):
        body = manager_api.get(f"leads/{lead.pk}").json()
    assert len(body["tags"]) == tags and body["source"] == "event"


def _activities(org, n: int) -> None:
    owners = [org.salesperson, org.colleague, org.emea_manager]
    types = list(ActivityType.objects.all())
    for i in range(n):
        contact = ContactFactory.create(owner=owners[i % 3])
        activity_create(
            actor=owners[i % 3],
            type=types[i % len(types)].pk,
            subject=f"Activity {i}",
            start=dt.datetime(2026, 3, 1 + i % 28, 9, tzinfo=dt.UTC),
            rrule="FREQ=WEEKLY;COUNT=4" if i % 2 else "",
            participant_users=[org.salesperson.pk, org.colleague.pk],
            participant_contacts=[contact.pk],
        )


@pytest.mark.parametrize("rows", [5, 30, 50])
def test_activity_list(org, manager_api, django_assert_num_queries, rows):
    _activities(org, rows)
    with django_assert_num_queries(ACTIVITY_LIST_QUERIES):
        body = manager_api.get("activities", limit=50, start_from="2026-03-01", ordering="-start").json()
    assert len(body["items"]) == rows
    assert all(len(item["participants"]["users"]) == 2 for item in body["items"])
