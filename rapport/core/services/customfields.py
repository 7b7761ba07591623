"""Administrators define custom fields on any record type that allows them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rapport.core import memo, records
from rapport.core.errors import InvalidInput
from rapport.core.models import CustomField, CustomFieldType, User
from rapport.core.services._common import apply_changes, full_clean_or_raise, require_admin

UNKNOWN_RECORD_TYPE = _("Custom fields cannot be added to this record type.")
KEY_TAKEN = _("This record type already has a field with this key.")
CHOICES_NEEDED = _("List at least one choice.")
TYPE_FIXED = _("The type of an existing field cannot change; add a new field instead.")

_WITH_CHOICES = {CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE}


def _clean_choices(field_type: str, choices: Any) -> list[str]:
    if field_type not in _WITH_CHOICES:
        return []
    if isinstance(choices, str):
        choices = choices.splitlines() if "\n" in choices else choices.split(",")
    cleaned = list(dict.fromkeys(str(c).strip() for c in (choices or []) if str(c).strip()))
    if not cleaned:
        raise InvalidInput({"choices": [str(CHOICES_NEEDED)]})
    return cleaned


@transaction.atomic
def custom_field_create(
    *,
    actor: User,
    record_type: str,
    key: str,
    label: str,
    field_type: str,
    required: bool = False,
    choices: Any = None,
    help_text: str = "",
    position: int | None = None,
) -> CustomField:
    """Add a field to a record type; it appears at once in forms, lists, exports and the API."""
    require_admin(actor)
    if record_type not in {rt.key for rt in records.with_custom_fields()}:
        raise InvalidInput({"record_type": [str(UNKNOWN_RECORD_TYPE)]})
    if CustomField.objects.filter(record_type=record_type, key=key).exists():
        raise InvalidInput({"key": [str(KEY_TAKEN)]})
    if position is None:
        position = CustomField.objects.filter(record_type=record_type).count()
    field = CustomField(
        record_type=record_type,
        key=key,
        label=label,
        field_type=field_type,
        required=required,
        help_text=help_text,
        position=position,
    )
    full_clean_or_raise(field, exclude=["choices"])
    field.choices = _clean_choices(field_type, choices)
    field.save()
    memo.forget()
    return field


@transaction.atomic
def custom_field_update(*, actor: User, field: CustomField, **changes: Any) -> CustomField:
    """Change a field's label, help text, choices, required flag or position (not its key or type)."""
    require_admin(actor)
    if "field_type" in changes and changes["field_type"] != field.field_type:
        raise InvalidInput({"field_type": [str(TYPE_FIXED)]})
    changes.pop("key", None)
    changes.pop("record_type", None)
    if "choices" in changes:
        changes["choices"] = _clean_choices(field.field_type, changes["choices"])
    apply_changes(field, changes)
    full_clean_or_raise(field)
    field.save()
    memo.forget()
    return field


@transaction.atomic
def custom_field_delete(*, actor: User, field: CustomField) -> None:
    """Remove a field definition. Stored values stay in the records' JSON but are no longer shown."""
    require_admin(actor)
    field.delete()
    memo.forget()
