"""Helpers shared by core services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.errors import ActionNotAllowed, InvalidInput
from rapport.core.models import User

CANNOT_BE_SET = _("This field cannot be set.")


def require_admin(actor: User) -> None:
    if not (actor.is_active and actor.is_administrator):
        raise ActionNotAllowed()


def full_clean_or_raise(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Run model validation and turn Django's ValidationError into InvalidInput (field → messages)."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(_field_errors(exc)) from exc


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("detail" if field == "__all__" else field): [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"detail": [str(m) for m in exc.messages]}


def apply_changes(instance: models.Model, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(instance, name, value)


def apply_fields(
    record: models.Model,
    allowed: tuple[str, ...],
    changes: Mapping[str, Any],
    resolve: Callable[[str, Any], Any],
) -> None:
    """Set submitted values on a record: ids become records through `resolve`, text is trimmed,
    and text is never NULL (null clears it, and a required one then fails validation)."""
    unknown = [name for name in changes if name not in allowed]
    if unknown:
        raise InvalidInput({name: [str(CANNOT_BE_SET)] for name in unknown})
    for name, value in changes.items():
        resolved = resolve(name, value)
        if isinstance(value, str) and (resolved is None or isinstance(resolved, str)):
            text = (resolved or "").strip()
            resolved = text if text else ("" if _is_text(record, name) else None)
        elif value is None and _is_text(record, name):
            resolved = ""
        setattr(record, name, resolved)


def _is_text(record: models.Model, name: str) -> bool:
    return isinstance(record._meta.get_field(name), models.CharField | models.TextField)
