"""What leads contribute to record timelines: a lead's own history, and on the account and contact
a lead became, that lead's history — so the story of a customer starts where the lead started."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from rapport.core import audit
from rapport.core.models import User
from rapport.core.timeline import TimelineEntry
from rapport.core.visibility import visible_to
from rapport.customers.models import Account
from rapport.customers.timeline import audit_entries
from rapport.leads.models import Lead


def converted_lead_entries(actor: User, record: models.Model, limit: int) -> list[TimelineEntry]:
    """On an account or contact: the history of the leads converted into it (those the actor may see)."""
    field = "converted_account" if isinstance(record, Account) else "converted_contact"
    leads = list(visible_to(actor, Lead).filter(**{field: record}).order_by("-converted_at")[:5])
    entries: list[TimelineEntry] = []
    for lead in leads:
        presented = audit.present("lead", audit.history("lead", lead.pk)[:limit])
        entries.extend(
            TimelineEntry(
                at=p.entry.at,
                kind="lead",
                title=_("Lead %(name)s: %(what)s")
                % {"name": lead, "what": p.entry.note or p.entry.get_action_display()},
                body=p.changed_labels if p.entry.action != "create" else "",
                url=lead.get_absolute_url(),
                actor=str(p.entry.actor or ""),
            )
            for p in presented
        )
    return entries


def register() -> None:
    from rapport.core import timeline

    timeline.register("lead", audit_entries)
    timeline.register("account", converted_lead_entries)
    timeline.register("contact", converted_lead_entries)
