"""The quotes panel on an opportunity's page, registered into `rapport.pipeline.panels` (the pipeline
does not import quotes): the opportunity's quotes the person may see, and a "New quote" button."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from rapport.core.models import User
from rapport.core.visibility import can
from rapport.pipeline.models import Opportunity
from rapport.quotes.timeline import opportunity_quotes


def opportunity_quotes_panel(request: HttpRequest, opportunity: Opportunity) -> str:
    """The panel's HTML; nothing for someone who may not read quotes. One query for the quotes,
    shared with the timeline."""
    actor = request.user
    if not isinstance(actor, User) or not can(actor, "read", "quote"):
        return ""
    quotes = opportunity_quotes(actor, opportunity)  # the same read as the page's timeline
    context = {
        "opportunity": opportunity,
        "quotes": quotes,
        "can_create_quote": can(actor, "create", "quote") and not opportunity.stage.is_closed,
    }
    return render_to_string("quotes/_opportunity_panel.html", context, request=request)
