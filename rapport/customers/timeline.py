"""What accounts and contacts contribute to record timelines."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from rapport.core import audit, records
from rapport.core.models import AuditAction, AuditEntry, User
from rapport.core.timeline import TimelineEntry
from rapport.core.visibility import visible_to
from rapport.customers.models import Account, Contact


def _audit_title(entry: AuditEntry) -> str:
    if entry.note:
        return f"{entry.get_action_display().capitalize()}: {entry.note}"
    return _("Record %(action)s") % {"action": entry.get_action_display()}


def audit_entries(actor: User, record: models.Model, limit: int) -> list[TimelineEntry]:
    key = records.for_model(record).key
    presented = audit.present(key, audit.history(key, record.pk)[:limit])
    return [
        TimelineEntry(
            at=p.entry.at,
            kind="audit",
            title=_audit_title(p.entry),
            # A creation lists every field: the history section shows them; the timeline stays short.
            body=p.changed_labels if p.entry.action != AuditAction.CREATE else "",
            actor=str(p.entry.actor or ""),
        )
        for p in presented
    ]


def account_contacts_entries(actor: User, record: models.Model, limit: int) -> list[TimelineEntry]:
    assert isinstance(record, Account)
    contacts = visible_to(actor, Contact).filter(account_links__account=record).order_by("-created_at")[:limit]
    return [
        TimelineEntry(
            at=c.created_at, kind="contact", title=_("Contact added: %(name)s") % {"name": c}, url=c.get_absolute_url()
        )
        for c in contacts
    ]
