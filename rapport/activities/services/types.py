"""Administrators' settings of activities: the activity types (name, colour, default duration,
whether an outcome is required). A type in use is deactivated, not deleted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from rapport.activities.models import Activity, ActivityType
from rapport.core.errors import RecordNotFound, RuleViolation
from rapport.core.models import User
from rapport.core.services._common import apply_fields, full_clean_or_raise, require_admin

TYPE_FIELDS = ("name", "code", "colour", "default_duration", "outcome_required", "active", "order")
TYPE_IN_USE = gettext_lazy("Activities use this type; deactivate it instead.")


def _get(type_id: Any) -> ActivityType:
    try:
        return ActivityType.objects.select_for_update().get(pk=type_id)
    except (ActivityType.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise RecordNotFound() from exc


def _save(activity_type: ActivityType, data: Mapping[str, Any]) -> ActivityType:
    apply_fields(activity_type, TYPE_FIELDS, data, lambda name, value: value)
    if isinstance(activity_type.colour, str):
        activity_type.colour = activity_type.colour.lower()
    full_clean_or_raise(activity_type)
    activity_type.save()
    return activity_type


@transaction.atomic
def activity_type_create(*, actor: User, data: Mapping[str, Any]) -> ActivityType:
    """Add an activity type (administrators); by default after the others."""
    require_admin(actor)
    activity_type = ActivityType()
    if data.get("order") is None:
        last = ActivityType.objects.order_by("-order").values_list("order", flat=True).first()
        data = {**data, "order": (last or 0) + 1}
    return _save(activity_type, data)


@transaction.atomic
def activity_type_update(*, actor: User, type_id: Any, data: Mapping[str, Any]) -> ActivityType:
    require_admin(actor)
    return _save(_get(type_id), data)


@transaction.atomic
def activity_type_delete(*, actor: User, type_id: Any) -> None:
    require_admin(actor)
    activity_type = _get(type_id)
    if Activity.objects.filter(type=activity_type).exists():
        raise RuleViolation(str(TYPE_IN_USE))
    activity_type.delete()
