"""Customer categories: add, rename, deactivate with a confirmation, reactivate."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rapport.core.errors import ActionNotAllowed, InvalidInput
from rapport.customers.models import CustomerCategory
from rapport.customers.services_categories import (
    CATEGORY_NAME_NEEDED,
    CATEGORY_NAME_TAKEN,
    customer_category_create,
    customer_category_update,
)
from tests.factories import AccountFactory
from tests.settings_pages.conftest import settings_state


def test_add_rename_deactivate_and_reactivate(org: Any, admin_client: Client) -> None:
    data = {"name": "  Key account ", "description": "Top 20", "position": "1"}
    assert admin_client.post(reverse("settings:category_create"), data).status_code == 302
    category = CustomerCategory.objects.get()
    assert (category.name, category.description, category.position, category.active) == (
        "Key account",
        "Top 20",
        1,
        True,
    )
    AccountFactory.create(owner=org.salesperson, category=category)

    url = reverse("settings:category_edit", args=[category.pk])
    assert admin_client.post(url, {"name": "Strategic", "description": "", "position": "2"}).status_code == 302
    category.refresh_from_db()
    assert (category.name, category.position) == ("Strategic", 2)

    deactivate = reverse("settings:category_deactivate", args=[category.pk])
    assert "no longer be offered" in admin_client.get(deactivate).content.decode()
    category.refresh_from_db()
    assert category.active
    assert admin_client.post(deactivate).status_code == 302
    category.refresh_from_db()
    assert not category.active
    assert category.accounts.count() == 1  # accounts keep it

    listing = admin_client.get(reverse("settings:categories"))
    assert [(c.name, c.account_count, c.active) for c in listing.context["categories"]] == [("Strategic", 1, False)]

    assert admin_client.post(reverse("settings:category_reactivate", args=[category.pk])).status_code == 302
    category.refresh_from_db()
    assert category.active


def test_a_taken_name_is_refused_whatever_its_case(org: Any, admin_client: Client) -> None:
    customer_category_create(actor=org.admin, name="Public sector")
    before = settings_state()
    response = admin_client.post(reverse("settings:category_create"), {"name": "PUBLIC SECTOR", "position": "0"})
    assert response.context["form"].errors["name"] == [str(CATEGORY_NAME_TAKEN)]
    assert str(CATEGORY_NAME_TAKEN) in response.content.decode()
    assert settings_state() == before


def test_services_are_for_administrators_and_validate(org: Any) -> None:
    with pytest.raises(ActionNotAllowed):
        customer_category_create(actor=org.emea_manager, name="SMB")
    with pytest.raises(InvalidInput) as exc:
        customer_category_create(actor=org.admin, name="   ")
    assert exc.value.errors == {"name": [str(CATEGORY_NAME_NEEDED)]}
    smb = customer_category_create(actor=org.admin, name="SMB")
    other = customer_category_create(actor=org.admin, name="Enterprise")
    with pytest.raises(InvalidInput) as exc:
        customer_category_update(actor=org.admin, category=other, name="smb")
    assert exc.value.errors == {"name": [str(CATEGORY_NAME_TAKEN)]}
    # Keeping its own name (in another case) is fine.
    assert customer_category_update(actor=org.admin, category=smb, name="Smb").name == "Smb"
    assert list(CustomerCategory.objects.values_list("name", flat=True)) == ["Enterprise", "Smb"]
