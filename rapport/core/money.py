"""The money pattern every amount in Rapport follows.

A model stores an amount as two columns, `<name>_amount` (`DecimalField`, 18 digits, 2 places)
and `<name>_currency` (the ISO code, a foreign key to `Currency`); `money_fields()` builds the
pair. In Python an amount is a `Money` (Decimal + code). Converting to the company currency uses
the rate valid on the given day (the latest `ExchangeRate.valid_from` on or before it). Floats
never touch money.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core.errors import RuleViolation
from rapport.core.models import ExchangeRate, OrganisationSettings

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NO_RATE = _("There is no exchange rate for %(code)s on or before %(day)s.")
CENT = Decimal("0.01")
AMOUNT_DIGITS = 18
AMOUNT_PLACES = 2


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money needs a Decimal amount, never a float.")

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError("Add amounts in one currency; convert first.")
        return Money(self.amount + other.amount, self.currency)

    def rounded(self) -> Money:
        return Money(self.amount.quantize(CENT, rounding=ROUND_HALF_EVEN), self.currency)

    def __str__(self) -> str:
        return f"{self.amount:,.2f} {self.currency}"


def money_fields(
    verbose_name: StrOrPromise, *, null: bool = True, currency_index: bool = True
) -> tuple[models.DecimalField, models.ForeignKey]:
    """The (amount, currency) column pair for one money attribute of a model. `currency_index=False`
    spares a busy table an index that only the rare deletion of a currency would use."""
    amount = models.DecimalField(
        verbose_name, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, null=null, blank=null
    )
    currency = models.ForeignKey(
        "core.Currency",
        verbose_name=_("currency"),
        null=null,
        blank=null,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=currency_index,
    )
    return amount, currency


def company_currency() -> str:
    settings_row = OrganisationSettings.objects.only("company_currency_id").first()
    return settings_row.company_currency_id if settings_row else "EUR"


def rate_on(code: str, day: dt.date) -> Decimal:
    """Units of company currency for one unit of `code` on `day`."""
    if code == company_currency():
        return Decimal(1)
    rate = (
        ExchangeRate.objects.filter(currency_id=code, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise RuleViolation(str(NO_RATE % {"code": code, "day": day.isoformat()}))
    return rate


def to_company_currency(money: Money, on: dt.date | None = None) -> Money:
    day = on or timezone.localdate()
    return Money(money.amount * rate_on(money.currency, day), company_currency()).rounded()
