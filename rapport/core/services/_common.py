"""Helpers shared by core services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from rapport.core.errors import ActionNotAllowed, InvalidInput
from rapport.core.models import User


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
