"""Assignment rules: conditions → a user or a team, checked and stored as the leads they match store
their values; and the "Test" box, which tries the rules without saving anything."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy

from rapport.core import customfields
from rapport.core.errors import RecordNotFound
from rapport.core.models import CustomField, CustomFieldType, Team, Territory, User
from rapport.core.services._common import full_clean_or_raise, require_admin
from rapport.leads.assignment import Assigner
from rapport.leads.models import AssignmentRule, Lead, LeadSource, TeamStrategy
from rapport.leads.selectors import lead_get
from rapport.leads.services.config._common import (
    NAME_NEEDED,
    check_names,
    flag,
    locked,
    move,
    next_position,
    raise_if,
    text,
)
from rapport.leads.services.leads import UNKNOWN_CHOICE

TARGET_NEEDED = gettext_lazy("Choose the user or the team who gets the leads.")
ONE_TARGET = gettext_lazy("Choose a user or a team, not both.")
INACTIVE_USER = gettext_lazy("Choose an active user.")
UNKNOWN_CUSTOM_FIELD = gettext_lazy("Choose a custom field of leads.")
CUSTOM_VALUE_NEEDED = gettext_lazy("Give the value the custom field must have.")
CUSTOM_FIELD_NEEDED = gettext_lazy("Choose the custom field this value is for.")
CUSTOM_FIELD_UNSUITABLE = gettext_lazy("Amounts cannot be matched; choose another custom field.")
COUNTRIES_COMMAS = gettext_lazy("Separate countries with commas.")
UNKNOWN_STRATEGY = gettext_lazy("Choose how the team shares the leads.")

_ASSIGNMENT_FIELDS = (
    "name",
    "active",
    "territory",
    "country",
    "source",
    "custom_field",
    "custom_value",
    "assign_to_user",
    "assign_to_team",
    "team_strategy",
)
_LOOKUPS: dict[str, tuple[type[models.Model], Any]] = {
    "territory": (Territory, gettext_lazy("territory")),
    "source": (LeadSource, gettext_lazy("lead source")),
    "assign_to_user": (User, gettext_lazy("user")),
    "assign_to_team": (Team, gettext_lazy("team")),
}


def _lookup(name: str, value: Any) -> Any:
    """The record an id names (a source also by its code); ValidationError when there is none."""
    model, what = _LOOKUPS[name]
    if value is None or value == "" or isinstance(value, model):
        return value or None
    queryset = model._default_manager.all()
    text = str(value).strip()
    if model is LeadSource and not text.isdigit():
        found = queryset.filter(code=text).first()
    else:
        found = queryset.filter(pk=int(text)).first() if text.isdigit() else None
    if found is None:
        raise ValidationError(UNKNOWN_CHOICE % {"what": what})
    return found


def _countries(text: str) -> str:
    if ";" in text:
        raise ValidationError(COUNTRIES_COMMAS)
    return ", ".join(part.strip() for part in text.split(",") if part.strip())


def _custom_condition(rule: AssignmentRule, errors: dict[str, list[str]]) -> None:
    rule.custom_field = str(rule.custom_field or "").strip()
    rule.custom_value = text(rule.custom_value)
    if not rule.custom_field:
        if rule.custom_value:
            errors["custom_field"] = [str(CUSTOM_FIELD_NEEDED)]
        return
    field = CustomField.objects.filter(record_type="lead", key=rule.custom_field).first()
    if field is None:
        errors["custom_field"] = [str(UNKNOWN_CUSTOM_FIELD)]
    elif field.field_type == CustomFieldType.MONEY:
        errors["custom_field"] = [str(CUSTOM_FIELD_UNSUITABLE)]
    elif not rule.custom_value:
        errors["custom_value"] = [str(CUSTOM_VALUE_NEEDED)]
    else:
        # Stored as the lead's value is stored ("12.50" → "12.5", yes → true), so the two compare.
        multi = field.field_type == CustomFieldType.MULTI_CHOICE
        try:
            value = customfields.clean_value(field, [rule.custom_value] if multi else rule.custom_value)
        except ValidationError as exc:
            errors["custom_value"] = [str(m) for m in exc.messages]
            return
        value = value[0] if multi else value
        rule.custom_value = ("true" if value else "false") if isinstance(value, bool) else str(value)


def _check_target(rule: AssignmentRule, previous_user: int | None, errors: dict[str, list[str]]) -> None:
    if "assign_to_user" in errors or "assign_to_team" in errors:
        return
    if rule.assign_to_user is None and rule.assign_to_team is None:
        errors["assign_to_user"] = [str(TARGET_NEEDED)]
    elif rule.assign_to_user is not None and rule.assign_to_team is not None:
        errors["assign_to_user"] = [str(ONE_TARGET)]
    elif rule.assign_to_user_id != previous_user and rule.assign_to_user and not rule.assign_to_user.is_active:
        # Only a newly chosen user must be active: a rule naming someone who left can still be switched off.
        errors["assign_to_user"] = [str(INACTIVE_USER)]


def _set_assignment(rule: AssignmentRule, changes: Mapping[str, Any]) -> None:
    check_names(changes, _ASSIGNMENT_FIELDS)
    errors: dict[str, list[str]] = {}
    turn = (rule.assign_to_team_id, rule.team_strategy)
    previous_user = rule.assign_to_user_id
    for name, value in changes.items():
        try:
            if name in _LOOKUPS:
                setattr(rule, name, _lookup(name, value))
            elif name == "active":
                rule.active = flag(value)
            elif name == "country":
                rule.country = _countries(str(value or ""))
            else:
                setattr(rule, name, text(value))
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]
    if not rule.name:
        errors["name"] = [str(NAME_NEEDED)]
    if rule.team_strategy not in TeamStrategy.values:
        errors["team_strategy"] = [str(UNKNOWN_STRATEGY)]
    _custom_condition(rule, errors)
    _check_target(rule, previous_user, errors)
    raise_if(errors)
    if (rule.assign_to_team_id, rule.team_strategy) != turn:
        rule.last_assigned = None  # a new team or way of sharing starts a new turn
    full_clean_or_raise(rule)


@transaction.atomic
def assignment_rule_create(*, actor: User, **fields: Any) -> AssignmentRule:
    """Add an assignment rule at the end of the list (tried after the existing ones)."""
    require_admin(actor)
    rule = AssignmentRule(position=next_position(AssignmentRule))
    _set_assignment(rule, fields)
    rule.save()
    return rule


@transaction.atomic
def assignment_rule_update(*, actor: User, rule_id: Any, **changes: Any) -> AssignmentRule:
    """Change an assignment rule's conditions, target, name or status."""
    require_admin(actor)
    rule = locked(AssignmentRule.objects.select_related("assign_to_user"), rule_id)
    _set_assignment(rule, changes)
    rule.save()
    return rule


