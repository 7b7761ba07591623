"""A quote's figures, in `Decimal`, by one rounding rule (decision 0011).

Per line, rounded half up to the cent:
    gross    = round(quantity * unit price)
    net      = round(quantity * unit price * (100 - discount) / 100)
    discount = gross - net
Per quote:
    subtotal       = Σ gross            (before discounts)
    discount_total = Σ line discounts
    net_total      = Σ net = subtotal - discount_total
    tax per rate   = round(Σ net of the lines at that rate * rate / 100)   (once per rate, not per line)
    tax_total      = Σ tax per rate
    total          = net_total + tax_total
Every stored figure is thus an exact sum of figures a person can see on the quote: nothing drifts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def to_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class LineInput(Protocol):
    """What a line needs to be priced: a `QuoteLine`, or any object with these four figures."""

    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def discount(self) -> Decimal: ...
    @property
    def tax_rate(self) -> Decimal: ...


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal
    net: Decimal

    @property
    def discount(self) -> Decimal:
        return self.gross - self.net


def line_amounts(line: LineInput) -> LineAmounts:
    """A line's amount before and after its discount, each rounded half up to the cent."""
    exact = line.quantity * line.unit_price
    return LineAmounts(gross=to_cent(exact), net=to_cent(exact * (HUNDRED - line.discount) / HUNDRED))


def rate_key(rate: Decimal) -> str:
    """The tax rate as the key of the per-rate breakdown: two places, "23.00"."""
    return str(rate.quantize(CENT))


@dataclass(frozen=True)
class TaxAmount:
    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal = ZERO
    discount_total: Decimal = ZERO
    net_total: Decimal = ZERO
    tax_total: Decimal = ZERO
    total: Decimal = ZERO
    taxes: tuple[TaxAmount, ...] = field(default=())

    @property
    def discount_percent(self) -> Decimal:
        """The whole discount: discounts ÷ subtotal, in %, unrounded (0 for an empty quote)."""
        return self.discount_total * HUNDRED / self.subtotal if self.subtotal else Decimal(0)

    def breakdown(self) -> dict[str, dict[str, str]]:
        """The per-rate figures as stored in `Quote.tax_breakdown` (decimal strings)."""
        return {rate_key(t.rate): {"net": str(t.net), "tax": str(t.tax)} for t in self.taxes}


def compute(lines: Iterable[LineInput]) -> Totals:
    """The quote's totals from its lines, by the rule in this module's docstring."""
    subtotal = discounts = ZERO
    net_by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        amounts = line_amounts(line)
        subtotal += amounts.gross
        discounts += amounts.discount
        rate = line.tax_rate.quantize(CENT)
        net_by_rate[rate] = net_by_rate.get(rate, ZERO) + amounts.net
    taxes = tuple(
        TaxAmount(rate=rate, net=net, tax=to_cent(net * rate / HUNDRED)) for rate, net in sorted(net_by_rate.items())
    )
    net_total = subtotal - discounts
    tax_total = sum((t.tax for t in taxes), ZERO)
    return Totals(
        subtotal=subtotal,
        discount_total=discounts,
        net_total=net_total,
        tax_total=tax_total,
        total=net_total + tax_total,
        taxes=taxes,
    )
