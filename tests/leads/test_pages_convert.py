"""Converting a lead through its page (new or existing account and contact) and merging two leads
field by field."""

from __future__ import annotations

import pytest

from rapport.core.models import AuditEntry, CustomField, CustomFieldType
from rapport.customers.models import Account, AccountContact, Contact
from rapport.leads.forms import CHOOSE_OTHER_ACCOUNT, OPPORTUNITY_HINT
from rapport.leads.models import Lead, LeadStatus, Tag
from rapport.leads.services.convert import DISQUALIFIED_NOT_CONVERTIBLE
from rapport.leads.services.leads import CONVERTED_READ_ONLY, lead_disqualify
from rapport.leads.views.conversion import CHOOSE_DUPLICATE, CONVERTED_TO_BOTH, CONVERTED_TO_CONTACT, LEADS_MERGED
from tests.factories import AccountFactory, ContactFactory
from tests.leads.ui_support import make_lead, shown_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(org) -> Lead:
    lead = make_lead(
        org.salesperson,
        "Wiśniewska",
        first_name="Agnieszka",
        company="Mleczarnia Łowicz",
        email="a.wisniewska@mleczarnia.example",
        city="Łowicz",
        country="Poland",
    )
    return lead


# --- convert ------------------------------------------------------------------------------------------


def test_the_page_offers_a_new_account_by_default_and_an_opportunity(client_for, org, lead) -> None:
    response = client_for(org.salesperson).get(f"/leads/{lead.pk}/convert/")
    form = response.context["form"]
    assert form["account"].initial == "new"
    assert form["contact"].initial == "new"
    assert [value for value, _label in form.fields["account"].choices] == ["new", "other", "none"]
    html = response.content.decode()
    assert 'name="create_opportunity"' in html and "disabled" not in html.split('name="create_opportunity"')[1][:60]
    assert str(OPPORTUNITY_HINT) in html


def test_converting_with_an_opportunity_opens_it(client_for, org, lead) -> None:
    from rapport.pipeline.models import Opportunity

    response = client_for(org.salesperson).post(
        f"/leads/{lead.pk}/convert/", {"account": "new", "contact": "new", "create_opportunity": "on"}
    )
    opportunity = Opportunity.objects.get(source_lead=lead)
    assert response["Location"] == f"/opportunities/{opportunity.pk}/"
    assert (opportunity.account.name, opportunity.stage.name, opportunity.owner) == (
        "Mleczarnia Łowicz",
        "Prospecting",
        org.salesperson,
    )


def test_convert_to_a_new_account_and_contact(client_for, org, lead) -> None:
    client = client_for(org.salesperson)
    response = client.post(f"/leads/{lead.pk}/convert/", {"account": "new", "contact": "new"})
    account = Account.objects.get(name="Mleczarnia Łowicz")
    contact = Contact.objects.get(last_name="Wiśniewska")
    assert response["Location"] == f"/contacts/{contact.pk}/"
    message = CONVERTED_TO_BOTH % {"name": lead, "account": account, "contact": contact}
    assert shown_messages(response) == [str(message)]
    assert (contact.account, contact.email, contact.owner, account.city) == (
        account,
        "a.wisniewska@mleczarnia.example",
        org.salesperson,
        "Łowicz",
    )
    lead.refresh_from_db()
    assert (lead.status, lead.converted_account, lead.converted_contact, lead.converted_by) == (
        LeadStatus.CONVERTED,
        account,
        contact,
        org.salesperson,
    )