@transaction.atomic
def assignment_rule_delete(*, actor: User, rule_id: Any) -> None:
    """Remove an assignment rule (leads it assigned keep their owner)."""
    require_admin(actor)
    locked(AssignmentRule.objects.all(), rule_id).delete()


@transaction.atomic
def assignment_rule_move(*, actor: User, rule_id: Any, direction: str) -> AssignmentRule:
    """Move a rule one place up or down: the first rule that matches a lead wins."""
    require_admin(actor)
    return move(AssignmentRule.objects.all(), rule_id, direction)


@dataclass(frozen=True)
class AssignmentPreview:
    """Who would get a lead: the owner and the rule, or neither (then the lead's creator keeps it)."""

    owner: User | None
    rule: AssignmentRule | None
    lead: Lead


def assignment_preview(
    *, actor: User, lead_id: Any = None, country: str = "", source: Any = None, territory: Any = None
) -> AssignmentPreview:
    """Try the rules on an existing lead or on made-up values (filled-in values replace the lead's).
    Nothing is saved: the round-robin turn does not move."""
    require_admin(actor)
    errors: dict[str, list[str]] = {}
    lead = Lead()
    if lead_id not in (None, ""):
        try:
            lead = lead_get(actor=actor, lead_id=lead_id)
        except RecordNotFound:
            errors["lead"] = [str(UNKNOWN_CHOICE % {"what": gettext_lazy("lead")})]
    for name, value in (("source", source), ("territory", territory)):
        try:
            if value not in (None, ""):
                setattr(lead, name, _lookup(name, value))
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]
    raise_if(errors)
    if text(country):
        lead.country = text(country)
    picked = Assigner().owner_for(lead)
    if picked is None:
        return AssignmentPreview(owner=None, rule=None, lead=lead)
    return AssignmentPreview(owner=picked[0], rule=picked[1], lead=lead)
