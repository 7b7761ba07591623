"""Writing the audit trail. Services call these explicitly after each change (no signals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from rapport.core import customfields, records
from rapport.core.models import AuditAction, AuditEntry, User

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
        if field.many_to_many:
            values[name] = ", ".join(sorted(str(item) for item in getattr(record, name).all()))
        elif isinstance(field, models.ForeignKey):
            related = getattr(record, name)
            values[name] = str(related) if related is not None else ""
        else:
            values[name] = _display(getattr(record, name))
    if record_type.custom_fields:
        custom = getattr(record, "custom", None) or {}
        for custom_field in customfields.fields_for(record_type.key):
            values[f"custom.{custom_field.key}"] = _display(custom.get(custom_field.key))
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


def log_create(actor: User | None, record: models.Model, note: str = "") -> AuditEntry:
    after = snapshot(record)
    return _entry(actor, record, AuditAction.CREATE, {k: ["", v] for k, v in after.items() if v}, note)


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


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class PresentedEntry:
    entry: AuditEntry
    changes: list[Change]

    @property
    def changed_labels(self) -> str:
        return ", ".join(c.field for c in self.changes)


def _labels_and_choices(record_type: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Field name → label, and field name → {stored code → label}, in the viewer's language."""
    model = records.get(record_type).model
    labels: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    for field in model._meta.get_fields():
        if not isinstance(field, models.Field):
            continue
        labels[field.name] = str(field.verbose_name)
        if field.choices:
            choices[field.name] = {str(code): str(label) for code, label in field.flatchoices}
        elif isinstance(field, models.BooleanField):
            choices[field.name] = {"yes": str(_("yes")), "no": str(_("no"))}
    for custom in customfields.fields_for(record_type):
        labels[f"custom.{custom.key}"] = custom.label
    return labels, choices


def present(record_type: str, entries: Iterable[AuditEntry]) -> list[PresentedEntry]:
    """Audit entries as a person reads them: field labels, and choice labels instead of codes.

    Codes are stored and translated when shown, so the history reads in the viewer's language.
    """
    labels, choices = _labels_and_choices(record_type)

    def shown(name: str, value: str) -> str:
        return choices.get(name, {}).get(value, value)

    return [
        PresentedEntry(
            entry=entry,
            changes=[
                Change(field=labels.get(name, name), old=shown(name, old), new=shown(name, new))
                for name, (old, new) in (entry.changes or {}).items()
            ],
        )
        for entry in entries
    ]
