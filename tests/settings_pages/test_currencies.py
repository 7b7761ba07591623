"""Currencies, dated exchange rates and the organisation settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rapport.core.models import Currency, ExchangeRate, OrganisationSettings
from rapport.core.money import rate_on
from rapport.core.services.currency import CODE_INVALID, CODE_TAKEN, COMPANY_CURRENCY_RATE, RATE_NOT_POSITIVE
from tests.settings_pages.conftest import settings_state


def test_add_a_currency_and_a_dated_rate(org: Any, admin_client: Client) -> None:
    data = {"code": "chf", "name": "Swiss franc", "symbol": "Fr.", "decimal_places": "2"}
    response = admin_client.post(reverse("settings:currency_create"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("settings:currency", args=["CHF"])
    assert Currency.objects.get(code="CHF").name == "Swiss franc"

    today = timezone.localdate()
    url = reverse("settings:currency", args=["CHF"])
    assert admin_client.post(url, {"valid_from": "2024-01-01", "rate": "1.05"}).status_code == 302
    assert admin_client.post(url, {"valid_from": today.isoformat(), "rate": "1,0712"}).status_code == 200  # comma
    assert admin_client.post(url, {"valid_from": today.isoformat(), "rate": "1.0712"}).status_code == 302
    assert rate_on("CHF", today) == Decimal("1.0712")
    assert rate_on("CHF", dt.date(2024, 6, 1)) == Decimal("1.05")

    history = admin_client.get(url).context["page"].items
    assert [(r.valid_from, r.rate) for r in history] == [
        (today, Decimal("1.0712")),
        (dt.date(2024, 1, 1), Decimal("1.05")),
    ]

    listing = admin_client.get(reverse("settings:currencies"))
    chf = next(c for c in listing.context["currencies"] if c.code == "CHF")
    assert (chf.rate_today, chf.rate_since, chf.rate_count) == (Decimal("1.0712"), today, 2)
    assert "1.0712" in listing.content.decode()


def test_wrong_currency_input_is_refused_per_field(org: Any, admin_client: Client) -> None:
    before = settings_state()
    url = reverse("settings:currency_create")
    response = admin_client.post(url, {"code": "usd", "name": "Dollar again", "decimal_places": "2"})
    assert response.context["form"].errors["code"] == [str(CODE_TAKEN)]
    response = admin_client.post(url, {"code": "1$X", "name": "Nonsense", "decimal_places": "2"})
    assert response.context["form"].errors["code"] == [str(CODE_INVALID)]
    response = admin_client.post(url, {"code": "XAU", "name": "Gold", "decimal_places": "9"})
    assert "decimal_places" in response.context["form"].errors

    rates = reverse("settings:currency", args=["USD"])
    response = admin_client.post(rates, {"valid_from": "2024-01-01", "rate": "0"})
    assert response.context["form"].errors["rate"] == [str(RATE_NOT_POSITIVE)]
    response = admin_client.post(rates, {"valid_from": "someday", "rate": "1"})
    assert "valid_from" in response.context["form"].errors
    response = admin_client.post(reverse("settings:currency", args=["EUR"]), {"valid_from": "2024-01-01", "rate": "2"})
    assert response.context["form"].non_field_errors() == [str(COMPANY_CURRENCY_RATE)]
    assert settings_state() == before


def test_organisation_name_and_currency(org: Any, admin_client: Client) -> None:
    data = {"company_name": "Rapport Sp. z o.o.", "company_currency": "PLN"}
    assert admin_client.post(reverse("settings:organisation"), data).status_code == 302
    organisation = OrganisationSettings.objects.get(pk=1)
    assert (organisation.company_name, organisation.company_currency_id) == ("Rapport Sp. z o.o.", "PLN")
    assert ExchangeRate.objects.count() == 0
    before = settings_state()
    response = admin_client.post(reverse("settings:organisation"), {"company_name": "", "company_currency": "ZZZ"})
    assert set(response.context["form"].errors) == {"company_name", "company_currency"}
    assert settings_state() == before
