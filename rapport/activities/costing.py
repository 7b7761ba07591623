"""What an activity costs: its duration times the owner's hourly cost rate, plus its expenses,
in the company currency (the rate is kept in it: `User.hourly_cost_rate`). The one formula every
service, report and timeline reads."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from rapport.core.money import CENT


def activity_cost(*, minutes: int, hourly_rate: Decimal, expenses: Decimal) -> Decimal:
    """minutes / 60 x hourly rate, rounded half up to the cent, + expenses. Never negative."""
    if minutes < 0 or hourly_rate < 0 or expenses < 0:
        raise ValueError("Durations, rates and expenses are not negative.")
    time_cost = (Decimal(minutes) * hourly_rate / Decimal(60)).quantize(CENT, rounding=ROUND_HALF_UP)
    return time_cost + expenses.quantize(CENT, rounding=ROUND_HALF_UP)
