"""Lead use cases: create, change, status, qualification, duplicates, conversion, merge, visibility."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rapport.core.errors import ActionNotAllowed, InvalidInput, RecordNotFound, RuleViolation
from rapport.core.models import AuditEntry, Notification
from rapport.core.visibility import visible_to
from rapport.customers.models import Account, AccountContact, Contact
from rapport.leads.dedupe import SAME_EMAIL, SAME_NAME_AND_COMPANY, SAME_PHONE, duplicates_of
from rapport.leads.models import Lead, LeadStatus, ScoringRule, Tag
from rapport.leads.services import convert, merge
from rapport.leads.services.leads import (
    CONVERTED_READ_ONLY,
    REASON_REQUIRED,
    UNKNOWN_CRITERION,
    lead_create,
    lead_delete,
    lead_disqualify,
    lead_qualify,
    lead_set_qualification,
    lead_set_status,
    lead_update,
)
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_create_fills_defaults_keys_tags_and_audit(org) -> None:
    lead = lead_create(
        actor=org.salesperson,
        first_name=" Łukasz ",
        last_name="Żak",
        company="Żabka Sp. z o.o.",
        email="Lukasz.Zak@Zabka.PL",
        phone="601 234 567",
        country="Poland",
        source="event",
        estimated_value_amount=Decimal("1234.56"),
        estimated_value_currency="pln",
        tags=["Fair 2026", "fair 2026 ", "VIP"],
    )
    lead.refresh_from_db()
    assert lead.source is not None
    assert (lead.first_name, lead.owner, lead.status, lead.source.code) == ("Łukasz", org.salesperson, "new", "event")
    assert (lead.email_key, lead.phone_key, lead.name_key, lead.company_key) == (
        "lukasz.zak@zabka.pl",
        "+48601234567",
        "lukasz zak|zabka",
        "zabka",
    )
    assert sorted(lead.tags.values_list("name", flat=True)) == ["Fair 2026", "VIP"]
    assert (lead.estimated_value_amount, lead.estimated_value_currency_id) == (Decimal("1234.56"), "PLN")
    entry = AuditEntry.objects.get(record_type="lead", record_id=lead.pk)
    assert entry.changes["tags"] == ["", "Fair 2026, VIP"]


def test_create_refuses_bad_input_and_stores_nothing(org) -> None:
    with pytest.raises(InvalidInput) as caught:
        lead_create(actor=org.salesperson, last_name="", email="not-an-email", source="no-such-source")
    assert "source" in caught.value.errors
    with pytest.raises(InvalidInput) as caught:
        lead_create(actor=org.salesperson, last_name="", email="not-an-email")
    assert set(caught.value.errors) == {"last_name", "email"}
    assert Lead.objects.count() == 0 and Tag.objects.count() == 0


def test_roles_decide_who_creates_and_sees(org) -> None:
    mine = lead_create(actor=org.salesperson, last_name="Mine")
    theirs = lead_create(actor=org.other_salesperson, last_name="Theirs")
    assert list(visible_to(org.salesperson, Lead)) == [mine]
    assert set(visible_to(org.emea_manager, Lead)) == {mine}
    assert set(visible_to(org.marketing, Lead)) == {mine, theirs}
    assert set(visible_to(org.executive, Lead)) == {mine, theirs}
    with pytest.raises(ActionNotAllowed):
        lead_create(actor=org.executive, last_name="Nope")
    with pytest.raises(RecordNotFound):
        lead_update(actor=org.salesperson, lead_id=theirs.pk, company="X")
    with pytest.raises(ActionNotAllowed):
        lead_delete(actor=org.salesperson, lead_id=mine.pk)  # salespeople do not delete by default
    # Marketing works every lead.
    lead_update(actor=org.marketing, lead_id=theirs.pk, company="Acme")


def test_owner_change_notifies_and_cannot_hide_the_lead_from_its_editor(org) -> None:
    lead = lead_create(actor=org.emea_manager, last_name="Nowak", owner=org.salesperson.pk)
    assert Notification.objects.filter(recipient=org.salesperson).count() == 1
    with pytest.raises(RuleViolation):
        lead_update(actor=org.salesperson, lead_id=lead.pk, owner=org.other_salesperson.pk)
    assert Lead.objects.get(pk=lead.pk).owner == org.salesperson


def test_status_disqualify_needs_a_reason_and_convert_is_its_own_action(org) -> None:
    lead = lead_create(actor=org.salesperson, last_name="Nowak")
    with pytest.raises(InvalidInput) as caught:
        lead_disqualify(actor=org.salesperson, lead_id=lead.pk, reason="  ")
    assert caught.value.errors == {"reason": [str(REASON_REQUIRED)]}
    assert Lead.objects.get(pk=lead.pk).status == "new"
    lead_disqualify(actor=org.salesperson, lead_id=lead.pk, reason="No budget this year")
    assert Lead.objects.get(pk=lead.pk).disqualify_reason == "No budget this year"
    lead_qualify(actor=org.salesperson, lead_id=lead.pk)
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("qualified", "")
    with pytest.raises(InvalidInput):
        lead_set_status(actor=org.salesperson, lead_id=lead.pk, status="converted")


def test_checklist_ticks_change_the_score(org) -> None:
    ScoringRule.objects.create(name="Budget", field="criterion_budget", operator="is_set", points=15)
    ScoringRule.objects.create(name="Polish", field="country", operator="equals", value="poland", points=5)
    lead = lead_create(actor=org.salesperson, last_name="Nowak", country="Poland")
    assert lead.score == 5
    lead = lead_set_qualification(actor=org.salesperson, lead_id=lead.pk, criteria={"budget": True})
    assert Lead.objects.get(pk=lead.pk).score == 20
    assert AuditEntry.objects.filter(record_id=lead.pk, note__contains="Budget").exists()
    with pytest.raises(InvalidInput) as caught:
        lead_set_qualification(actor=org.salesperson, lead_id=lead.pk, criteria={"astrology": True})
    assert caught.value.errors == {"qualification.astrology": [str(UNKNOWN_CRITERION)]}


# --- duplicates -----------------------------------------------------------------------------------


def test_duplicates_by_email_phone_and_fuzzy_name_among_visible_records(org) -> None:
    account = AccountFactory.create(name="Zabka Polska S.A.", owner=org.salesperson)
    same_email = ContactFactory.create(owner=org.salesperson, email="JAN@acme.pl", last_name="Other")
    same_phone = LeadFactory.create(owner=org.salesperson, phone="0048 601 234 567", country="PL", last_name="P")
    same_person = ContactFactory.create(owner=org.salesperson, first_name="Kowalski", last_name="Jan", account=account)
    LeadFactory.create(owner=org.other_salesperson, email="jan@acme.pl")  # not visible to the salesperson
    LeadFactory.create(owner=org.salesperson, first_name="Jan", last_name="Kowalski", company="Orlen")
    lead = Lead(
        first_name="Jan",
        last_name="Kowalski",
        company="Żabka Polska",
        email="jan@acme.pl",
        phone="+48 601-234-567",
        owner=org.salesperson,
    )
    found = {(m.kind, m.id): m.reason for m in duplicates_of(org.salesperson, lead)}
    assert found == {
        ("contact", same_email.pk): str(SAME_EMAIL),
        ("lead", same_phone.pk): str(SAME_PHONE),
        ("contact", same_person.pk): str(SAME_NAME_AND_COMPANY),
    }


# --- conversion -----------------------------------------------------------------------------------


def test_convert_creates_account_and_contact_and_locks_the_lead(org) -> None:
    lead = lead_create(
        actor=org.salesperson,
        first_name="Anna",
        last_name="Nowak",
        company="Nowak Logistics",
        email="anna@nowak.pl",
        city="Gdańsk",
        country="Poland",
    )
    done = convert.lead_convert(actor=org.salesperson, lead_id=lead.pk)
    lead.refresh_from_db()
    assert (done.account_created, done.contact_created, done.opportunity_id) == (True, True, None)
    assert done.account is not None
    assert (done.account.name, done.account.owner, done.account.city) == ("Nowak Logistics", org.salesperson, "Gdańsk")
    assert (done.contact.email, done.contact.account) == ("anna@nowak.pl", done.account)
    assert (lead.status, lead.converted_account, lead.converted_contact) == ("converted", done.account, done.contact)
    assert lead.converted_by == org.salesperson and lead.converted_at is not None
    with pytest.raises(RuleViolation) as caught:
        lead_update(actor=org.salesperson, lead_id=lead.pk, company="Changed")
    assert caught.value.message == str(CONVERTED_READ_ONLY)
    with pytest.raises(RuleViolation):
        convert.lead_convert(actor=org.salesperson, lead_id=lead.pk)
    assert AuditEntry.objects.filter(record_type="contact", record_id=done.contact.pk, note__contains="lead").exists()


def test_convert_into_existing_account_and_contact(org) -> None:
    account = AccountFactory.create(name="ACME sp. z o.o.", owner=org.salesperson)
    contact = ContactFactory.create(owner=org.salesperson, email="jan@acme.pl", last_name="Kowalski")
    lead = lead_create(actor=org.salesperson, last_name="Kowalski", company="Acme", email="JAN@acme.pl")
    suggestions = convert.conversion_suggestions(actor=org.salesperson, lead=lead)
    assert (suggestions.accounts, suggestions.contacts) == ([account], [contact])
    done = convert.lead_convert(actor=org.salesperson, lead_id=lead.pk, account_id=account.pk, contact_id=contact.pk)
    assert (done.account_created, done.contact_created) == (False, False)
    assert AccountContact.objects.filter(account=account, contact=contact).exists()
    assert Contact.objects.get(pk=contact.pk).account == account
    assert Account.objects.count() == 1 and Contact.objects.count() == 1


def test_convert_refusals_change_nothing(org) -> None:
    lead = lead_create(actor=org.salesperson, last_name="Nowak", company="Nowak")
    hidden = AccountFactory.create(owner=org.other_salesperson)
    with pytest.raises(RecordNotFound):
        convert.lead_convert(actor=org.salesperson, lead_id=lead.pk, account_id=hidden.pk)
    with pytest.raises(InvalidInput):
        # an opportunity needs an account
        convert.lead_convert(actor=org.salesperson, lead_id=lead.pk, create_account=False, create_opportunity=True)
    lead_disqualify(actor=org.salesperson, lead_id=lead.pk, reason="Student")
    with pytest.raises(RuleViolation) as caught:
        convert.lead_convert(actor=org.salesperson, lead_id=lead.pk)
    assert caught.value.message == str(convert.DISQUALIFIED_NOT_CONVERTIBLE)
    assert (Account.objects.exclude(pk=hidden.pk).count(), Contact.objects.count()) == (0, 0)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.DISQUALIFIED


def test_convert_without_company_makes_only_a_contact(org) -> None:
    lead = lead_create(actor=org.salesperson, first_name="Ewa", last_name="Solo")
    done = convert.lead_convert(actor=org.salesperson, lead_id=lead.pk)
    assert done.account is None and done.contact.account is None and done.contact.full_name == "Ewa Solo"


# --- merge ----------------------------------------------------------------------------------------


def test_merge_takes_chosen_fields_fills_blanks_unites_tags_and_deletes_the_duplicate(org) -> None:
    keep = lead_create(actor=org.emea_manager, last_name="Nowak", company="Old", tags=["a"], owner=org.salesperson.pk)
    duplicate = lead_create(
        actor=org.emea_manager,
        last_name="Nowak",
        company="New",
        phone="601 234 567",
        tags=["b"],
        owner=org.salesperson.pk,
    )
    lead_set_qualification(actor=org.emea_manager, lead_id=duplicate.pk, criteria={"need": True})
    fields = [name for name, _ours, _theirs in merge.merge_differences(keep, Lead.objects.get(pk=duplicate.pk))]
    assert fields == ["company", "phone"]
    kept = merge.lead_merge(
        actor=org.emea_manager, keep_id=keep.pk, duplicate_id=duplicate.pk, take_from_duplicate=["company"]
    )
    kept.refresh_from_db()
    assert (kept.company, kept.phone, kept.qualification) == ("New", "601 234 567", {"need": True})
    assert sorted(kept.tags.values_list("name", flat=True)) == ["a", "b"]
    assert not Lead.objects.filter(pk=duplicate.pk).exists()
    assert AuditEntry.objects.filter(record_type="lead", record_id=keep.pk, action="merge").exists()
    with pytest.raises(InvalidInput):
        merge.lead_merge(actor=org.emea_manager, keep_id=keep.pk, duplicate_id=keep.pk)
