"""Creating, editing, deleting, merging and linking records through the pages' forms."""

from __future__ import annotations

import pytest

from rapport.core.customfields import REQUIRED
from rapport.core.models import AuditAction, AuditEntry, CustomField, CustomFieldType, Notification
from rapport.customers import services
from rapport.customers.models import Account, AccountContact, Contact
from rapport.customers.services import PARENT_CYCLE, UNKNOWN_CHOICE
from rapport.customers.views import ACCOUNT_CREATED, ACCOUNTS_MERGED

pytestmark = pytest.mark.django_db

ACCOUNT_FORM = {"name": "Nowa Firma", "type": "customer", "country": "Poland"}


def test_creating_an_account_makes_me_the_owner_and_audits_it(client_for, org) -> None:
    client = client_for(org.salesperson)
    form = client.get("/accounts/new/").context["form"]
    assert form["owner"].initial == org.salesperson.pk
    response = client.post("/accounts/new/", {**ACCOUNT_FORM, "owner": org.salesperson.pk}, follow=True)
    account = Account.objects.get(name="Nowa Firma")
    assert response.redirect_chain[-1][0] == f"/accounts/{account.pk}/"
    assert str(ACCOUNT_CREATED % {"name": "Nowa Firma"}) in response.content.decode()
    assert (account.owner, account.type, account.country, account.created_by) == (
        org.salesperson,
        "customer",
        "Poland",
        org.salesperson,
    )
    entry = AuditEntry.objects.get(record_type="account", record_id=account.pk)
    assert entry.action == AuditAction.CREATE
    assert entry.actor == org.salesperson
    assert entry.changes["name"] == ["", "Nowa Firma"]


def test_required_custom_field_message_and_nothing_saved(client_for, org, tier_field) -> None:
    client = client_for(org.salesperson)
    response = client.post("/accounts/new/", {**ACCOUNT_FORM, "owner": org.salesperson.pk})
    assert response.status_code == 422
    assert response.context["form"].errors["cf_tier"] == [str(REQUIRED)]
    assert str(REQUIRED) in response.content.decode()
    assert not Account.objects.exists()
    assert not AuditEntry.objects.exists()


def test_custom_field_values_are_saved(client_for, org, tier_field) -> None:
    CustomField.objects.create(record_type="account", key="vip", label="VIP", field_type=CustomFieldType.CHECKBOX)
    client = client_for(org.salesperson)
    response = client.post(
        "/accounts/new/", {**ACCOUNT_FORM, "owner": org.salesperson.pk, "cf_tier": "Gold", "cf_vip": "on"}
    )
    assert response.status_code == 302
    assert Account.objects.get().custom == {"tier": "Gold", "vip": True}


