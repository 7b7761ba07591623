"""Pinned query counts: a list or record page costs the same with 5 rows as with 30 (no N+1)."""

from __future__ import annotations

import pytest

from rapport.core.models import CustomField, CustomFieldType
from rapport.customers import services
from rapport.customers.models import Account, Contact
from rapport.leads.models import Lead, ScoringRule
from rapport.leads.services.leads import lead_create, lead_set_qualification, lead_update
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

ROWS = [5, 30]

# Every page: session, user, role rights, team paths (team scope), unread notifications (5).
# Lists: + custom fields, saved views, owners, teams, count, page, visible related accounts
# (+ categories and territories for accounts).
ACCOUNT_LIST_QUERIES = 14
CONTACT_LIST_QUERIES = 12
# Account page: + account, sub-accounts, contact links, custom fields, audit (timeline), timeline
# contacts, leads converted into it (timeline), its opportunities (timeline), its activities (timeline), audit
# (history). The contact page likewise.
ACCOUNT_DETAIL_QUERIES = 15
# Contact page: + contact, its account links, visible accounts, custom fields, audit twice, opportunities
# it has a role in (timeline), its activities (timeline).
CONTACT_DETAIL_QUERIES = 14


@pytest.fixture
def populated(org):
    """`populated(n)`: n accounts under one parent, n contacts linked to it, n audit entries on each."""

    CustomField.objects.create(
        record_type="account", key="tier", label="Tier", field_type=CustomFieldType.CHOICE, choices=["A", "B"]
    )
    CustomField.objects.create(record_type="contact", key="vip", label="VIP", field_type=CustomFieldType.CHECKBOX)

    def build(n: int) -> tuple[Account, Contact]:
        sp = org.salesperson
        parent = services.account_create(actor=sp, name="Parent", custom_fields={"tier": "A"})
        for i in range(n):
            services.account_create(actor=sp, name=f"Child {i}", parent=parent.pk, custom_fields={"tier": "B"})
            services.contact_create(actor=sp, last_name=f"Person {i}", account=parent.pk, purchase_role="user")
        contact = Contact.objects.order_by("pk").first()
        assert contact is not None
        for i in range(n):
            services.account_update(actor=sp, account_id=parent.pk, phone=f"+48 {i}")
            services.contact_update(actor=sp, contact_id=contact.pk, phone=f"+48 {i}")
            services.contact_link_account(actor=sp, contact_id=contact.pk, account_id=parent.pk + i + 1)
        return parent, contact

    return build


@pytest.mark.parametrize("rows", ROWS)
def test_account_list(client_for, org, populated, rows, django_assert_num_queries) -> None:
    populated(rows)
    client = client_for(org.emea_manager)
    with django_assert_num_queries(ACCOUNT_LIST_QUERIES):
        response = client.get("/accounts/")
    assert len(response.context["rows"]) == rows + 1


@pytest.mark.parametrize("rows", ROWS)
def test_contact_list(client_for, org, populated, rows, django_assert_num_queries) -> None:
    populated(rows)
    client = client_for(org.emea_manager)
    with django_assert_num_queries(CONTACT_LIST_QUERIES):
        response = client.get("/contacts/")
    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_account_detail(client_for, org, populated, rows, django_assert_num_queries) -> None:
    parent, _contact = populated(rows)
    client = client_for(org.emea_manager)
    with django_assert_num_queries(ACCOUNT_DETAIL_QUERIES):
        response = client.get(f"/accounts/{parent.pk}/")
    assert len(response.context["children"]) == rows
    assert len(response.context["links"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_contact_detail(client_for, org, populated, rows, django_assert_num_queries) -> None:
    _parent, contact = populated(rows)
    client = client_for(org.emea_manager)
    with django_assert_num_queries(CONTACT_DETAIL_QUERIES):
        response = client.get(f"/contacts/{contact.pk}/")
    assert len(response.context["links"]) == rows + 1
    assert len(response.context["history"]) >= rows


# Lead list: every page's 5 + custom fields, active users (owner filter and bulk reassign), sources,
# teams, tags (filter), saved views, count, page, the page's tags.
LEAD_LIST_QUERIES = 14
# Lead page: + lead, its tags, custom fields, checklist criteria, duplicates (leads and contacts by
# e-mail, by phone and mobile, by name: 2 + 3 + 2), audit (timeline), activities (timeline), audit (history).
LEAD_DETAIL_QUERIES = 19


@pytest.fixture
def leads_populated(org):
    """`leads_populated(n)`: n tagged leads with a custom value, and n changes on the first one."""
    CustomField.objects.create(record_type="lead", key="fair", label="Fair", field_type=CustomFieldType.TEXT)
    ScoringRule.objects.create(name="Polish", field="country", operator="equals", value="Poland", points=5)

    def build(n: int) -> Lead:
        sp = org.salesperson
        for i in range(n):
            lead_create(
                actor=sp,
                last_name=f"Lead {i}",
                company="Acme",
                email="jan@acme.example",
                phone="+48 600 100 200",
                country="Poland",
                source="event",
                tags=[f"tag {i}", "all"],
                custom_fields={"fair": f"F{i}"},
            )
        ContactFactory.create(owner=sp, last_name="Lead 0", email="jan@acme.example", phone="+48 600 100 200")
        lead = Lead.objects.order_by("pk").first()
        assert lead is not None
        for i in range(n):
            lead_update(actor=sp, lead_id=lead.pk, title=f"Title {i}")
        lead_set_qualification(actor=sp, lead_id=lead.pk, criteria={"budget": True})
        return lead

    return build


@pytest.mark.parametrize("rows", ROWS)
def test_lead_list(client_for, org, leads_populated, rows, django_assert_num_queries) -> None:
    leads_populated(rows)
    client = client_for(org.emea_manager)
    with django_assert_num_queries(LEAD_LIST_QUERIES):
        response = client.get("/leads/")
    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_lead_detail(client_for, org, leads_populated, rows, django_assert_num_queries) -> None:
    lead = leads_populated(rows)
    client = client_for(org.emea_manager)
    with django_assert_num_queries(LEAD_DETAIL_QUERIES):
        response = client.get(f"/leads/{lead.pk}/")
    assert len(response.context["duplicates"]) == rows  # the other leads and the contact
    assert len(response.context["history"]) >= rows
