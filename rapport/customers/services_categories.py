"""Customer categories: administrators add, rename, reorder and deactivate them.

A category is never deleted here: accounts keep pointing at it, so it is deactivated instead
(inactive categories are no longer offered on account forms).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rapport.core.errors import InvalidInput
from rapport.core.models import User
from rapport.core.services._common import apply_changes, full_clean_or_raise, require_admin
from rapport.customers.models import CustomerCategory

CATEGORY_NAME_NEEDED = _("Give the category a name.")
CATEGORY_NAME_TAKEN = _("A customer category with this name already exists.")

_EDITABLE = {"name", "description", "position", "active"}


def _clean_name(name: Any, category: CustomerCategory | None) -> str:
    cleaned = str(name or "").strip()
    if not cleaned:
        raise InvalidInput({"name": [str(CATEGORY_NAME_NEEDED)]})
    taken = CustomerCategory.objects.filter(name__iexact=cleaned)
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        raise InvalidInput({"name": [str(CATEGORY_NAME_TAKEN)]})
    return cleaned


@transaction.atomic
def customer_category_create(
    *, actor: User, name: str, description: str = "", position: int = 0, active: bool = True
) -> CustomerCategory:
    """Add a customer category; names are unique regardless of letter case."""
    require_admin(actor)
    category = CustomerCategory(
        name=_clean_name(name, None), description=description.strip(), position=position, active=active
    )
    full_clean_or_raise(category)
    category.save()
    return category


@transaction.atomic
def customer_category_update(*, actor: User, category: CustomerCategory, **changes: Any) -> CustomerCategory:
    """Rename, describe, reorder, deactivate or reactivate a category."""
    require_admin(actor)
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], category)
    if "description" in changes:
        changes["description"] = str(changes["description"] or "").strip()
    apply_changes(category, changes)
    full_clean_or_raise(category)
    category.save()
    return category
