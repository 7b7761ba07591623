"""Reads of quotes; each starts from what the actor may see — a quote is visible to whoever sees
its opportunity (the record type's owner is the opportunity's owner, decision 0011)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from rapport.core.models import User
from rapport.core.visibility import access, visible_to
from rapport.quotes.models import Quote


def quote_list(*, actor: User) -> QuerySet[Quote]:
    return visible_to(actor, Quote).select_related("account", "owner", "currency")


def quote_get(*, actor: User, quote_id: Any) -> Quote:
    """One quote with its lines; hidden or unknown → RecordNotFound."""
    queryset = visible_to(actor, Quote).select_related("opportunity", "account", "contact", "owner")
    return access(actor, Quote, quote_id, queryset=queryset.prefetch_related("lines__product"))


def quote_versions(*, actor: User, quote: Quote) -> QuerySet[Quote]:
    """Every version of the quote's series, first to latest."""
    return visible_to(actor, Quote).filter(root_id=quote.root_id).order_by("version")
