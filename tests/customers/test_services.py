"""Account and contact services: owners, scope, hierarchy, links, consent, delete and merge."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rapport.core.errors import ActionNotAllowed, InvalidInput, RecordNotFound, RuleViolation
from rapport.core.models import AuditEntry, Notification
from rapport.core.services.customfields import custom_field_create
from rapport.customers import services
from rapport.customers.models import Account, AccountContact, Contact
from rapport.customers.services import (
    INACTIVE_OWNER,
    MERGE_SAME,
    OUT_OF_SCOPE,
    PARENT_CYCLE,
    REVENUE_NEEDS_CURRENCY,
    UNKNOWN_CHOICE,
)
from tests.core.support import db_state
from tests.factories import AccountFactory, ContactFactory, UserFactory

UNKNOWN_ACCOUNT = str(UNKNOWN_CHOICE % {"what": "account"})


def reload(record):
    return type(record).objects.get(pk=record.pk)


def links(contact: Contact) -> dict[str, str]:
    return {link.account.name: link.purchase_role for link in AccountContact.objects.filter(contact=contact)}


# --- owners and scope ------------------------------------------------------------------------------


def test_create_makes_the_actor_owner_and_creator(org):
    account = services.account_create(actor=org.salesperson, name="  Acme  ")
    contact = services.contact_create(actor=org.salesperson, first_name="Anna", last_name="Nowak")
    for record in (reload(account), reload(contact)):
        assert (record.owner, record.created_by) == (org.salesperson, org.salesperson)
    assert reload(account).name == "Acme"
    assert not Notification.objects.exists()


def test_a_salesperson_cannot_give_a_record_away_outside_their_scope(org):
    account = AccountFactory.create(name="Acme", owner=org.salesperson)
    contact = ContactFactory.create(last_name="Nowak", owner=org.salesperson)
    before = db_state()
    for new_owner in (org.colleague, org.other_salesperson):
        with pytest.raises(RuleViolation) as caught:
            services.account_update(actor=org.salesperson, account_id=account.pk, owner=new_owner.pk)
        assert caught.value.message == str(OUT_OF_SCOPE)
        with pytest.raises(RuleViolation) as caught:
            services.contact_update(actor=org.salesperson, contact_id=contact.pk, owner=new_owner.pk)
        assert caught.value.message == str(OUT_OF_SCOPE)
        with pytest.raises(RuleViolation):
            services.account_create(actor=org.salesperson, name="Gift", owner=new_owner.pk)
    assert db_state() == before


def test_a_manager_reassigns_within_the_team_and_the_new_owner_is_told(org):
    account = AccountFactory.create(name="Acme", owner=org.salesperson)
    contact = ContactFactory.create(first_name="Anna", last_name="Nowak", owner=org.salesperson)
    services.account_update(actor=org.emea_manager, account_id=account.pk, owner=org.colleague.pk)
    services.contact_update(actor=org.emea_manager, contact_id=contact.pk, owner=org.colleague)
    assert reload(account).owner == reload(contact).owner == org.colleague
    assert [(n.message, n.url) for n in Notification.objects.filter(recipient=org.colleague).order_by("id")] == [
        (f"{org.emea_manager} assigned the account Acme to you.", account.get_absolute_url()),
        (f"{org.emea_manager} assigned the contact Anna Nowak to you.", contact.get_absolute_url()),
    ]
    # Outside the manager's team: refused, nothing saved, nobody told.
    before = db_state()
    with pytest.raises(RuleViolation):
        services.account_update(actor=org.emea_manager, account_id=account.pk, owner=org.other_salesperson.pk)
    assert db_state() == before


def test_a_new_record_given_to_someone_else_notifies_them(org):
    services.account_create(actor=org.emea_manager, name="Acme", owner=org.salesperson.pk)
    assert Notification.objects.get(recipient=org.salesperson).message == (
        f"{org.emea_manager} assigned the account Acme to you."
    )


@pytest.mark.parametrize("owner", ["inactive", "unknown", "garbage"])
def test_the_owner_must_be_an_existing_active_user(org, owner):
    inactive = UserFactory.create(team=org.poland, is_active=False)
    value = {"inactive": inactive.pk, "unknown": 999_999, "garbage": "abc"}[owner]
    before = db_state()
    with pytest.raises(InvalidInput) as caught:
        services.account_create(actor=org.admin, name="Acme", owner=value)
    assert caught.value.errors == {"owner": [str(UNKNOWN_CHOICE % {"what": "user"})]}
    with pytest.raises(InvalidInput) as caught:
        services.account_create(actor=org.admin, name="Acme", owner=inactive)
    assert caught.value.errors == {"owner": [str(INACTIVE_OWNER)]}
    assert db_state() == before


def test_fields_that_are_not_editable_are_refused(org):
    with pytest.raises(InvalidInput) as caught:
        services.account_create(actor=org.salesperson, name="Acme", created_by=org.admin, custom={"x": 1})
    assert set(caught.value.errors) == {"created_by", "custom"}
    assert not Account.objects.exists()


# --- hierarchy -------------------------------------------------------------------------------------


def test_an_account_cannot_be_its_own_parent_or_sit_under_its_descendants(org):
    top = services.account_create(actor=org.salesperson, name="Top")
    middle = services.account_create(actor=org.salesperson, name="Middle", parent=top.pk)
    bottom = services.account_create(actor=org.salesperson, name="Bottom", parent=middle.pk)
    before = db_state()
    for parent in (top, middle, bottom):
        with pytest.raises(InvalidInput) as caught:
            services.account_update(actor=org.salesperson, account_id=top.pk, parent=parent.pk)
        assert caught.value.errors == {"parent": [str(PARENT_CYCLE)]}
    assert db_state() == before
    services.account_update(actor=org.salesperson, account_id=bottom.pk, parent=top.pk)
    assert reload(bottom).parent == top


@pytest.mark.parametrize("parent", ["hidden", "unknown", "garbage"])
def test_the_parent_must_be_an_account_the_actor_sees(org, parent):
    hidden = AccountFactory.create(name="Theirs", owner=org.other_salesperson)
    account = AccountFactory.create(name="Mine", owner=org.salesperson)
    value = {"hidden": hidden.pk, "unknown": 999_999, "garbage": "1; DROP TABLE x"}[parent]
    before = db_state()
    with pytest.raises(InvalidInput) as caught:
        services.account_update(actor=org.salesperson, account_id=account.pk, parent=value)
    assert caught.value.errors == {"parent": [UNKNOWN_ACCOUNT]}
    with pytest.raises(InvalidInput):
        services.account_create(actor=org.salesperson, name="Child", parent=value)
    assert db_state() == before


def test_annual_revenue_needs_its_currency(org):
    with pytest.raises(InvalidInput) as caught:
        services.account_create(actor=org.salesperson, name="Acme", annual_revenue_amount=Decimal("100"))
    assert caught.value.errors == {"annual_revenue_currency": [str(REVENUE_NEEDS_CURRENCY)]}
    account = services.account_create(
        actor=org.salesperson, name="Acme", annual_revenue_amount="2500000.00", annual_revenue_currency="pln"
    )
    stored = reload(account)
    assert (stored.annual_revenue_amount, stored.annual_revenue_currency_id) == (Decimal("2500000.00"), "PLN")
    with pytest.raises(InvalidInput) as caught:
        services.account_update(actor=org.salesperson, account_id=account.pk, annual_revenue_currency="")
    assert caught.value.errors == {"annual_revenue_currency": [str(REVENUE_NEEDS_CURRENCY)]}
    with pytest.raises(InvalidInput) as caught:
        services.account_update(actor=org.salesperson, account_id=account.pk, annual_revenue_currency="XXX")
    assert caught.value.errors == {"annual_revenue_currency": [str(UNKNOWN_CHOICE % {"what": "currency"})]}
    assert reload(account).annual_revenue_currency_id == "PLN"


# --- contacts and their accounts -----------------------------------------------------------------


def test_the_main_account_becomes_a_link_with_the_role_in_the_purchase(org):
    acme = AccountFactory.create(name="Acme", owner=org.salesperson)
    contact = services.contact_create(
        actor=org.salesperson, last_name="Nowak", account=acme.pk, purchase_role="decision_maker"
    )
    assert reload(contact).account == acme
    assert links(contact) == {"Acme": "decision_maker"}
    services.contact_update(actor=org.salesperson, contact_id=contact.pk, purchase_role="champion")
    assert links(contact) == {"Acme": "champion"}


def test_a_contact_cannot_be_put_at_a_hidden_account(org):
    hidden = AccountFactory.create(name="Theirs", owner=org.other_salesperson)
    with pytest.raises(InvalidInput) as caught:
        services.contact_create(actor=org.salesperson, last_name="Nowak", account=hidden.pk)
    assert caught.value.errors == {"account": [UNKNOWN_ACCOUNT]}
    assert not Contact.objects.exists()


def test_a_wrong_purchase_role_is_refused_and_nothing_is_saved(org):
    acme = AccountFactory.create(name="Acme", owner=org.salesperson)
    before = db_state()
    with pytest.raises(InvalidInput) as caught:
        services.contact_create(actor=org.salesperson, last_name="Nowak", account=acme.pk, purchase_role="boss")
    assert list(caught.value.errors) == ["purchase_role"]
    assert db_state() == before


def test_linking_and_unlinking_other_accounts(org):
    acme = AccountFactory.create(name="Acme", owner=org.salesperson)
    beta = AccountFactory.create(name="Beta", owner=org.salesperson)
    contact = services.contact_create(actor=org.salesperson, last_name="Nowak", account=acme.pk)
    services.contact_link_account(
        actor=org.salesperson, contact_id=contact.pk, account_id=beta.pk, purchase_role="influencer"
    )
    assert links(contact) == {"Acme": "", "Beta": "influencer"}
    services.contact_link_account(
        actor=org.salesperson, contact_id=contact.pk, account_id=beta.pk, purchase_role="user"
    )
    assert links(contact) == {"Acme": "", "Beta": "user"}
    services.contact_unlink_account(actor=org.salesperson, contact_id=contact.pk, account_id=beta.pk)
    assert links(contact) == {"Acme": ""}
    assert reload(contact).account == acme
    # Unlinking the main account clears it.
    services.contact_unlink_account(actor=org.salesperson, contact_id=contact.pk, account_id=acme.pk)
    assert links(contact) == {}
    assert reload(contact).account is None


def test_links_respect_visibility(org):
    hidden = AccountFactory.create(name="Theirs", owner=org.other_salesperson)
    mine = ContactFactory.create(last_name="Nowak", owner=org.salesperson)
    theirs = ContactFactory.create(last_name="Smith", owner=org.other_salesperson)
    acme = AccountFactory.create(name="Acme", owner=org.salesperson)
    before = db_state()
    with pytest.raises(InvalidInput) as caught:
        services.contact_link_account(actor=org.salesperson, contact_id=mine.pk, account_id=hidden.pk)
    assert caught.value.errors == {"account": [UNKNOWN_ACCOUNT]}
    with pytest.raises(RecordNotFound):
        services.contact_link_account(actor=org.salesperson, contact_id=theirs.pk, account_id=acme.pk)
    with pytest.raises(ActionNotAllowed):
        services.contact_link_account(actor=org.executive, contact_id=mine.pk, account_id=acme.pk)
    assert db_state() == before


def test_changing_marketing_consent_stamps_when(org):
    contact = services.contact_create(actor=org.salesperson, last_name="Nowak")
    assert reload(contact).consent_changed_at is None
    services.contact_update(actor=org.marketing, contact_id=contact.pk, marketing_consent="given")
    stamped = reload(contact).consent_changed_at
    assert stamped is not None
    services.contact_update(actor=org.marketing, contact_id=contact.pk, marketing_consent="given", title="CEO")
    assert reload(contact).consent_changed_at == stamped
    services.contact_update(actor=org.marketing, contact_id=contact.pk, marketing_consent="withdrawn")
    assert reload(contact).consent_changed_at > stamped
    given = services.contact_create(actor=org.salesperson, last_name="Kowalska", marketing_consent="given")
    assert reload(given).consent_changed_at is not None


def test_deleting_an_account_keeps_its_contacts_and_sub_accounts(org):
    acme = AccountFactory.create(name="Acme", owner=org.emea_manager)
    child = AccountFactory.create(name="Acme Polska", owner=org.salesperson, parent=acme)
    contact = services.contact_create(actor=org.salesperson, last_name="Nowak")
    services.contact_link_account(actor=org.emea_manager, contact_id=contact.pk, account_id=acme.pk)
    Contact.objects.filter(pk=contact.pk).update(account=acme)
    services.account_delete(actor=org.emea_manager, account_id=acme.pk)
    assert reload(contact).account is None
    assert links(contact) == {}
    assert reload(child).parent is None


# --- merge -----------------------------------------------------------------------------------------


@pytest.fixture
def duplicates(org):
    """Two accounts for the same company, both in the EMEA manager's team."""
    keep = AccountFactory.create(
        name="Acme", owner=org.emea_manager, city="Kraków", industry="", custom={"tier": "Gold"}
    )
    duplicate = AccountFactory.create(
        name="ACME Sp. z o.o.",
        owner=org.salesperson,
        city="Warszawa",
        industry="Steel",
        website="https://acme.pl",
        custom={"tier": "Silver", "size": "10"},
    )
    return keep, duplicate


