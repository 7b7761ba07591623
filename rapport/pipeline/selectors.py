"""Reads of opportunities for the pages; each starts from what the actor may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.core.listing import NOT_A_DATE, Filter, ListSpec
from rapport.core.models import User
from rapport.core.visibility import access, visible_to
from rapport.customers.models import Contact
from rapport.pipeline.models import Opportunity, Stage, StageChange

NOT_AN_AMOUNT = _("Enter an amount, e.g. 1000 or 1000.50.")


class DayFilter(Filter):
    """A date column (the expected close date): no `__date` transform."""

    def condition(self, raw: str, actor: User) -> Q:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise ValidationError(NOT_A_DATE) from exc
        return Q(**{f"{self.lookup}__{'gte' if self.kind == 'date_from' else 'lte'}": day})


class AmountFilter(Filter):
    """An amount bound: `amount_min` / `amount_max`."""

    def condition(self, raw: str, actor: User) -> Q:
        try:
            number = Decimal(raw.replace(",", ".").replace(" ", ""))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError(NOT_AN_AMOUNT) from exc
        if not number.is_finite() or abs(number) >= 10**16:
            raise ValidationError(NOT_AN_AMOUNT)
        return Q(**{f"{self.lookup}__{'gte' if self.kind == 'amount_min' else 'lte'}": number})


OPPORTUNITY_LIST = ListSpec(
    model=Opportunity,
    record_type="opportunity",
    filters=(
        Filter("q", "name", "text"),
        Filter("pipeline", "pipeline_id"),
        Filter("stage", "stage_id"),
        Filter("owner", "owner_id", "owner"),
        Filter("team", "owner__team", "team"),
        Filter("account", "account_id"),
        DayFilter("close_from", "close_date", "date_from"),
        DayFilter("close_to", "close_date", "date_to"),
        AmountFilter("amount_min", "amount_amount", "amount_min"),
        AmountFilter("amount_max", "amount_amount", "amount_max"),
    ),
    orderings={
        "created": ("created_at",),
        "name": ("name",),
        "account": ("account__name",),
        "stage": ("stage__order", "-created_at"),
        "amount": ("amount_amount",),
        "probability": ("probability",),
        "close_date": ("close_date",),
        "owner": ("owner__first_name", "owner__last_name", "-created_at"),
    },
    default_ordering="-created",
    select_related=("account", "stage", "owner"),
)


def opportunity_get(*, actor: User, opportunity_id: Any) -> Opportunity:
    """One opportunity the actor may see (hidden → RecordNotFound), with what its page shows."""
    queryset = visible_to(actor, Opportunity).select_related(
        "account", "owner", "pipeline", "stage", "source_lead", "amount_currency", "created_by"
    )
    opportunity: Opportunity = access(actor, Opportunity, opportunity_id, queryset=queryset)
    return opportunity


def account_contacts(actor: User, account_id: int | None) -> QuerySet[Contact]:
    """The contacts of the opportunity's account the actor may see (main account or a link)."""
    if account_id is None:
        return visible_to(actor, Contact).none()
    return (
        visible_to(actor, Contact)
        .filter(Q(account_id=account_id) | Q(account_links__account_id=account_id))
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


# --- the stage path -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathStep:
    stage: Stage
    days: int | None  # None: never in this stage
    current: bool
    stuck: bool


def stage_days(changes: Sequence[StageChange], now: dt.datetime) -> tuple[dict[int, dt.timedelta], dt.timedelta]:
    """Time spent in each stage (stage id → total), from the history: each change counts until the
    next one, the last until `now`. Also answers how long the current stay has lasted."""
    spent: dict[int, dt.timedelta] = {}
    ordered = sorted(changes, key=lambda c: (c.at, c.pk or 0))
    current = dt.timedelta(0)
    for index, change in enumerate(ordered):
        until = ordered[index + 1].at if index + 1 < len(ordered) else now
        length = max(until - change.at, dt.timedelta(0))
        spent[change.to_stage_id] = spent.get(change.to_stage_id, dt.timedelta(0)) + length
        current = length
    return spent, current


def stage_path(
    opportunity: Opportunity,
    stages: Iterable[Stage],
    changes: Sequence[StageChange],
    now: dt.datetime | None = None,
) -> list[PathStep]:
    """Each stage of the pipeline with the whole days spent in it; the current one marked, and
    stuck when its current stay is longer than the stage's `stuck_after_days`."""
    spent, current_stay = stage_days(changes, now or timezone.now())
    steps = []
    for stage in stages:
        is_current = stage.pk == opportunity.stage_id
        total = spent.get(stage.pk)
        stuck = bool(
            is_current
            and not stage.is_closed
            and stage.stuck_after_days is not None
            and current_stay.days > stage.stuck_after_days
        )
        steps.append(PathStep(stage, total.days if total is not None else None, is_current, stuck))
    return steps
