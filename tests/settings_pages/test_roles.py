"""The rights matrix: a change saved here is what visibility uses on the next request."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from rapport.core.models import RolePermission, Scope, User
from rapport.core.visibility import visible_to
from rapport.customers.models import Account
from tests.factories import AccountFactory
from tests.settings_pages.conftest import settings_state


def _current_matrix(admin_client: Client, code: str) -> dict[str, str]:
    """The form data the page would submit unchanged (checked boxes as "on")."""
    form = admin_client.get(reverse("settings:role", args=[code])).context["form"]
    data: dict[str, str] = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if name.endswith("__scope"):
            data[name] = value
        elif value:
            data[name] = "on"
    return data


def test_widening_the_salesperson_scope_to_team_shows_a_colleagues_account(org: Any, admin_client: Client) -> None:
    colleagues_account = AccountFactory.create(owner=org.colleague, name="Colleague's account")
    AccountFactory.create(owner=org.other_salesperson, name="Other team's account")
    assert list(visible_to(org.salesperson, Account)) == []

    data = _current_matrix(admin_client, "salesperson")
    assert data["account__scope"] == Scope.OWN
    data["account__scope"] = Scope.TEAM
    response = admin_client.post(reverse("settings:role", args=["salesperson"]), data)
    assert response.status_code == 302

    assert RolePermission.objects.get(role_id="salesperson", record_type="account").scope == Scope.TEAM
    salesperson = User.objects.get(pk=org.salesperson.pk)  # as on their next request
    assert list(visible_to(salesperson, Account)) == [colleagues_account]


def test_unchecking_read_hides_everything_and_other_roles_are_untouched(org: Any, admin_client: Client) -> None:
    AccountFactory.create(owner=org.salesperson)
    assert visible_to(org.salesperson, Account).exists()
    manager_rights = list(RolePermission.objects.filter(role_id="sales_manager").values())
    data = _current_matrix(admin_client, "salesperson")
    del data["account__read"]
    assert admin_client.post(reverse("settings:role", args=["salesperson"]), data).status_code == 302
    assert not visible_to(User.objects.get(pk=org.salesperson.pk), Account).exists()
    assert list(RolePermission.objects.filter(role_id="sales_manager").values()) == manager_rights


def test_an_unknown_scope_is_refused_and_nothing_is_saved(org: Any, admin_client: Client) -> None:
    data = _current_matrix(admin_client, "salesperson")
    data["account__scope"] = "everyone"
    data["contact__delete"] = "on"
    before = settings_state()
    response = admin_client.post(reverse("settings:role", args=["salesperson"]), data)
    assert response.status_code == 200
    assert "account__scope" in response.context["form"].errors
    assert settings_state() == before


def test_the_matrix_explains_scopes_and_lists_every_role(admin_client: Client, org: Any) -> None:
    html = admin_client.get(reverse("settings:role", args=["marketing"])).content.decode()
    assert "sub-teams" in html
    for code in ("administrator", "sales_manager", "salesperson", "marketing", "executive", "department_member"):
        assert reverse("settings:role", args=[code]) in html
    assert admin_client.get(reverse("settings:role", args=["nobody"])).status_code == 404