def test_merge_moves_contacts_links_and_sub_accounts_and_fills_blanks(org, duplicates):
    keep, duplicate = duplicates
    on_duplicate = ContactFactory.create(last_name="Nowak", owner=org.salesperson, account=duplicate)
    AccountContact.objects.create(account=duplicate, contact=on_duplicate, purchase_role="user")
    on_both = ContactFactory.create(last_name="Kowalska", owner=org.salesperson, account=keep)
    AccountContact.objects.create(account=keep, contact=on_both, purchase_role="champion")
    AccountContact.objects.create(account=duplicate, contact=on_both, purchase_role="user")
    sub = AccountFactory.create(name="ACME Gdańsk", owner=org.colleague, parent=duplicate)

    result = services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=duplicate.pk)

    assert result.pk == keep.pk
    assert not Account.objects.filter(pk=duplicate.pk).exists()
    assert reload(on_duplicate).account == keep
    assert links(on_duplicate) == {"Acme": "user"}
    assert links(on_both) == {"Acme": "champion"}
    assert AccountContact.objects.count() == 2
    assert reload(sub).parent == keep
    stored = reload(keep)
    assert (stored.name, stored.city, stored.industry, stored.website) == ("Acme", "Kraków", "Steel", "https://acme.pl")
    assert stored.owner == org.emea_manager
    assert stored.custom == {"tier": "Gold", "size": "10"}


