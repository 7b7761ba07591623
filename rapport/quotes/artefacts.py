"""The stage-gate artefacts the quotes module contributes to the pipeline (decision 0008):
"a sent quote" (a quote that went to the customer and is still standing — sent, or since accepted)
and "an accepted quote"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from rapport.pipeline import gates
from rapport.quotes.models import Quote, QuoteStatus

if TYPE_CHECKING:
    from rapport.pipeline.models import Opportunity

QUOTE_SENT = "quote_sent"
QUOTE_ACCEPTED = "quote_accepted"


def has_sent_quote(opportunity: Opportunity) -> bool:
    return Quote.objects.filter(
        opportunity_id=opportunity.pk, status__in=(QuoteStatus.SENT, QuoteStatus.ACCEPTED)
    ).exists()


def has_accepted_quote(opportunity: Opportunity) -> bool:
    return Quote.objects.filter(opportunity_id=opportunity.pk, status=QuoteStatus.ACCEPTED).exists()


def register() -> None:
    """Called once, by the app's `ready`."""
    gates.register_artefact(QUOTE_SENT, _("a sent quote"), has_sent_quote)
    gates.register_artefact(QUOTE_ACCEPTED, _("an accepted quote"), has_accepted_quote)
