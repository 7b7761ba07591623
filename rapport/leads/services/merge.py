"""Merging two leads field by field: the person chooses, for each field that differs, which value
stays; tags, qualification ticks and custom values are combined; whatever pointed at the duplicate
points at the kept lead; the duplicate is deleted. Both sides are in the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core import audit, customfields
from rapport.core.errors import InvalidInput
from rapport.core.models import User
from rapport.leads.models import Lead
from rapport.leads.scoring import ScoreCard
from rapport.leads.services.leads import LEAD_FIELDS, check_lead, editable_lead

MERGE_SAME = gettext_lazy("Choose two different leads to merge.")
NOT_MERGEABLE = gettext_lazy("This field cannot be taken from the duplicate.")

#: the fields a person chooses between (estimated value moves as amount + currency together)
MERGE_FIELDS = (*(f for f in LEAD_FIELDS if f != "estimated_value_currency"), "status", "disqualify_reason")


def merge_differences(keep: Lead, duplicate: Lead) -> list[tuple[str, Any, Any]]:
    """(field, kept value, duplicate value) for every mergeable field whose values differ."""
    rows = []
    for name in MERGE_FIELDS:
        ours, theirs = getattr(keep, name), getattr(duplicate, name)
        if name == "estimated_value_amount":
            ours = (ours, keep.estimated_value_currency_id) if ours is not None else None
            theirs = (theirs, duplicate.estimated_value_currency_id) if theirs is not None else None
        if ours != theirs and theirs not in (None, ""):
            rows.append((name, ours, theirs))
    for custom in customfields.fields_for("lead"):
        ours, theirs = (keep.custom or {}).get(custom.key), (duplicate.custom or {}).get(custom.key)
        if ours != theirs and not customfields.is_empty(theirs):
            rows.append((f"custom.{custom.key}", ours, theirs))
    return rows


def _take(keep: Lead, duplicate: Lead, name: str) -> None:
    if name.startswith("custom."):
        key = name.removeprefix("custom.")
        keep.custom = {**(keep.custom or {}), key: (duplicate.custom or {}).get(key)}
    elif name == "estimated_value_amount":
        keep.estimated_value_amount = duplicate.estimated_value_amount
        keep.estimated_value_currency_id = duplicate.estimated_value_currency_id
    else:
        field = Lead._meta.get_field(name)
        attname = field.attname  # type: ignore[union-attr]
        setattr(keep, attname, getattr(duplicate, attname))


@transaction.atomic
def lead_merge(*, actor: User, keep_id: Any, duplicate_id: Any, take_from_duplicate: Iterable[str] = ()) -> Lead:
    """Merge `duplicate` into `keep`. Fields named in `take_from_duplicate` (see `MERGE_FIELDS`, or
    `custom.<key>`) take the duplicate's value; empty fields of the kept lead are filled from the duplicate."""
    if str(keep_id) == str(duplicate_id):
        raise InvalidInput({"duplicate": [str(MERGE_SAME)]})
    keep = editable_lead(actor, keep_id)
    duplicate = editable_lead(actor, duplicate_id, "delete")
    chosen = list(take_from_duplicate)
    allowed = set(MERGE_FIELDS) | {f"custom.{f.key}" for f in customfields.fields_for("lead")}
    wrong = [name for name in chosen if name not in allowed]
    if wrong:
        raise InvalidInput({name: [str(NOT_MERGEABLE)] for name in wrong})
    before, duplicate_before = audit.snapshot(keep), audit.snapshot(duplicate)

    for name in chosen:
        _take(keep, duplicate, name)
    for name, ours, _theirs in merge_differences(keep, duplicate):
        if ours in (None, "") or (name.startswith("custom.") and customfields.is_empty(ours)):
            _take(keep, duplicate, name)  # a blank never wins over a value
    keep.qualification = {
        key: bool((keep.qualification or {}).get(key)) or bool(met)
        for key, met in {**(keep.qualification or {}), **(duplicate.qualification or {})}.items()
    }
    keep.need_identified = keep.need_identified or duplicate.need_identified
    if not keep.disqualify_reason and keep.status == "disqualified":
        keep.disqualify_reason = duplicate.disqualify_reason
    check_lead(keep)
    keep.refresh_match_keys()
    keep.save()
    keep.tags.add(*duplicate.tags.all())
    _repoint_relations(keep, duplicate)
    keep.score = ScoreCard().score(keep)
    Lead.objects.filter(pk=keep.pk).update(score=keep.score)
    audit.log_merge(actor, keep, str(duplicate), duplicate.pk, before)
    audit.log_delete(actor, duplicate, duplicate_before, note=_("Merged into %(name)s") % {"name": keep})
    duplicate.delete()
    return keep


def _repoint_relations(keep: Lead, duplicate: Lead) -> None:
    """Point every foreign key to the duplicate at the kept lead, whichever app defines it."""
    for relation in Lead._meta.related_objects:
        if relation.one_to_many:
            relation.related_model._base_manager.filter(**{relation.field.name: duplicate}).update(
                **{relation.field.name: keep}
            )
