"""Only active administrators reach the settings pages; everyone else is refused and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from rapport.core.models import CustomField
from rapport.web.settings import urls as settings_urls
from tests.factories import CategoryFactory, TerritoryFactory
from tests.settings_pages.conftest import settings_state


def _all_urls(org: Any) -> list[str]:
    """Every settings URL, with its parameters pointing at real rows so a leak would do something."""
    territory = TerritoryFactory.create(name="Europe")
    category = CategoryFactory.create(name="Key account")
    field = CustomField.objects.create(record_type="account", key="tier", label="Tier", field_type="text")
    values = {
        "pk": {
            "user": org.salesperson.pk,
            "team": org.poland.pk,
            "territory": territory.pk,
            "custom_field": field.pk,
            "category": category.pk,
        },
        "code": {"role": "salesperson", "currency": "USD"},
        "record_type": {"custom_field": "account"},
    }
    urls = []
    for pattern in settings_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        name = pattern.name or ""
        kwargs = {}
        for param in re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern)):
            owner = next(key for key in values[param] if name.startswith(key))
            kwargs[param] = values[param][owner]
        urls.append(reverse(f"settings:{name}", kwargs=kwargs))
    return urls


def _hostile_post() -> dict[str, str]:
    """Form data that would change something on any settings page that accepted it."""
    return {
        "email": "intruder@example.com",
        "password": "a-long-enough-password-1",
        "role": "administrator",
        "language": "en",
        "time_zone": "UTC",
        "hourly_cost_rate": "1",
        "is_active": "on",
        "name": "Hijacked",
        "key": "hijacked",
        "label": "Hijacked",
        "field_type": "text",
        "position": "0",
        "code": "XXX",
        "decimal_places": "2",
        "valid_from": "2024-01-01",
        "rate": "9",
        "company_name": "Hijacked",
        "company_currency": "USD",
        "account__create": "on",
        "account__read": "on",
        "account__edit": "on",
        "account__delete": "on",
        "account__scope": "all",
    }


@pytest.mark.parametrize("who", ["emea_manager", "salesperson", "marketing", "executive", "department_member"])
def test_non_administrators_get_403_everywhere_and_change_nothing(org: Any, client_for: Any, who: str) -> None:
    urls = _all_urls(org)
    assert len(urls) == len(settings_urls.urlpatterns) >= 25
    client = client_for(getattr(org, who))
    before = settings_state()
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, _hostile_post()).status_code == 403, url
    assert settings_state() == before


def test_an_inactive_administrator_session_is_refused(org: Any, client_for: Any) -> None:
    client = client_for(org.admin)
    org.admin.is_active = False
    org.admin.save()
    # Django's ModelBackend drops the session of an inactive user: they are sent to the login page.
    response = client.get(reverse("settings:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_visitors_are_sent_to_the_login_page(org: Any) -> None:
    client = Client()
    urls = _all_urls(org)
    before = settings_state()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}"
        assert client.post(url, _hostile_post()).status_code == 302, url
    assert settings_state() == before


def test_administrator_opens_every_page(org: Any, admin_client: Client) -> None:
    for url in _all_urls(org):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert (
            b'name="csrfmiddlewaretoken"' in response.content
            or b"<table" in response.content
            or url.endswith("/settings/")
        )


def test_index_links_to_every_section(admin_client: Client) -> None:
    html = admin_client.get(reverse("settings:index")).content.decode()
    for name in ("users", "teams", "territories", "roles", "custom_fields", "categories", "currencies", "logins"):
        assert f'href="{reverse(f"settings:{name}")}"' in html