def test_a_converted_lead_is_read_only_with_links_and_its_history_follows(client_for, org, lead) -> None:
    client = client_for(org.salesperson)
    client.post(f"/leads/{lead.pk}/checklist/", {"criterion": "need", "met": "1"})
    client.post(f"/leads/{lead.pk}/convert/", {"account": "new", "contact": "new"})
    contact = Contact.objects.get()
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Converted on" in page
    assert f"/contacts/{contact.pk}/" in page
    assert f"/accounts/{contact.account_id}/" in page
    for action in ("edit/", "convert/", "merge/", "disqualify/"):
        assert f"/leads/{lead.pk}/{action}" not in page
    response = client.get(f"/leads/{lead.pk}/edit/", follow=True)
    assert str(CONVERTED_READ_ONLY) in response.content.decode()
    assert client.get(f"/leads/{lead.pk}/convert/", follow=True).redirect_chain[-1][0] == f"/leads/{lead.pk}/"
    # The contact's and the account's timelines tell the lead's story.
    contact_page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f"Lead {lead}: Need met" in contact_page
    account_page = client.get(f"/accounts/{contact.account_id}/").content.decode()
    assert f"Lead {lead}: created" in account_page


def test_convert_into_an_existing_account_and_contact(client_for, org, lead) -> None:
    account = AccountFactory.create(name="MLECZARNIA ŁOWICZ Sp. z o.o.", owner=org.salesperson)
    AccountFactory.create(name="Another", owner=org.salesperson)
    contact = ContactFactory.create(
        owner=org.salesperson, first_name="Agnieszka", last_name="Wiśniewska", email="a.wisniewska@mleczarnia.example"
    )
    client = client_for(org.salesperson)
    form = client.get(f"/leads/{lead.pk}/convert/").context["form"]
    assert form["account"].initial == str(account.pk)
    assert form["contact"].initial == str(contact.pk)
    response = client.post(f"/leads/{lead.pk}/convert/", {"account": str(account.pk), "contact": str(contact.pk)})
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert Account.objects.count() == 2
    assert Contact.objects.count() == 1
    contact.refresh_from_db()
    assert contact.account == account
    assert AccountContact.objects.filter(account=account, contact=contact).exists()


def test_convert_to_a_contact_only_or_another_account(client_for, org, lead) -> None:
    other = AccountFactory.create(name="Holding", owner=org.salesperson)
    client = client_for(org.salesperson)
    response = client.post(f"/leads/{lead.pk}/convert/", {"account": "other", "contact": "new"})
    assert response.status_code == 422
    assert response.context["form"].errors["other_account"] == [str(CHOOSE_OTHER_ACCOUNT)]
    assert not Contact.objects.exists()
    client.post(f"/leads/{lead.pk}/convert/", {"account": "other", "other_account": other.pk, "contact": "new"})
    assert Contact.objects.get().account == other
    second = make_lead(org.salesperson, "Solo", company="Solo Ltd")
    response = client.post(f"/leads/{second.pk}/convert/", {"account": "none", "contact": "new"})
    solo = Contact.objects.get(last_name="Solo")
    assert solo.account is None
    assert shown_messages(response) == [str(CONVERTED_TO_CONTACT % {"name": second, "contact": solo})]
    assert not Account.objects.filter(name="Solo Ltd").exists()


def test_an_account_the_actor_cannot_see_is_refused_and_nothing_happens(client_for, org, lead) -> None:
    hidden = AccountFactory.create(name="Secret", owner=org.other_salesperson)
    client = client_for(org.salesperson)
    response = client.post(
        f"/leads/{lead.pk}/convert/", {"account": "other", "other_account": hidden.pk, "contact": "new"}
    )
    assert response.status_code == 422
    assert "Not found." in response.content.decode()
    assert not Contact.objects.exists()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_a_disqualified_lead_is_not_converted(client_for, org, lead) -> None:
    lead_disqualify(actor=org.salesperson, lead_id=lead.pk, reason="Competitor")
    client = client_for(org.salesperson)
    response = client.get(f"/leads/{lead.pk}/convert/", follow=True)
    assert str(DISQUALIFIED_NOT_CONVERTIBLE) in response.content.decode()
    client.post(f"/leads/{lead.pk}/convert/", {"account": "new", "contact": "new"})
    assert not Contact.objects.exists()


