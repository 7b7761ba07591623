"""The audit trail of accounts and contacts: who changed which field from what to what; never editable."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from rapport.core import audit
from rapport.core.errors import RuleViolation
from rapport.core.models import AuditAction, AuditEntry
from rapport.core.services.customfields import custom_field_create
from rapport.customers import services
from rapport.customers.models import Account
from tests.factories import AccountFactory, CategoryFactory


@pytest.fixture
def tier(org):
    return custom_field_create(
        actor=org.admin,
        record_type="account",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["Gold", "Silver"],
    )


def entries(record_type: str, record_id: int) -> list[AuditEntry]:
    """Oldest first, which reads like a story."""
    return list(reversed(audit.history(record_type, record_id)))


def test_account_create_update_delete_are_kept_with_actor_and_old_and_new_values(org, tier):
    category = CategoryFactory.create(name="Key account")
    holding = AccountFactory.create(name="Holding", owner=org.salesperson)
    account = services.account_create(
        actor=org.salesperson, name="Acme", category=category.pk, city="Kraków", custom_fields={"tier": "Gold"}
    )
    services.account_update(
        actor=org.salesperson,
        account_id=account.pk,
        name="Acme Corporation",
        parent=holding.pk,
        employees=50,
        annual_revenue_amount=Decimal("1000000.50"),
        annual_revenue_currency="PLN",
        custom_fields={"tier": "Silver"},
    )
    services.account_update(actor=org.emea_manager, account_id=account.pk, owner=org.colleague.pk, city="")
    services.account_delete(actor=org.emea_manager, account_id=account.pk)

    created, changed, reassigned, deleted = entries("account", account.pk)
    assert [e.action for e in (created, changed, reassigned, deleted)] == ["create", "update", "update", "delete"]
    assert [e.actor for e in (created, changed, reassigned, deleted)] == [
        org.salesperson,
        org.salesperson,
        org.emea_manager,
        org.emea_manager,
    ]
    assert created.changes == {
        "name": ["", "Acme"],
        "type": ["", "prospect"],
        "category": ["", "Key account"],
        "owner": ["", str(org.salesperson)],
        "city": ["", "Kraków"],
        "custom.tier": ["", "Gold"],
    }
    assert changed.changes == {
        "name": ["Acme", "Acme Corporation"],
        "parent": ["", "Holding"],
        "employees": ["", "50"],
        "annual_revenue_amount": ["", "1000000.5"],
        "annual_revenue_currency": ["", "PLN"],
        "custom.tier": ["Gold", "Silver"],
    }
    assert reassigned.changes == {"owner": [str(org.salesperson), str(org.colleague)], "city": ["Kraków", ""]}
    assert deleted.changes == {
        "name": ["Acme Corporation", ""],
        "type": ["prospect", ""],
        "category": ["Key account", ""],
        "parent": ["Holding", ""],
        "owner": [str(org.colleague), ""],
        "employees": ["50", ""],
        "annual_revenue_amount": ["1000000.5", ""],
        "annual_revenue_currency": ["PLN", ""],
        "custom.tier": ["Silver", ""],
    }
    assert deleted.record_repr == "Acme Corporation"
    assert not Account.objects.filter(pk=account.pk).exists()


def test_contact_create_update_delete_are_kept(org):
    acme = AccountFactory.create(name="Acme", owner=org.salesperson)
    contact = services.contact_create(
        actor=org.salesperson, first_name="Anna", last_name="Nowak", email="anna@acme.pl", account=acme.pk
    )
    services.contact_update(actor=org.marketing, contact_id=contact.pk, marketing_consent="given", do_not_contact=True)
    services.contact_delete(actor=org.emea_manager, contact_id=contact.pk)

    created, changed, deleted = entries("contact", contact.pk)
    assert (created.actor, changed.actor, deleted.actor) == (org.salesperson, org.marketing, org.emea_manager)
    assert created.action == AuditAction.CREATE
    assert created.record_repr == "Anna Nowak"
    assert created.changes == {
        "first_name": ["", "Anna"],
        "last_name": ["", "Nowak"],
        "account": ["", "Acme"],
        "email": ["", "anna@acme.pl"],
        "owner": ["", str(org.salesperson)],
        "marketing_consent": ["", "unknown"],
        "do_not_contact": ["", "no"],
    }
    assert changed.changes == {"marketing_consent": ["unknown", "given"], "do_not_contact": ["no", "yes"]}
    assert deleted.action == AuditAction.DELETE
    assert deleted.changes["account"] == ["Acme", ""]


def test_link_and_unlink_are_described_on_the_contact(org):
    acme = AccountFactory.create(name="Acme", owner=org.salesperson)
    beta = AccountFactory.create(name="Beta", owner=org.salesperson)
    contact = services.contact_create(actor=org.salesperson, last_name="Nowak", account=acme.pk)
    services.contact_link_account(actor=org.salesperson, contact_id=contact.pk, account_id=beta.pk)
    services.contact_unlink_account(actor=org.salesperson, contact_id=contact.pk, account_id=acme.pk)
    _created, linked, cleared, unlinked = entries("contact", contact.pk)
    assert (linked.note, linked.changes) == ("Linked to Beta", {})
    assert cleared.changes == {"account": ["Acme", ""]}
    assert (unlinked.note, unlinked.changes) == ("Unlinked from Acme", {})


@pytest.mark.parametrize(
    "same",
    [
        {"name": "Acme"},
        {"name": "  Acme  "},
        {"city": "Kraków"},
        {"annual_revenue_amount": Decimal("1000.5"), "annual_revenue_currency": "EUR"},
        {"annual_revenue_amount": "1000.50"},
        {"employees": "12"},
        {"custom_fields": {"tier": "Gold"}},
        {},
    ],
    ids=lambda v: ",".join(v) or "nothing",
)
def test_an_update_without_a_real_change_writes_nothing(org, tier, same):
    account = services.account_create(
        actor=org.salesperson,
        name="Acme",
        city="Kraków",
        employees=12,
        annual_revenue_amount=Decimal("1000.50"),
        annual_revenue_currency="EUR",
        custom_fields={"tier": "Gold"},
    )
    before = AuditEntry.objects.count()
    services.account_update(actor=org.salesperson, account_id=account.pk, **same)
    assert AuditEntry.objects.count() == before


def test_a_contact_update_without_a_real_change_writes_nothing(org):
    contact = services.contact_create(actor=org.salesperson, first_name="Anna", last_name="Nowak")
    before = AuditEntry.objects.count()
    services.contact_update(
        actor=org.salesperson, contact_id=contact.pk, first_name="Anna ", marketing_consent="unknown"
    )
    assert AuditEntry.objects.count() == before


def test_entries_cannot_be_changed_or_deleted_in_any_way(org):
    account = services.account_create(actor=org.salesperson, name="Acme")
    entry = AuditEntry.objects.get(record_type="account", record_id=account.pk)
    original = AuditEntry.objects.filter(pk=entry.pk).values().get()

    entry.note = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(changes={})
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["note"])

    assert AuditEntry.objects.filter(pk=entry.pk).values().get() == original


def test_merge_writes_a_merge_entry_on_the_kept_account_and_a_delete_entry_for_the_duplicate(org):
    keep = AccountFactory.create(name="Acme", owner=org.emea_manager, industry="")
    duplicate = AccountFactory.create(name="ACME Ltd", owner=org.salesperson, industry="Steel", city="Gdańsk")
    services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=duplicate.pk)

    merge_entry = audit.history("account", keep.pk).get()
    assert merge_entry.action == AuditAction.MERGE
    assert merge_entry.actor == org.emea_manager
    assert merge_entry.note == f"ACME Ltd (#{duplicate.pk})"
    assert merge_entry.changes == {"industry": ["", "Steel"], "city": ["", "Gdańsk"]}

    delete_entry = audit.history("account", duplicate.pk).get()
    assert delete_entry.action == AuditAction.DELETE
    assert delete_entry.actor == org.emea_manager
    assert delete_entry.note == "Merged into Acme"
    assert delete_entry.changes["name"] == ["ACME Ltd", ""]
    assert delete_entry.changes["owner"] == [str(org.salesperson), ""]


def test_a_refused_change_leaves_no_entry(org):
    account = services.account_create(actor=org.salesperson, name="Acme")
    before = AuditEntry.objects.count()
    with pytest.raises(RuleViolation):
        services.account_update(actor=org.salesperson, account_id=account.pk, owner=org.other_salesperson.pk)
    assert AuditEntry.objects.count() == before
    assert Account.objects.get(pk=account.pk).owner == org.salesperson
