"""What opportunities contribute to record timelines: an opportunity's own audit trail (its edits,
moves, product lines, contacts, competitors and costs), and on an account or a contact the
opportunities opened with it and how each stands (only those the actor may see)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from rapport.core import timeline
from rapport.core.models import User
from rapport.core.timeline import TimelineEntry
from rapport.core.visibility import visible_to
from rapport.customers.models import Account
from rapport.customers.timeline import audit_entries
from rapport.pipeline.models import Opportunity


def opportunity_entries(actor: User, record: models.Model, limit: int) -> list[TimelineEntry]:
    """On an account: its opportunities; on a contact: those they have a role in."""
    opportunities = visible_to(actor, Opportunity).select_related("stage", "owner")
    if isinstance(record, Account):
        opportunities = opportunities.filter(account=record)
    else:
        opportunities = opportunities.filter(contact_roles__contact_id=record.pk).distinct()
    return [
        TimelineEntry(
            at=opportunity.created_at,
            kind="deal",
            title=_("Opportunity %(name)s") % {"name": opportunity},
            body=f"{opportunity.stage} · {opportunity.amount_amount:,.2f} {opportunity.amount_currency_id}",
            url=opportunity.get_absolute_url(),
            actor=str(opportunity.owner),
        )
        for opportunity in opportunities.order_by("-created_at")[:limit]
    ]


def register() -> None:
    """Called once, by the app's `ready`."""
    timeline.register("opportunity", audit_entries)
    timeline.register("account", opportunity_entries)
    timeline.register("contact", opportunity_entries)
