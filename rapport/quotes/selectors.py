"""Reads of quotes; each starts from what the actor may see — a quote is visible to whoever sees
its opportunity (the record type's owner is the opportunity's owner, decision 0011)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from rapport.core.listing import NOT_A_DATE, UNKNOWN_VALUE, Filter, ListSpec
from rapport.core.models import User
from rapport.core.visibility import access, visible_to
from rapport.quotes.models import Quote, QuoteStatus


def quote_list(*, actor: User) -> QuerySet[Quote]:
    return visible_to(actor, Quote).select_related("account", "owner", "currency")


def quote_get(*, actor: User, quote_id: Any) -> Quote:
    """One quote with its lines; hidden or unknown → RecordNotFound."""
    queryset = visible_to(actor, Quote).select_related("opportunity", "account", "contact", "owner")
    return access(actor, Quote, quote_id, queryset=queryset.prefetch_related("lines__product"))


def quote_versions(*, actor: User, quote: Quote) -> QuerySet[Quote]:
    """Every version of the quote's series, first to latest."""
    return visible_to(actor, Quote).filter(root_id=quote.root_id).order_by("version")


# --- the list: one definition for the page and the API (STYLE habit 7) ---------------------------------


class _Statuses(Filter):
    """One or more statuses, comma-separated (`status=draft,returned`)."""

    def condition(self, raw: str, actor: User) -> Q:
        wanted = {part.strip() for part in raw.split(",") if part.strip()}
        if not wanted <= set(QuoteStatus.values):
            raise ValidationError(UNKNOWN_VALUE % {"choices": ", ".join(QuoteStatus.values)})
        return Q(status__in=sorted(wanted))


class _CreatedDay(Filter):
    """A day in the requester's time zone, as a range of `created_at` (so the index serves it)."""

    def condition(self, raw: str, actor: User) -> Q:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise ValidationError(NOT_A_DATE) from exc
        # Keep a day's bounds representable in UTC whatever the zone.
        day = min(max(day, dt.date.min + dt.timedelta(days=2)), dt.date.max - dt.timedelta(days=2))
        if self.kind == "date_to":
            day += dt.timedelta(days=1)
        start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        return Q(**{f"{self.lookup}__{'gte' if self.kind == 'date_from' else 'lt'}": start})


class _NumberPrefix(Filter):
    """The beginning of a number as printed; "Q-2026-00042/2" names that version."""

    def condition(self, raw: str, actor: User) -> Q:
        number, _slash, version = raw.rpartition("/")
        if number and version.isascii() and version.isdigit() and len(version) < 10:
            return Q(number__in=sorted({number, number.upper()}), version=int(version))
        condition = Q(number__startswith=raw)
        return condition if raw == raw.upper() else condition | Q(number__startswith=raw.upper())


QUOTE_LIST = ListSpec(
    model=Quote,
    record_type="quote",
    filters=(
        _NumberPrefix("q", "number"),
        _Statuses("status", "status"),
        Filter("owner", "owner_id", "owner"),
        Filter("opportunity", "opportunity_id"),
        Filter("account", "account_id"),
        _CreatedDay("created_from", "created_at", "date_from"),
        _CreatedDay("created_to", "created_at", "date_to"),
    ),
    orderings={
        "created": ("created_at",),
        "number": ("number", "version"),
        "total": ("total",),
        "valid_until": ("valid_until",),
        "status": ("status",),
    },
    default_ordering="-created",
)
