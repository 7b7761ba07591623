"""Users: list with filters, create, edit, deactivate/reactivate — through the services' rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rapport.core.models import LoginEvent, User
from rapport.core.services.org import CANNOT_DEACTIVATE_SELF, EMAIL_TAKEN, LAST_ADMIN
from tests.factories import PASSWORD, TerritoryFactory, UserFactory
from tests.settings_pages.conftest import settings_state

NEW_PASSWORD = "a-quiet-lighthouse-42"


def _user_data(org: Any, **overrides: str) -> dict[str, str]:
    data = {
        "email": "New.Person@Example.com",
        "first_name": "Nina",
        "last_name": "Nowak",
        "password": NEW_PASSWORD,
        "role": "salesperson",
        "team": str(org.poland.pk),
        "territory": "",
        "manager": str(org.emea_manager.pk),
        "language": "pl",
        "time_zone": "Europe/Warsaw",
        "hourly_cost_rate": "55.50",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_user_who_then_logs_in_with_their_email(org: Any, admin_client: Client) -> None:
    europe = TerritoryFactory.create(name="Europe")
    response = admin_client.post(reverse("settings:user_create"), _user_data(org, territory=str(europe.pk)))
    assert response.status_code == 302
    assert response["Location"] == reverse("settings:users")

    user = User.objects.get(email="new.person@example.com")
    assert (user.first_name, user.role_id, user.team, user.territory, user.manager) == (
        "Nina",
        "salesperson",
        org.poland,
        europe,
        org.emea_manager,
    )
    assert (user.language, user.time_zone, user.hourly_cost_rate) == ("pl", "Europe/Warsaw", Decimal("55.50"))

    visitor = Client()
    login = visitor.post(reverse("login"), {"username": "new.person@example.com", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert visitor.session["_auth_user_id"] == str(user.pk)
    assert LoginEvent.objects.filter(user=user, succeeded=True).count() == 1


def test_a_taken_email_is_shown_next_to_the_field_and_nothing_is_created(org: Any, admin_client: Client) -> None:
    count = User.objects.count()
    response = admin_client.post(reverse("settings:user_create"), _user_data(org, email="SALES@example.com"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [str(EMAIL_TAKEN)]
    assert str(EMAIL_TAKEN) in response.content.decode()
    assert User.objects.count() == count


def test_a_weak_password_and_an_unknown_time_zone_are_refused_per_field(org: Any, admin_client: Client) -> None:
    before = settings_state()
    response = admin_client.post(
        reverse("settings:user_create"), _user_data(org, password="12345678", time_zone="Mars/Olympus")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "time_zone" in errors
    assert settings_state() == before
    response = admin_client.post(reverse("settings:user_create"), _user_data(org, password="12345678"))
    assert "This password is entirely numeric." in response.context["form"].errors["password"]
    assert settings_state() == before


def test_edit_changes_the_profile_and_optionally_resets_the_password(org: Any, admin_client: Client) -> None:
    url = reverse("settings:user_edit", args=[org.colleague.pk])
    data = _user_data(org, email="colleague@example.com", password="", role="sales_manager", is_active="on")
    assert admin_client.post(url, data).status_code == 302
    org.colleague.refresh_from_db()
    assert org.colleague.role_id == "sales_manager"
    assert org.colleague.check_password(PASSWORD)  # an empty password keeps the old one

    assert admin_client.post(url, {**data, "password": NEW_PASSWORD}).status_code == 302
    org.colleague.refresh_from_db()
    assert org.colleague.check_password(NEW_PASSWORD)


def test_deactivate_asks_first_then_blocks_login(org: Any, admin_client: Client) -> None:
    url = reverse("settings:user_deactivate", args=[org.salesperson.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    org.salesperson.refresh_from_db()
    assert org.salesperson.is_active  # asking changed nothing

    assert admin_client.post(url).status_code == 302
    org.salesperson.refresh_from_db()
    assert not org.salesperson.is_active
    assert not Client().login(email=org.salesperson.email, password=PASSWORD)

    assert admin_client.post(reverse("settings:user_reactivate", args=[org.salesperson.pk])).status_code == 302
    org.salesperson.refresh_from_db()
    assert org.salesperson.is_active


def test_deactivating_the_last_administrator_is_refused(org: Any, client_for: Any) -> None:
    # A superuser whose role is not "administrator" may act, but does not count as an administrator.
    operator = UserFactory.create(email="operator@example.com", role_id="executive", is_superuser=True)
    client = client_for(operator)
    before = settings_state()
    response = client.post(reverse("settings:user_deactivate", args=[org.admin.pk]))
    assert response.status_code == 200
    assert str(LAST_ADMIN) in response.content.decode()
    assert settings_state() == before

    # Taking the role away through the edit form is refused the same way, as a form error.
    data = _user_data(org, email=org.admin.email, password="", role="salesperson", is_active="on")
    response = client.post(reverse("settings:user_edit", args=[org.admin.pk]), data)
    assert response.context["form"].non_field_errors() == [str(LAST_ADMIN)]
    assert settings_state() == before


def test_an_administrator_cannot_deactivate_themselves(org: Any, admin_client: Client) -> None:
    response = admin_client.post(reverse("settings:user_deactivate", args=[org.admin.pk]))
    assert str(CANNOT_DEACTIVATE_SELF) in response.content.decode()
    org.admin.refresh_from_db()
    assert org.admin.is_active


def test_list_searches_filters_sorts_and_paginates(org: Any, admin_client: Client) -> None:
    url = reverse("settings:users")
    emails = lambda response: [u.email for u in response.context["page"].items]  # noqa: E731

    assert emails(admin_client.get(url, {"q": "colleague"})) == ["colleague@example.com"]
    in_emea = emails(admin_client.get(url, {"team": str(org.emea.pk), "ordering": "email"}))
    assert in_emea == ["colleague@example.com", "emea.manager@example.com", "sales@example.com"]
    assert emails(admin_client.get(url, {"role": "administrator"})) == ["admin@example.com"]

    org.other_salesperson.is_active = False
    org.other_salesperson.save()
    assert emails(admin_client.get(url, {"active": "no"})) == ["other@example.com"]
    assert "other@example.com" not in emails(admin_client.get(url, {"active": "yes"}))

    UserFactory.create_batch(50, team=org.americas)
    first = admin_client.get(url, {"ordering": "email"})
    second = admin_client.get(url, {"ordering": "email", "page": "2"})
    assert first.context["page"].count == 58
    assert len(first.context["page"].items) == 50
    assert len(second.context["page"].items) == 8
    assert not set(emails(first)) & set(emails(second))

    fragment = admin_client.get(url, {"q": "colleague"}, headers={"HX-Request": "true", "HX-Target": "results"})
    html = fragment.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "colleague@example.com" in html


def test_a_manager_loop_is_refused(org: Any) -> None:
    from rapport.core.errors import InvalidInput
    from rapport.core.services.org import NOT_OWN_MANAGER, user_update

    # salesperson reports to emea_manager; making emea_manager report to salesperson closes a loop.
    with pytest.raises(InvalidInput) as refused:
        user_update(actor=org.admin, user=org.emea_manager, manager=org.salesperson)
    assert refused.value.errors == {"manager": [str(NOT_OWN_MANAGER)]}
    org.emea_manager.refresh_from_db()
    assert org.emea_manager.manager is None
