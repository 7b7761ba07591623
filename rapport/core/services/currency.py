"""Currencies and exchange rates."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import Currency, ExchangeRate, OrganisationSettings, User
from rapport.core.services._common import full_clean_or_raise, require_admin

RATE_NOT_POSITIVE = _("A rate must be greater than zero.")
CODE_TAKEN = _("This currency already exists.")
CODE_INVALID = _("Use the three-letter ISO 4217 code, e.g. CHF.")
COMPANY_CURRENCY_RATE = _("The company currency is always worth 1; it has no exchange rates.")


@transaction.atomic
def currency_create(*, actor: User, code: str, name: str, symbol: str = "", decimal_places: int = 2) -> Currency:
    """Add a currency (ISO 4217 code) the company deals in."""
    require_admin(actor)
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise InvalidInput({"code": [str(CODE_INVALID)]})
    if Currency.objects.filter(code=code).exists():
        raise InvalidInput({"code": [str(CODE_TAKEN)]})
    currency = Currency(code=code, name=name, symbol=symbol, decimal_places=decimal_places)
    full_clean_or_raise(currency, exclude=["code"])
    currency.save(force_insert=True)
    return currency


@transaction.atomic
def exchange_rate_set(*, actor: User, currency: Currency, valid_from: dt.date, rate: Decimal) -> ExchangeRate:
    """Set the rate to the company currency from a day on (replacing that day's rate if any)."""
    require_admin(actor)
    if OrganisationSettings.objects.filter(company_currency=currency).exists():
        raise RuleViolation(str(COMPANY_CURRENCY_RATE))
    if rate <= 0:
        raise InvalidInput({"rate": [str(RATE_NOT_POSITIVE)]})
    row, _created = ExchangeRate.objects.update_or_create(
        currency=currency, valid_from=valid_from, defaults={"rate": rate}
    )
    return row
