"""Lead sources and qualification criteria: added, renamed, deactivated and reordered by administrators."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from rapport.core.errors import InvalidInput
from rapport.core.models import User
from rapport.core.services._common import full_clean_or_raise, require_admin
from rapport.leads.models import LeadSource, QualificationCriterion
from rapport.leads.services.config._common import (
    NAME_NEEDED,
    check_names,
    clean_code,
    flag,
    locked,
    move,
    next_position,
    raise_if,
    text,
)

SOURCE_NAME_TAKEN = gettext_lazy("A lead source with this name already exists.")
SOURCE_CODE_TAKEN = gettext_lazy("A lead source with this code already exists.")
CRITERION_KEY_TAKEN = gettext_lazy("A qualification criterion with this key already exists.")
CODE_FIXED = gettext_lazy("The code cannot change once the source exists.")
KEY_FIXED = gettext_lazy("The key cannot change once the criterion exists.")


# --- lead sources --------------------------------------------------------------------------------


def _check_source(source: LeadSource, errors: dict[str, list[str]], code_typed: bool = True) -> None:
    source.name = text(source.name)
    others = LeadSource.objects.exclude(pk=source.pk)
    if not source.name:
        errors["name"] = [str(NAME_NEEDED)]
    elif others.filter(name__iexact=source.name).exists():
        errors["name"] = [str(SOURCE_NAME_TAKEN)]
    # A code made from a refused name would only repeat the name's problem.
    if "code" not in errors and (code_typed or "name" not in errors) and others.filter(code=source.code).exists():
        errors["code"] = [str(SOURCE_CODE_TAKEN)]
    raise_if(errors)
    full_clean_or_raise(source)


@transaction.atomic
def lead_source_create(*, actor: User, name: str, code: str = "", active: bool = True) -> LeadSource:
    """Add a source channel at the end of the list; without a code, one is made from the name."""
    require_admin(actor)
    errors: dict[str, list[str]] = {}
    source = LeadSource(name=name, position=next_position(LeadSource), active=flag(active))
    source.code = clean_code(code, text(name), errors, "code")
    _check_source(source, errors, code_typed=bool(str(code or "").strip()))
    source.save()
    return source


@transaction.atomic
def lead_source_update(*, actor: User, source_id: Any, **changes: Any) -> LeadSource:
    """Rename, deactivate or reactivate a source (its code stays: records and rules name it)."""
    require_admin(actor)
    source = locked(LeadSource.objects.all(), source_id)
    if "code" in changes and str(changes["code"] or "").strip().lower() != source.code:
        raise InvalidInput({"code": [str(CODE_FIXED)]})
    check_names(changes, ("name", "active", "code"))
    if "name" in changes:
        source.name = changes["name"]
    if "active" in changes:
        source.active = flag(changes["active"])
    _check_source(source, {})
    source.save()
    return source


@transaction.atomic
def lead_source_move(*, actor: User, source_id: Any, direction: str) -> LeadSource:
    """Move a source one place up or down in the order forms offer them."""
    require_admin(actor)
    return move(LeadSource.objects.all(), source_id, direction)


# --- qualification criteria ----------------------------------------------------------------------


def _check_criterion(criterion: QualificationCriterion, errors: dict[str, list[str]]) -> None:
    criterion.name = text(criterion.name)
    criterion.description = text(criterion.description)
    if not criterion.name:
        errors["name"] = [str(NAME_NEEDED)]
    others = QualificationCriterion.objects.exclude(pk=criterion.pk)
    if "key" not in errors and others.filter(key=criterion.key).exists():
        errors["key"] = [str(CRITERION_KEY_TAKEN)]
    raise_if(errors)
    full_clean_or_raise(criterion)


@transaction.atomic
def qualification_criterion_create(
    *, actor: User, name: str, key: str = "", description: str = "", active: bool = True
) -> QualificationCriterion:
    """Add an item at the end of the qualification checklist; the key is fixed from then on."""
    require_admin(actor)
    errors: dict[str, list[str]] = {}
    criterion = QualificationCriterion(
        name=name, description=description, position=next_position(QualificationCriterion), active=flag(active)
    )
    criterion.key = clean_code(key, text(name), errors, "key")
    _check_criterion(criterion, errors)
    criterion.save()
    return criterion


@transaction.atomic
def qualification_criterion_update(*, actor: User, criterion_id: Any, **changes: Any) -> QualificationCriterion:
    """Rename, describe, deactivate or reactivate a criterion; leads keep what was ticked."""
    require_admin(actor)
    criterion = locked(QualificationCriterion.objects.all(), criterion_id)
    if "key" in changes and str(changes["key"] or "").strip().lower() != criterion.key:
        raise InvalidInput({"key": [str(KEY_FIXED)]})
    check_names(changes, ("name", "description", "active", "key"))
    for name in ("name", "description"):
        if name in changes:
            setattr(criterion, name, changes[name])
    if "active" in changes:
        criterion.active = flag(changes["active"])
    _check_criterion(criterion, {})
    criterion.save()
    return criterion


@transaction.atomic
def qualification_criterion_move(*, actor: User, criterion_id: Any, direction: str) -> QualificationCriterion:
    """Move a criterion one place up or down in the checklist."""
    require_admin(actor)
    return move(QualificationCriterion.objects.all(), criterion_id, direction)