def test_service_errors_land_on_their_fields(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    url = f"/accounts/{scene.account.pk}/edit/"
    data = {"name": "Acme Polska", "type": "prospect", "owner": org.salesperson.pk}
    # Its own sub-account as parent: a rule of the service, shown next to the field.
    response = client.post(url, {**data, "parent": scene.child.pk})
    assert response.status_code == 422
    assert response.context["form"].errors["parent"] == [str(PARENT_CYCLE)]
    # A parent the salesperson may not see is "unknown", like any other id.
    response = client.post(url, {**data, "parent": scene.hidden_account.pk})
    assert response.context["form"].errors["parent"] == [str(UNKNOWN_CHOICE % {"what": "account"})]
    scene.account.refresh_from_db()
    assert scene.account.parent_id is None


def test_editing_to_an_owner_outside_my_scope_is_refused(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    url = f"/accounts/{scene.account.pk}/edit/"
    response = client.post(url, {"name": "Acme Polska", "type": "prospect", "owner": org.other_salesperson.pk})
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [str(services.OUT_OF_SCOPE)]
    scene.account.refresh_from_db()
    assert scene.account.owner == org.salesperson


def test_editing_an_account_keeps_history(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    url = f"/accounts/{scene.account.pk}/edit/"
    form = client.get(url).context["form"]
    assert form.initial["name"] == "Acme Polska"
    data = {"name": "Acme Polska S.A.", "type": "customer", "owner": org.salesperson.pk, "city": "Kraków"}
    data["country"] = "Poland"
    assert client.post(url, data).status_code == 302
    scene.account.refresh_from_db()
    assert (scene.account.name, scene.account.type) == ("Acme Polska S.A.", "customer")
    page = client.get(f"/accounts/{scene.account.pk}/").content.decode()
    assert "Acme Polska S.A." in page
    history = client.get(f"/accounts/{scene.account.pk}/").context["history"]
    changes = {c.field: (c.old, c.new) for c in history[0].changes}
    assert changes["name"] == ("Acme Polska", "Acme Polska S.A.")
    # Choices read as their labels, not the stored codes.
    assert changes["type"] == ("Prospect", "Customer")


def test_assigning_to_a_colleague_notifies_them(client_for, org, scene) -> None:
    client = client_for(org.emea_manager)
    data = {"name": "Acme Polska", "type": "prospect", "owner": org.colleague.pk}
    assert client.post(f"/accounts/{scene.account.pk}/edit/", data).status_code == 302
    assert Notification.objects.filter(recipient=org.colleague).count() == 1


def test_creating_a_contact_at_an_account_with_a_role(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    form = client.get(f"/contacts/new/?account={scene.account.pk}").context["form"]
    assert form.initial["account"] == str(scene.account.pk)
    data = {
        "first_name": "Anna",
        "last_name": "Nowak",
        "account": scene.account.pk,
        "purchase_role": "decision_maker",
        "marketing_consent": "given",
        "owner": org.salesperson.pk,
    }
    response = client.post("/contacts/new/", data)
    contact = Contact.objects.get(last_name="Nowak")
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert contact.account == scene.account
    assert contact.consent_changed_at is not None
    link = AccountContact.objects.get(contact=contact)
    assert (link.account, link.purchase_role) == (scene.account, "decision_maker")


def test_contact_without_last_name_is_not_saved(client_for, org) -> None:
    client = client_for(org.salesperson)
    response = client.post("/contacts/new/", {"first_name": "Anna", "marketing_consent": "unknown"})
    assert response.status_code == 422
    assert "last_name" in response.context["form"].errors
    assert not Contact.objects.exists()


def test_linking_and_unlinking_another_account(client_for, org, scene) -> None:
    client = client_for(org.salesperson)
    url = f"/contacts/{scene.contact.pk}/links/"
    assert client.post(url, {"account": scene.child.pk, "purchase_role": "influencer"}).status_code == 302
    assert AccountContact.objects.get(contact=scene.contact, account=scene.child).purchase_role == "influencer"
    # A hidden account cannot be linked.
    client.post(url, {"account": scene.hidden_account.pk})
    assert not AccountContact.objects.filter(contact=scene.contact, account=scene.hidden_account).exists()
    page = client.get(f"/contacts/{scene.contact.pk}/")
    assert [link.account for link in page.context["links"]] == [scene.account, scene.child]
    response = client.post(f"/contacts/{scene.contact.pk}/links/{scene.child.pk}/remove/")
    assert response.status_code == 302
    assert not AccountContact.objects.filter(contact=scene.contact, account=scene.child).exists()


def test_delete_confirmation_then_delete(client_for, org, scene) -> None:
    client = client_for(org.emea_manager)
    page = client.get(f"/accounts/{scene.account.pk}/delete/")
    assert page.context["contact_count"] == 1
    assert page.context["child_count"] == 1
    assert Account.objects.filter(pk=scene.account.pk).exists()
    assert client.post(f"/accounts/{scene.account.pk}/delete/")["Location"] == "/accounts/"
    assert not Account.objects.filter(pk=scene.account.pk).exists()
    assert AuditEntry.objects.filter(record_id=scene.account.pk, action=AuditAction.DELETE).exists()
    assert client.post(f"/contacts/{scene.contact.pk}/delete/")["Location"] == "/contacts/"
    assert not Contact.objects.filter(pk=scene.contact.pk).exists()


def test_merge_preview_then_merge(client_for, org, scene) -> None:
    duplicate = services.account_create(
        actor=org.salesperson, name="ACME Polska (dup)", phone="+48 12 345 67 89", city="Warszawa"
    )
    services.contact_create(actor=org.salesperson, last_name="Zieliński", account=duplicate.pk)
    client = client_for(org.emea_manager)
    url = f"/accounts/{scene.account.pk}/merge/"
    preview = client.get(f"{url}?duplicate={duplicate.pk}")
    assert preview.status_code == 200
    rows = {str(r["label"]): r for r in preview.context["preview"]}
    assert rows["phone"]["from_duplicate"] is True
    assert rows["city"]["from_duplicate"] is False
    assert preview.context["moving_contacts"] == 1
    assert Account.objects.filter(pk=duplicate.pk).exists()
    response = client.post(url, {"duplicate": duplicate.pk}, follow=True)
    assert response.redirect_chain[-1][0] == f"/accounts/{scene.account.pk}/"
    message = ACCOUNTS_MERGED % {"duplicate": "ACME Polska (dup)", "name": "Acme Polska"}
    assert str(message) in response.content.decode()
    scene.account.refresh_from_db()
    assert (scene.account.phone, scene.account.city) == ("+48 12 345 67 89", "Kraków")
    assert not Account.objects.filter(pk=duplicate.pk).exists()
    assert Contact.objects.get(last_name="Zieliński").account == scene.account
