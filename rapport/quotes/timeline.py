"""What quotes contribute to record timelines: a quote's own audit trail (its edits, lines and
workflow), and on an opportunity its quotes — created, sent, accepted, rejected, expired — each
with a link to the quote; only the quotes the actor may see, read in one query."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _

from rapport.core import timeline
from rapport.core.models import User
from rapport.core.timeline import TimelineEntry
from rapport.core.visibility import visible_to
from rapport.customers.timeline import audit_entries
from rapport.quotes.models import Quote, QuoteStatus

#: the statuses whose `closed_at` is an answer (or the expiry), each an entry of its own
CLOSED = (QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED)


def _closed_title(quote: Quote) -> str:
    if quote.status == QuoteStatus.ACCEPTED:
        return _("Quote %(number)s accepted") % {"number": quote.display_number}
    if quote.status == QuoteStatus.REJECTED:
        return _("Quote %(number)s rejected") % {"number": quote.display_number}
    return _("Quote %(number)s expired") % {"number": quote.display_number}


def opportunity_quotes(actor: User, opportunity: models.Model) -> list[Quote]:
    """The opportunity's quotes the actor may see, newest first, read once per page: the timeline
    and the quotes panel of the opportunity's page share the one query (kept on the instance)."""
    key = f"_quotes_visible_to_{actor.pk}"
    cached: list[Quote] | None = opportunity.__dict__.get(key)
    if cached is None:
        cached = list(
            visible_to(actor, Quote)
            .filter(opportunity_id=opportunity.pk)
            .select_related("created_by", "owner")
            .order_by("-created_at", "-id")
        )
        opportunity.__dict__[key] = cached
    return cached


def opportunity_quote_entries(actor: User, record: models.Model, limit: int) -> list[TimelineEntry]:
    """On an opportunity: when each of its quotes was created, sent and answered (or expired)."""
    quotes = opportunity_quotes(actor, record)[:limit]
    entries: list[TimelineEntry] = []
    for quote in quotes:
        url = reverse("quotes:quote_detail", args=[quote.pk])
        figure = f"{quote.total:,.2f} {quote.currency_id} · {quote.get_status_display()}"
        number = quote.display_number
        entries.append(
            TimelineEntry(
                at=quote.created_at,
                kind="quote",
                title=_("Quote %(number)s created") % {"number": number},
                body=figure,
                url=url,
                actor=str(quote.created_by or ""),
            )
        )
        if quote.sent_at is not None:
            entries.append(
                TimelineEntry(
                    at=quote.sent_at,
                    kind="quote",
                    title=_("Quote %(number)s sent") % {"number": number},
                    body=figure,
                    url=url,
                    actor=str(quote.owner),
                )
            )
        if quote.closed_at is not None and quote.status in CLOSED:
            entries.append(
                TimelineEntry(
                    at=quote.closed_at,
                    kind="quote",
                    title=_closed_title(quote),
                    body=quote.decision_note or figure,
                    url=url,
                )
            )
    return entries


def register() -> None:
    """Called once, by the app's `ready`."""
    timeline.register("quote", audit_entries)
    timeline.register("opportunity", opportunity_quote_entries)
