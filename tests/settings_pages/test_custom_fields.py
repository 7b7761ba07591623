"""Custom fields defined here appear on the record forms and keep their key and type."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from rapport.core import customfields
from rapport.core.models import CustomField
from rapport.core.models.customfields import key_validator
from rapport.core.services.customfields import CHOICES_NEEDED, KEY_TAKEN
from tests.factories import AccountFactory
from tests.settings_pages.conftest import settings_state


def _field_data(**overrides: str) -> dict[str, str]:
    data = {
        "key": "segment",
        "label": "Market segment",
        "field_type": "choice",
        "choices": "Retail\nWholesale\n\n Public sector \n",
        "help_text": "Where the customer sells.",
        "position": "",
    }
    data.update(overrides)
    return data


def test_a_field_added_here_appears_on_the_account_form(org: Any, admin_client: Client, client_for: Any) -> None:
    assert "Market segment" not in client_for(org.salesperson).get("/accounts/new/").content.decode()
    response = admin_client.post(reverse("settings:custom_field_create", args=["account"]), _field_data(required="on"))
    assert response.status_code == 302
    field = CustomField.objects.get(record_type="account", key="segment")
    assert (field.label, field.required, field.choices) == (
        "Market segment",
        True,
        ["Retail", "Wholesale", "Public sector"],
    )

    form_page = client_for(org.salesperson).get("/accounts/new/")
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert "Market segment" in html
    assert "Where the customer sells." in html
    assert "Public sector" in html
    assert customfields.fields_for("account") == [field]
    assert customfields.fields_for("contact") == []


def test_key_must_be_unique_per_record_type_and_choices_are_needed(org: Any, admin_client: Client) -> None:
    url = reverse("settings:custom_field_create", args=["account"])
    assert admin_client.post(url, _field_data()).status_code == 302
    before = settings_state()
    response = admin_client.post(url, _field_data(label="Again"))
    assert response.context["form"].errors["key"] == [str(KEY_TAKEN)]
    response = admin_client.post(url, _field_data(key="other", choices=" \n "))
    assert response.context["form"].errors["choices"] == [str(CHOICES_NEEDED)]
    response = admin_client.post(url, _field_data(key="Bad Key"))
    assert response.context["form"].errors["key"] == [str(key_validator.message)]
    assert settings_state() == before
    # The same key on another record type is fine.
    assert (
        admin_client.post(reverse("settings:custom_field_create", args=["contact"]), _field_data()).status_code == 302
    )
    assert admin_client.get(reverse("settings:custom_field_create", args=["nothing"])).status_code == 404


def test_edit_changes_label_and_choices_but_not_key_or_type(org: Any, admin_client: Client) -> None:
    admin_client.post(reverse("settings:custom_field_create", args=["account"]), _field_data())
    field = CustomField.objects.get(key="segment")
    data = {
        "label": "Segment",
        "choices": "Retail\nOnline",
        "help_text": "",
        "position": "3",
        "key": "renamed",
        "field_type": "text",
    }
    assert admin_client.post(reverse("settings:custom_field_edit", args=[field.pk]), data).status_code == 302
    field.refresh_from_db()
    assert (field.key, field.field_type, field.label, field.choices, field.position) == (
        "segment",
        "choice",
        "Segment",
        ["Retail", "Online"],
        3,
    )


def test_delete_warns_that_values_stay_stored(org: Any, admin_client: Client) -> None:
    field = CustomField.objects.create(record_type="account", key="tier", label="Tier", field_type="text")
    account = AccountFactory.create(owner=org.salesperson, custom={"tier": "Gold"})
    url = reverse("settings:custom_field_delete", args=[field.pk])
    page = admin_client.get(url).content.decode()
    assert "stay stored" in page
    assert CustomField.objects.filter(pk=field.pk).exists()
    assert admin_client.post(url).status_code == 302
    assert not CustomField.objects.filter(pk=field.pk).exists()
    account.refresh_from_db()
    assert account.custom == {"tier": "Gold"}
