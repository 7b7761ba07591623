"""Pinned query counts: a list or record page costs the same with 5 rows as with 30 (no N+1)."""

from __future__ import annotations

import pytest

from rapport.core.models import CustomField, CustomFieldType
from rapport.customers import services
from rapport.customers.models import Account, Contact

pytestmark = pytest.mark.django_db

ROWS = [5, 30]

# Every page: session, user, role rights, team paths (team scope), unread notifications (5).
# Lists: + custom fields, saved views, owners, teams, count, page, visible related accounts
# (+ categories and territories for accounts).
ACCOUNT_LIST_QUERIES = 14
CONTACT_LIST_QUERIES = 12
# Account page: + account, sub-accounts, contact links, custom fields, audit (timeline), timeline
# contacts, audit (history).
ACCOUNT_DETAIL_QUERIES = 12
# Contact page: + contact, its account links, visible accounts, custom fields, audit twice.
CONTACT_DETAIL_QUERIES = 11


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