def test_merge_takes_the_revenue_only_with_its_currency(org):
    keep = AccountFactory.create(name="Acme", owner=org.emea_manager, annual_revenue_currency_id="EUR")
    duplicate = AccountFactory.create(
        name="Acme 2",
        owner=org.emea_manager,
        annual_revenue_amount=Decimal("1000.00"),
        annual_revenue_currency_id="PLN",
    )
    services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=duplicate.pk)
    stored = reload(keep)
    assert (stored.annual_revenue_amount, stored.annual_revenue_currency_id) == (Decimal("1000.00"), "PLN")


def test_merge_when_the_kept_account_sits_under_the_duplicate(org):
    group = AccountFactory.create(name="Group", owner=org.emea_manager)
    duplicate = AccountFactory.create(name="Acme Holding", owner=org.emea_manager, parent=group)
    keep = AccountFactory.create(name="Acme", owner=org.emea_manager, parent=duplicate)
    services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=duplicate.pk)
    assert reload(keep).parent == group


def test_merge_when_the_duplicate_sits_under_the_kept_account(org):
    keep = AccountFactory.create(name="Acme", owner=org.emea_manager)
    middle = AccountFactory.create(name="Acme Europe", owner=org.emea_manager, parent=keep)
    child = AccountFactory.create(name="Acme dup", owner=org.emea_manager, parent=keep)
    grandchild = AccountFactory.create(name="Acme dup 2", owner=org.emea_manager, parent=middle)
    services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=child.pk)
    assert reload(keep).parent is None
    services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=grandchild.pk)
    assert reload(keep).parent is None
    assert reload(middle).parent == keep


