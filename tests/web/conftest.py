"""Fixtures of the web UI tests: a few records owned by the Poland salesperson."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from rapport.core.models import CustomField, CustomFieldType
from rapport.customers import services
from rapport.customers.models import Account, Contact


@dataclass
class Scene:
    account: Account
    child: Account
    contact: Contact
    hidden_account: Account
    hidden_contact: Contact


@pytest.fixture
def scene(org) -> Scene:
    """Records of the salesperson (EMEA/Poland) and one of the other team (Americas)."""
    account = services.account_create(actor=org.salesperson, name="Acme Polska", city="Kraków", country="Poland")
    child = services.account_create(actor=org.salesperson, name="Acme Services", parent=account.pk)
    contact = services.contact_create(
        actor=org.salesperson,
        first_name="Jan",
        last_name="Kowalski",
        email="jan@acme.example",
        account=account.pk,
        purchase_role="champion",
    )
    hidden_account = services.account_create(actor=org.other_salesperson, name="Acme Americas")
    hidden_contact = services.contact_create(
        actor=org.other_salesperson, first_name="John", last_name="Acmeson", account=hidden_account.pk
    )
    return Scene(account, child, contact, hidden_account, hidden_contact)


@pytest.fixture
def tier_field(db) -> CustomField:
    """A required choice field on accounts."""
    return CustomField.objects.create(
        record_type="account",
        key="tier",
        label="Tier",
        field_type=CustomFieldType.CHOICE,
        choices=["Gold", "Silver"],
        required=True,
    )
