"""Fixtures for the settings pages: the administrator's client and a snapshot of what they manage."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rapport.core.models import (
    Currency,
    CustomField,
    ExchangeRate,
    OrganisationSettings,
    RolePermission,
    Team,
    Territory,
    User,
)
from rapport.customers.models import CustomerCategory


@pytest.fixture
def admin_client(org: Any, client_for: Any) -> Client:
    return client_for(org.admin)


def settings_state() -> dict[str, Any]:
    """Everything the settings pages can change, to prove a refused request changed nothing."""
    return {
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "email", "password", "is_active", "role_id", "team_id", "manager_id", "time_zone"
            )
        ),
        "teams": list(Team.objects.order_by("pk").values_list("pk", "name", "parent_id", "path", "manager_id")),
        "territories": list(Territory.objects.order_by("pk").values_list("pk", "name", "parent_id", "path")),
        "rights": list(
            RolePermission.objects.order_by("pk").values_list(
                "pk", "can_create", "can_read", "can_edit", "can_delete", "scope"
            )
        ),
        "fields": list(CustomField.objects.order_by("pk").values_list("pk", "label", "required", "choices")),
        "categories": list(CustomerCategory.objects.order_by("pk").values_list("pk", "name", "active")),
        "currencies": list(Currency.objects.order_by("code").values_list("code", "name", "active")),
        "rates": list(ExchangeRate.objects.order_by("pk").values_list("pk", "valid_from", "rate")),
        "organisation": list(
            OrganisationSettings.objects.values_list(
                "company_name", "company_currency_id", "company_address", "company_logo"
            )
        ),
    }
