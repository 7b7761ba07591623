"""Writing the audit trail. Services call these explicitly after each change (no signals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from rapport.core import records
from rapport.core.models import AuditAction, AuditEntry, CustomField, User

Snapshot = dict[str, str]


def _display(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        # Normalised: the stored 1000.50 and the submitted 1000.5 are the same value, not a change.
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value)
    if isinstance(value, dict) and {"amount", "currency"} <= value.keys():
        return f"{value['amount']} {value['currency']}"
    return str(value)


def snapshot(record: models.Model) -> Snapshot:
    """The audited fields of a record as display strings, custom fields as `custom.<key>`."""
    record_type = records.for_model(record)
    values: Snapshot = {}
    for name in record_type.audit_fields:
        field = record._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            related = getattr(record, name)
            values[name] = str(related) if related is not None else ""
        else:
            values[name] = _display(getattr(record, name))
    if record_type.custom_fields:
        custom = getattr(record, "custom", None) or {}
        keys = CustomField.objects.filter(record_type=record_type.key).values_list("key", flat=True)
        for key in keys:
            values[f"custom.{key}"] = _display(custom.get(key))
    return values


def _entry(
    actor: User | None, record: models.Model, action: str, changes: dict[str, list[str]], note: str = ""
) -> AuditEntry:
    return AuditEntry.objects.create(
        record_type=records.for_model(record).key,
        record_id=record.pk,
        record_repr=str(record)[:300],
        action=action,
        actor=actor,
        changes=changes,
        note=note[:300],
    )


def log_create(actor: User | None, record: models.Model) -> AuditEntry:
    after = snapshot(record)
    return _entry(actor, record, AuditAction.CREATE, {k: ["", v] for k, v in after.items() if v})


def log_update(actor: User | None, record: models.Model, before: Snapshot, note: str = "") -> AuditEntry | None:
    """Record the fields that changed since `before`; nothing is written when nothing changed."""
    after = snapshot(record)
    changes = {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}
    if not changes and not note:
        return None
    return _entry(actor, record, AuditAction.UPDATE, changes, note)


def log_note(actor: User | None, record: models.Model, note: str) -> AuditEntry:
    """A change that is not a field value (a link added or removed), described in words."""
    return _entry(actor, record, AuditAction.UPDATE, {}, note)


def log_delete(actor: User | None, record: models.Model, before: Snapshot, note: str = "") -> AuditEntry:
    return _entry(actor, record, AuditAction.DELETE, {k: [v, ""] for k, v in before.items() if v}, note)


def log_merge(actor: User | None, kept: models.Model, merged_repr: str, merged_id: int, before: Snapshot) -> AuditEntry:
    after = snapshot(kept)
    changes = {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}
    return _entry(actor, kept, AuditAction.MERGE, changes, note=f"{merged_repr} (#{merged_id})")


def history(record_type: str, record_id: int) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(record_type=record_type, record_id=record_id).select_related("actor")