def test_merge_when_the_kept_account_has_no_parent_and_the_duplicate_is_at_the_top(org, duplicates):
    keep, duplicate = duplicates
    Account.objects.filter(pk=keep.pk).update(parent=duplicate)
    services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=duplicate.pk)
    assert reload(keep).parent is None


def test_an_account_cannot_be_merged_into_itself(org, duplicates):
    keep, _duplicate = duplicates
    before = db_state()
    same: list[Any] = [keep.pk, str(keep.pk)]
    for duplicate_id in same:
        with pytest.raises(InvalidInput) as caught:
            services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=duplicate_id)
        assert caught.value.errors == {"duplicate": [str(MERGE_SAME)]}
    assert db_state() == before


def test_merge_needs_the_right_to_delete_the_duplicate(org):
    keep = AccountFactory.create(name="Acme", owner=org.salesperson)
    duplicate = AccountFactory.create(name="Acme 2", owner=org.salesperson, industry="Steel")
    ContactFactory.create(last_name="Nowak", owner=org.salesperson, account=duplicate)
    before = db_state()
    with pytest.raises(ActionNotAllowed):
        services.account_merge(actor=org.salesperson, keep_id=keep.pk, duplicate_id=duplicate.pk)
    assert db_state() == before


@pytest.mark.parametrize("hidden_side", ["duplicate", "keep"])
def test_merge_with_an_account_the_actor_cannot_see_is_not_found(org, duplicates, hidden_side):
    keep, duplicate = duplicates
    hidden = AccountFactory.create(name="Acme Americas", owner=org.other_salesperson)
    ids = {"keep_id": keep.pk, "duplicate_id": hidden.pk}
    if hidden_side == "keep":
        ids = {"keep_id": hidden.pk, "duplicate_id": duplicate.pk}
    before = db_state()
    with pytest.raises(RecordNotFound):
        services.account_merge(actor=org.emea_manager, **ids)
    assert db_state() == before
    assert AuditEntry.objects.count() == 0


def test_merge_keeps_custom_values_after_fields_are_defined(org, duplicates):
    custom_field_create(actor=org.admin, record_type="account", key="tier", label="Tier", field_type="text")
    keep, duplicate = duplicates
    services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=duplicate.pk)
    entry = AuditEntry.objects.get(record_id=keep.pk, action="merge")
    assert "custom.tier" not in entry.changes
    assert reload(keep).custom["tier"] == "Gold"


def test_merge_when_the_kept_account_sits_deeper_under_the_duplicate(org):
    duplicate = AccountFactory.create(name="Acme Holding", owner=org.emea_manager)
    middle = AccountFactory.create(name="Acme Europe", owner=org.emea_manager, parent=duplicate)
    keep = AccountFactory.create(name="Acme", owner=org.emea_manager, parent=middle)
    services.account_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=duplicate.pk)
    assert reload(middle).parent == keep
    assert reload(keep).parent is None
