"""Writing one batch: new leads, changed leads, their tags and audit entries, in a few statements.

New rows go in with `inserting.insert` (a lean multi-row INSERT); changed leads with `bulk_update`.

The batch is one transaction. When the database refuses it, each lead is written again on its own
(in a savepoint), so only the leads it refuses fail and no lead is ever half-written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core.audit import _display as display  # the audit trail's own way of writing a value
from rapport.core.models import AuditAction, AuditEntry, CustomField, Job, User
from rapport.leads.assignment import save_positions
from rapport.leads.importing.deciding import FAILED, Decision, Target
from rapport.leads.importing.inserting import insert, insert_rows
from rapport.leads.models import Lead, Tag
from rapport.leads.services.leads import AUDIT_FIELDS

SAVE_FAILED = gettext_lazy("The database refused this row; nothing of it was saved.")

BULK = 500
_RELATED = frozenset({"owner", "territory", "source", "estimated_value_currency"})
_AUDIT_COLUMNS = ["record_type", "record_id", "record_repr", "action", "actor", "at", "changes", "note"]
_ALWAYS_UPDATED = ["score", "email_key", "phone_key", "name_key", "company_key", "updated_at", "disqualify_reason"]


def snapshot(
    lead: Lead, tags: Iterable[str], fields: list[CustomField], texts: dict[tuple[type, Any], str]
) -> dict[str, str]:
    """The audited values of a lead, as `rapport.core.audit.snapshot` writes them, without a query.

    `texts` remembers how related records read (kept by the caller for one import)."""
    values: dict[str, str] = {}
    state = lead.__dict__
    cache = lead._state.fields_cache
    for name in AUDIT_FIELDS:
        if name == "tags":
            values[name] = ", ".join(sorted(tags))
        elif name in _RELATED:
            related = cache.get(name) if f"{name}_id" in state and state[f"{name}_id"] is not None else None
            values[name] = _related_text(related, texts) if related is not None else ""
        else:
            value = state[name]
            values[name] = value if type(value) is str else display(value)
    custom = lead.custom or {}
    for field in fields:
        values[f"custom.{field.key}"] = display(custom.get(field.key))
    return values


def _related_text(record: Any, texts: dict[tuple[type, Any], str]) -> str:
    """str() of a source, owner, territory or currency, once per record for the whole import (a
    source's name is translated: looked up in the catalogue every time otherwise)."""
    key = (type(record), record.pk)
    text = texts.get(key)
    if text is None:
        text = texts[key] = str(record)
    return text


def _rows_text(target: Target) -> str:
    return ", ".join(str(plan.row) for plan in target.plans)


class Writer:
    """Writes the batches of one import and counts the leads each new owner received."""

    def __init__(self, *, actor: User, job: Job, filename: str, fields: list[CustomField]) -> None:
        self.actor = actor
        self.job = job
        self.filename = filename
        self.fields = fields
        self.tags = {tag.name.casefold(): tag for tag in Tag.objects.all()}
        self.texts: dict[tuple[type, Any], str] = {}
        self.created_note = _("Imported from %(file)s, row %(rows)s")
        self.updated_note = _("Updated by the import of %(file)s, row %(rows)s")
        self.assigned: Counter[int] = Counter()
        self.first_lead: dict[int, Lead] = {}

    def write(self, decision: Decision, positions: dict[int, int | None]) -> None:
        """Write one batch; `positions` are the round-robin turns its owners were chosen with."""
        targets = decision.targets
        if not targets:
            if positions:
                save_positions(positions)
            return
        self._ensure_tags(targets)
        try:
            with transaction.atomic():
                self._write(targets)
                save_positions(positions)
        except DatabaseError:
            self._one_by_one(targets, positions)
            return
        self._count_owners(targets)

    def _one_by_one(self, targets: list[Target], positions: dict[int, int | None]) -> None:
        self._forget_ids(targets)
        for target in targets:
            try:
                with transaction.atomic():
                    self._write([target])
            except DatabaseError:
                self._forget_ids([target])
                for plan in target.plans:
                    plan.outcome, plan.target, plan.message = FAILED, None, str(SAVE_FAILED)
                    plan.errors.append(("", plan.message))
            else:
                self._count_owners([target])
        save_positions(positions)

    @staticmethod
    def _forget_ids(targets: list[Target]) -> None:
        """After a rollback, new leads are new again (a database may have given them ids)."""
        for target in targets:
            if target.new:
                target.lead.pk = None
                target.lead._state.adding = True

    def _ensure_tags(self, targets: list[Target]) -> None:
        wanted = {name.casefold(): name for target in targets for name in target.tags}
        missing = [name for key, name in wanted.items() if key not in self.tags]
        if not missing:
            return
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
        for tag in Tag.objects.filter(name__in=missing):
            self.tags.setdefault(tag.name.casefold(), tag)

    def _write(self, targets: list[Target]) -> None:
        now = timezone.now()
        new = [t.lead for t in targets if t.new]
        for lead in new:
            lead.import_job = self.job
            lead.created_at = lead.updated_at = now
        insert(Lead, new)
        changed = [t for t in targets if not t.new]
        if changed:
            names = {name for t in changed for plan in t.plans for name in plan.fields}
            for target in changed:
                target.lead.updated_at = now
                if target.plans and any(p.custom for p in target.plans):
                    names.add("custom")
            Lead.objects.bulk_update([t.lead for t in changed], sorted(names) + _ALWAYS_UPDATED, batch_size=BULK)
        links = {
            (t.lead.pk, self.tags[name.casefold()].pk)
            for t in targets
            for name in t.tags
            if name.casefold() in self.tags
        }
        insert_rows(Lead.tags.through, ["lead", "tag"], sorted(links), ignore_conflicts=True)
        insert_rows(AuditEntry, _AUDIT_COLUMNS, [self._audit(t, now) for t in targets])

    def _audit(self, target: Target, now: Any) -> tuple[Any, ...]:
        """One audit entry, as the values of `_AUDIT_COLUMNS`."""
        lead = target.lead
        after = snapshot(lead, target.tags, self.fields, self.texts)
        if target.new:
            action = AuditAction.CREATE
            changes = {k: ["", v] for k, v in after.items() if v}
            note = self.created_note % {"file": self.filename, "rows": _rows_text(target)}
        else:
            before = target.before or {}
            action = AuditAction.UPDATE
            changes = {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}
            note = self.updated_note % {"file": self.filename, "rows": _rows_text(target)}
        return ("lead", lead.pk, str(lead)[:300], str(action), self.actor.pk, now, changes, note[:300])

    def _count_owners(self, targets: list[Target]) -> None:
        for target in targets:
            owner_id = target.lead.owner_id
            if owner_id == self.actor.pk or (not target.new and owner_id == target.before_owner):
                continue
            self.assigned[owner_id] += 1
            self.first_lead.setdefault(owner_id, target.lead)
