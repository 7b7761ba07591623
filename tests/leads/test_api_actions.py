"""`/api/v1/leads/{id}/…` actions: status, qualify / disqualify, qualification checklist, convert,
merge, and bulk reassignment."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rapport.core.models import AuditEntry, Notification, User
from rapport.customers.models import Account, AccountContact, Contact
from rapport.leads.models import Lead, LeadStatus, ScoringRule
from rapport.leads.services.convert import DISQUALIFIED_NOT_CONVERTIBLE
from rapport.leads.services.leads import (
    CONVERT_TO_CONVERT,
    CONVERTED_READ_ONLY,
    REASON_REQUIRED,
    UNKNOWN_CHOICE,
    UNKNOWN_CRITERION,
)
from rapport.leads.services.merge import MERGE_SAME, NOT_MERGEABLE
from rapport.pipeline.conversion import ACCOUNT_NEEDED
from tests.api.conftest import ApiClient, assert_problem, db_snapshot, token_for
from tests.factories import AccountFactory, ContactFactory, LeadFactory, lead_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for() -> Callable[[User], ApiClient]:
    return lambda user: ApiClient(token_for(user))


@pytest.fixture
def lead(org) -> Lead:
    return LeadFactory.create(
        owner=org.salesperson,
        first_name="Anna",
        last_name="Nowak",
        company="Acme Sp. z o.o.",
        email="anna@acme.pl",
        phone="+48 601 234 567",
        city="Kraków",
        country="Poland",
    )


# --- status ----------------------------------------------------------------------------------------


def test_status_qualify_and_disqualify(org, api_for, lead):
    api = api_for(org.salesperson)
    body = api.post(f"leads/{lead.pk}/status", {"status": "contacted"}).json()
    assert body["status"] == "contacted" and body["id"] == lead.pk
    assert api.post(f"leads/{lead.pk}/qualify").json()["status"] == "qualified"
    body = api.post(f"leads/{lead.pk}/disqualify", {"reason": "  No   budget this year "}).json()
    assert (body["status"], body["disqualify_reason"]) == ("disqualified", "No budget this year")
    body = api.post(f"leads/{lead.pk}/status", {"status": "new"}).json()
    assert (body["status"], body["disqualify_reason"]) == ("new", "")
    body = api.post(f"leads/{lead.pk}/status", {"status": "disqualified", "reason": "Student"}).json()
    assert (body["status"], body["disqualify_reason"]) == ("disqualified", "Student")
    history = api.get(f"leads/{lead.pk}/history").json()
    assert history[0]["changes"]["status"] == ["new", "disqualified"]


def test_disqualify_without_reason_is_422_and_changes_nothing(org, api_for, lead):
    api = api_for(org.salesperson)
    before = db_snapshot()
    for response in (
        api.post(f"leads/{lead.pk}/disqualify", {}),
        api.post(f"leads/{lead.pk}/disqualify", {"reason": "   "}),
        api.post(f"leads/{lead.pk}/status", {"status": "disqualified"}),
    ):
        body = assert_problem(response, 422, {"reason"})
        assert body["errors"]["reason"] == [str(REASON_REQUIRED)]
    body = assert_problem(api.post(f"leads/{lead.pk}/status", {"status": "converted"}), 422, {"status"})
    assert body["errors"]["status"] == [str(CONVERT_TO_CONVERT)]
    assert_problem(api.post(f"leads/{lead.pk}/status", {"status": "won"}), 422, {"status"})
    assert_problem(api.post(f"leads/{lead.pk}/status", {}), 422, {"status"})
    assert db_snapshot() == before
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_qualification_put_recomputes_the_score(org, api_for, lead):
    ScoringRule.objects.create(name="Budget", field="criterion_budget", operator="is_set", points=25)
    ScoringRule.objects.create(name="Need", field="criterion_need", operator="is_set", points=10)
    api = api_for(org.salesperson)
    body = api.put(f"leads/{lead.pk}/qualification", {"criteria": {"budget": True, "need": True}}).json()
    assert (body["qualification"], body["score"]) == ({"budget": True, "need": True}, 35)
    body = api.put(f"leads/{lead.pk}/qualification", {"criteria": {"need": False}}).json()
    assert (body["qualification"], body["score"]) == ({"budget": True, "need": False}, 25)
    assert Lead.objects.get(pk=lead.pk).score == 25
    assert api.get("leads", score_min=20).json()["count"] == 1
    before = db_snapshot()
    body = assert_problem(api.put(f"leads/{lead.pk}/qualification", {"criteria": {"luck": True}}), 422)
    assert body["errors"] == {"criteria.luck": [str(UNKNOWN_CRITERION)]}
    assert_problem(api.put(f"leads/{lead.pk}/qualification", {"criteria": {"budget": "maybe"}}), 422)
    assert_problem(api.put(f"leads/{lead.pk}/qualification", {}), 422, {"criteria"})
    assert db_snapshot() == before


# --- conversion ------------------------------------------------------------------------------------


def test_convert_to_a_new_account_and_contact(org, api_for, lead):
    api = api_for(org.salesperson)
    response = api.post(f"leads/{lead.pk}/convert", {})
    assert response.status_code == 200, response.content
    body = response.json()
    account, contact = Account.objects.get(pk=body["account"]), Contact.objects.get(pk=body["contact"])
    assert body == {
        "account": account.pk,
        "contact": contact.pk,
        "opportunity": None,
        "account_created": True,
        "contact_created": True,
    }
    assert (account.name, account.owner, account.city) == ("Acme Sp. z o.o.", org.salesperson, "Kraków")
    assert (contact.first_name, contact.last_name, contact.email, contact.account_id) == (
        "Anna",
        "Nowak",
        "anna@acme.pl",
        account.pk,
    )
    detail = api.get(f"leads/{lead.pk}").json()
    assert (detail["status"], detail["converted_account"], detail["converted_contact"]) == (
        "converted",
        account.pk,
        contact.pk,
    )
    assert detail["converted_at"] is not None


def test_convert_with_an_existing_account(org, api_for, lead):
    account = AccountFactory.create(owner=org.salesperson, name="ACME")
    body = api_for(org.salesperson).post(f"leads/{lead.pk}/convert", {"account": account.pk}).json()
    assert (body["account"], body["account_created"], body["contact_created"]) == (account.pk, False, True)
    assert Account.objects.count() == 1
    assert Contact.objects.get(pk=body["contact"]).account_id == account.pk


def test_convert_with_an_existing_contact(org, api_for, lead):
    account = AccountFactory.create(owner=org.salesperson, name="Acme")
    contact = ContactFactory.create(owner=org.salesperson, last_name="Nowak", account=None)
    body = api_for(org.salesperson).post(f"leads/{lead.pk}/convert", {"account": account.pk, "contact": contact.pk})
    assert body.json() == {
        "account": account.pk,
        "contact": contact.pk,
        "opportunity": None,
        "account_created": False,
        "contact_created": False,
    }
    assert Contact.objects.count() == 1
    assert Contact.objects.get(pk=contact.pk).account_id == account.pk
    assert AccountContact.objects.filter(account=account, contact=contact).exists()


def test_convert_without_a_company_makes_a_contact_only(org, api_for):
    lead = LeadFactory.create(owner=org.salesperson, last_name="Solo", company="")
    body = api_for(org.salesperson).post(f"leads/{lead.pk}/convert", {}).json()
    assert (body["account"], body["account_created"], body["contact_created"]) == (None, False, True)
    assert not Account.objects.exists()
    # asking for no account when there is a company: the same
    other = LeadFactory.create(owner=org.salesperson, last_name="Duo", company="Beta")
    body = api_for(org.salesperson).post(f"leads/{other.pk}/convert", {"create_account": False}).json()
    assert (body["account"], body["contact_created"]) == (None, True)
    assert not Account.objects.exists()


def test_convert_refusals_change_nothing(org, api_for, lead):
    api = api_for(org.salesperson)
    before = db_snapshot()
    # an opportunity needs an account
    payload = {"create_opportunity": True, "create_account": False}
    body = assert_problem(api.post(f"leads/{lead.pk}/convert", payload), 422, {"opportunity"})
    assert body["errors"]["opportunity"] == [str(ACCOUNT_NEEDED)]
    assert db_snapshot() == before
    hidden = AccountFactory.create(owner=org.other_salesperson, name="Hidden")
    before = db_snapshot()
    assert_problem(api.post(f"leads/{lead.pk}/convert", {"account": hidden.pk}), 404)
    assert db_snapshot() == before

    disqualified = LeadFactory.create(
        owner=org.salesperson, last_name="Gone", status=LeadStatus.DISQUALIFIED, disqualify_reason="Student"
    )
    before = db_snapshot()
    body = assert_problem(api.post(f"leads/{disqualified.pk}/convert", {}), 409)
    assert body["detail"] == str(DISQUALIFIED_NOT_CONVERTIBLE)
    assert db_snapshot() == before


def test_a_converted_lead_is_read_only(org, api_for, lead):
    api = api_for(org.salesperson)
    assert api.post(f"leads/{lead.pk}/convert", {}).status_code == 200
    before = db_snapshot()
    for response in (
        api.post(f"leads/{lead.pk}/convert", {}),
        api.patch(f"leads/{lead.pk}", {"city": "Gdańsk"}),
        api.patch(f"leads/{lead.pk}", {"status": "contacted"}),
        api.post(f"leads/{lead.pk}/qualify"),
        api.post(f"leads/{lead.pk}/disqualify", {"reason": "Late"}),
        api.put(f"leads/{lead.pk}/qualification", {"criteria": {"budget": True}}),
    ):
        assert assert_problem(response, 409)["detail"] == str(CONVERTED_READ_ONLY)
    assert db_snapshot() == before


def test_convert_is_hidden_or_forbidden_by_role(org, api_for, lead):
    readers = [api_for(org.executive), api_for(org.other_salesperson)]
    before = db_snapshot()
    assert_problem(readers[0].post(f"leads/{lead.pk}/convert", {}), 403)
    assert_problem(readers[1].post(f"leads/{lead.pk}/convert", {}), 404)
    assert db_snapshot() == before


# --- merge -----------------------------------------------------------------------------------------


def test_merge_takes_the_chosen_fields_and_deletes_the_duplicate(org, api_for, lead):
    lead.tags.create(name="Fair")
    duplicate = LeadFactory.create(
        owner=org.salesperson,
        first_name="Anna",
        last_name="Nowak",
        company="Acme",
        email="a.nowak@acme.pl",
        title="CFO",
        city="Warszawa",
        source=lead_source("event"),
    )
    duplicate.tags.create(name="VIP")
    api = api_for(org.emea_manager)
    response = api.post(f"leads/{lead.pk}/merge", {"duplicate": duplicate.pk, "take_from_duplicate": ["email"]})
    assert response.status_code == 200, response.content
    body = response.json()
    # chosen: e-mail; blanks filled: title, source; kept: city, company
    assert (body["email"], body["title"], body["source"], body["city"], body["company"]) == (
        "a.nowak@acme.pl",
        "CFO",
        "event",
        "Kraków",
        "Acme Sp. z o.o.",
    )
    assert body["tags"] == ["Fair", "VIP"]
    assert not Lead.objects.filter(pk=duplicate.pk).exists()
    assert AuditEntry.objects.filter(record_type="lead", record_id=lead.pk, action="merge").count() == 1
    assert api.get(f"leads/{lead.pk}/history").json()[0]["action"] == "merge"


def test_merge_refusals(org, api_for, lead):
    hidden = LeadFactory.create(owner=org.other_salesperson, last_name="Hidden")
    own = LeadFactory.create(owner=org.salesperson, last_name="Own")
    manager, salesperson = api_for(org.emea_manager), api_for(org.salesperson)
    before = db_snapshot()
    body = assert_problem(manager.post(f"leads/{lead.pk}/merge", {"duplicate": lead.pk}), 422, {"duplicate"})
    assert body["errors"]["duplicate"] == [str(MERGE_SAME)]
    body = assert_problem(
        manager.post(f"leads/{lead.pk}/merge", {"duplicate": own.pk, "take_from_duplicate": ["score"]}), 422, {"score"}
    )
    assert body["errors"]["score"] == [str(NOT_MERGEABLE)]
    assert_problem(manager.post(f"leads/{lead.pk}/merge", {"duplicate": hidden.pk}), 404)
    assert_problem(manager.post(f"leads/{lead.pk}/merge", {"duplicate": 2**70}), 422, {"duplicate"})
    # merging deletes the duplicate: a salesperson (no delete right) may not
    assert_problem(salesperson.post(f"leads/{lead.pk}/merge", {"duplicate": own.pk}), 403)
    assert db_snapshot() == before


# --- reassignment ----------------------------------------------------------------------------------


def test_reassign_counts_changes_and_notifies_once(org, api_for):
    leads = [LeadFactory.create(owner=org.salesperson, last_name=f"L{i}") for i in range(3)]
    already = LeadFactory.create(owner=org.colleague, last_name="Already")
    hidden = LeadFactory.create(owner=org.other_salesperson, last_name="Hidden")
    converted = LeadFactory.create(owner=org.salesperson, last_name="Done")
    Lead.objects.filter(pk=converted.pk).update(status=LeadStatus.CONVERTED, converted_at="2026-01-01T00:00:00Z")
    api = api_for(org.emea_manager)
    ids = [lead.pk for lead in leads] + [already.pk, hidden.pk, converted.pk, 999_999_999]
    response = api.post("leads/reassign", {"ids": ids, "owner": org.colleague.pk})
    assert response.status_code == 200, response.content
    assert response.json() == {"changed": 3}
    assert set(Lead.objects.filter(owner=org.colleague).values_list("last_name", flat=True)) == {
        "L0",
        "L1",
        "L2",
        "Already",
    }
    assert Lead.objects.get(pk=hidden.pk).owner == org.other_salesperson
    assert Lead.objects.get(pk=converted.pk).owner == org.salesperson
    assert Notification.objects.filter(recipient=org.colleague).count() == 1


def test_reassign_refusals(org, api_for):
    lead = LeadFactory.create(owner=org.salesperson, last_name="Mine")
    salesperson, executive = api_for(org.salesperson), api_for(org.executive)
    before = db_snapshot()
    body = assert_problem(salesperson.post("leads/reassign", {"ids": [lead.pk], "owner": 999_999_999}), 422)
    assert body["errors"] == {"owner": [str(UNKNOWN_CHOICE % {"what": "user"})]}
    assert_problem(salesperson.post("leads/reassign", {"ids": ["x"], "owner": org.colleague.pk}), 422, {"ids.0"})
    assert_problem(salesperson.post("leads/reassign", {"ids": [1] * 1001, "owner": org.colleague.pk}), 422, {"ids"})
    assert_problem(salesperson.post("leads/reassign", {"owner": org.colleague.pk}), 422, {"ids"})
    assert_problem(executive.post("leads/reassign", {"ids": [lead.pk], "owner": org.colleague.pk}), 403)
    assert db_snapshot() == before
    # a salesperson may hand their own lead over (it then leaves their sight)
    assert salesperson.post("leads/reassign", {"ids": [lead.pk], "owner": org.colleague.pk}).json() == {"changed": 1}