def test_convert_needs_the_right_to_edit_leads(client_for, org, lead) -> None:
    assert (
        client_for(org.executive).post(f"/leads/{lead.pk}/convert/", {"account": "new", "contact": "new"}).status_code
        == 403
    )
    assert client_for(org.other_salesperson).get(f"/leads/{lead.pk}/convert/").status_code == 404
    assert not Contact.objects.exists()


# --- merge --------------------------------------------------------------------------------------------


@pytest.fixture
def pair(org):
    CustomField.objects.create(record_type="lead", key="fair", label="Fair", field_type=CustomFieldType.TEXT)
    sp = org.salesperson
    keep = make_lead(sp, "Kowal", first_name="Jan", company="Kowal SA", email="jan@kowal.pl", tags=["a"])
    duplicate = make_lead(
        sp,
        "Kowal",
        first_name="Janek",
        company="Kowal Spółka Akcyjna",
        email="jan@kowal.pl",
        phone="+48 600 100 200",
        tags=["b"],
        custom_fields={"fair": "Poznań"},
        qualification={"budget": True},
    )
    return keep, duplicate


def test_the_merge_page_lists_the_differing_fields(client_for, org, pair) -> None:
    keep, duplicate = pair
    response = client_for(org.emea_manager).get(f"/leads/{keep.pk}/merge/?duplicate={duplicate.pk}")
    rows = {row["name"]: row for row in response.context["rows"]}
    assert set(rows) == {"first_name", "company", "phone", "custom.fair"}
    assert (rows["first_name"]["keep"], rows["first_name"]["duplicate"], rows["first_name"]["take"]) == (
        "Jan",
        "Janek",
        False,
    )
    assert (rows["phone"]["take"], rows["custom.fair"]["label"], rows["custom.fair"]["take"]) == (True, "Fair", True)


def test_merge_takes_the_chosen_fields_unites_tags_and_deletes_the_duplicate(client_for, org, pair) -> None:
    keep, duplicate = pair
    client = client_for(org.emea_manager)
    response = client.post(
        f"/leads/{keep.pk}/merge/",
        {"duplicate": duplicate.pk, "field_company": "take", "field_first_name": "keep"},
    )
    assert response["Location"] == f"/leads/{keep.pk}/"
    assert shown_messages(response) == [str(LEADS_MERGED % {"duplicate": duplicate, "name": "Jan Kowal"})]
    keep.refresh_from_db()
    assert (keep.first_name, keep.company, keep.phone, keep.custom) == (
        "Jan",
        "Kowal Spółka Akcyjna",
        "+48 600 100 200",
        {"fair": "Poznań"},
    )
    assert sorted(keep.tags.values_list("name", flat=True)) == ["a", "b"]
    assert keep.qualification == {"budget": True}
    assert not Lead.objects.filter(pk=duplicate.pk).exists()
    assert Tag.objects.count() == 2
    actions = set(
        AuditEntry.objects.filter(record_type="lead", record_id__in=[keep.pk, duplicate.pk])
        .exclude(action="create")
        .values_list("record_id", "action")
    )
    assert actions == {(keep.pk, "merge"), (duplicate.pk, "delete")}


def test_merge_with_a_hidden_or_converted_lead_is_refused(client_for, org, pair) -> None:
    keep, _duplicate = pair
    hidden = make_lead(org.other_salesperson, "Kowal", email="jan@kowal.pl")
    client = client_for(org.emea_manager)
    for other in (hidden.pk, keep.pk, 999999):
        response = client.post(f"/leads/{keep.pk}/merge/", {"duplicate": other})
        assert response.status_code == 422
        assert response.context["form"].errors["duplicate"] == [str(CHOOSE_DUPLICATE)]
    assert Lead.objects.filter(pk=hidden.pk).exists()


def test_merge_needs_the_rights_to_edit_and_delete(client_for, org, pair) -> None:
    keep, duplicate = pair
    client = client_for(org.salesperson)
    assert client.post(f"/leads/{keep.pk}/merge/", {"duplicate": duplicate.pk}).status_code == 403
    assert Lead.objects.filter(pk=duplicate.pk).exists()
