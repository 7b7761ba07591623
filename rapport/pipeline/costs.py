"""The pursuit cost of an opportunity: the costs recorded on it, plus what other modules add
through this registry (the activities module adds the cost of the activities done on the deal).
`pipeline` never imports those modules; they register a source in their `AppConfig.ready`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from rapport.pipeline.models import Opportunity, OpportunityCost


@dataclass(frozen=True)
class CostShare:
    """Money a module says was spent pursuing an opportunity, in one currency."""

    label: str | Promise
    currency: str
    amount: Decimal


Source = Callable[["Opportunity"], list[CostShare]]
_sources: list[Source] = []


def register_cost_source(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def shares(opportunity: Opportunity) -> list[CostShare]:
    """What every registered source adds for this opportunity (empty shares left out)."""
    return [share for source in _sources for share in source(opportunity) if share.amount]


def pursuit_totals(costs: Iterable[OpportunityCost], extra: Iterable[CostShare] = ()) -> list[tuple[str, Decimal]]:
    """(currency, total) of the recorded costs and the registered shares, by currency code."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for cost in costs:
        totals[cost.amount_currency_id] += cost.amount_amount
    for share in extra:
        totals[share.currency] += share.amount
    return sorted(totals.items())
