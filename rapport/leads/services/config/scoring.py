"""Scoring rules: checked against the fields a rule may test; every change that alters scores
recalculates every lead in the background."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core import customfields
from rapport.core.models import CustomField, CustomFieldType, Job, JobStatus, User
from rapport.core.services._common import full_clean_or_raise, require_admin
from rapport.leads.models import LeadSource, LeadStatus, QualificationCriterion, RuleOperator, ScoringRule
from rapport.leads.scoring import FIELDS, leads_rescore_start
from rapport.leads.services.config._common import (
    NAME_NEEDED,
    NO,
    YES,
    check_names,
    flag,
    locked,
    move,
    next_position,
    raise_if,
    text,
)

UNKNOWN_RULE_FIELD = gettext_lazy("Choose a lead field, a custom field of leads or a qualification criterion.")
UNKNOWN_OPERATOR = gettext_lazy("Choose a condition.")
VALUE_NEEDED = gettext_lazy("This condition needs a value.")
NUMBER_NEEDED = gettext_lazy("This condition compares numbers: enter a number.")
YES_NO_NEEDED = gettext_lazy("Enter yes or no.")
YES_NO_OPERATOR = gettext_lazy("A yes/no field can only be “is”, “is not”, “is filled in” or “is empty”.")
POINTS_RANGE = gettext_lazy("Enter a whole number of points from -1000 to 1000.")

RESCORE_KIND = "leads.rescore"


@dataclass(frozen=True)
class RuleField:
    """What a scoring rule may test: its label, the kind of value, and the values allowed for "is"."""

    key: str
    label: str
    group: str
    kind: str = "text"  # text | number | yes_no | list
    choices: tuple[tuple[str, str], ...] = ()


def _custom_rule_field(field: CustomField) -> RuleField:
    kinds: dict[str, str] = {
        CustomFieldType.NUMBER: "number",
        CustomFieldType.MONEY: "number",
        CustomFieldType.CHECKBOX: "yes_no",
        CustomFieldType.MULTI_CHOICE: "list",
    }
    choices = tuple((c, c) for c in field.choices) if field.choices else ()
    return RuleField(f"cf_{field.key}", field.label, _("Custom fields"), kinds.get(field.field_type, "text"), choices)


def rule_fields() -> dict[str, RuleField]:
    """Every field a scoring rule may test, in the order the field picker lists them."""
    lead = _("Lead")
    special: dict[str, dict[str, Any]] = {
        "source": {"choices": tuple((s.code, str(s)) for s in LeadSource.objects.all())},
        "status": {"choices": tuple((value, str(label)) for value, label in LeadStatus.choices)},
        "need_identified": {"kind": "yes_no"},
        "estimated_value": {"kind": "number"},
        "tags": {"kind": "list"},
    }
    fields = {key: RuleField(key, str(label), lead, **special.get(key, {})) for key, label in FIELDS.items()}
    for custom in CustomField.objects.filter(record_type="lead"):
        fields[f"cf_{custom.key}"] = _custom_rule_field(custom)
    for criterion in QualificationCriterion.objects.all():
        fields[f"criterion_{criterion.key}"] = RuleField(
            f"criterion_{criterion.key}", str(criterion), _("Qualification criteria"), "yes_no"
        )
    return fields


def _yes_no(value: str) -> str:
    folded = value.casefold()
    if folded in YES or folded == _("Yes").casefold():
        return "true"
    if folded in NO or folded == _("No").casefold():
        return "false"
    raise ValidationError(YES_NO_NEEDED)


def _decimal_text(value: str) -> str:
    try:
        number = Decimal("".join(value.split()).replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(NUMBER_NEEDED) from exc
    if not number.is_finite():
        raise ValidationError(NUMBER_NEEDED)
    return format(number.normalize(), "f")


def _rule_value(spec: RuleField, operator: str, raw: Any) -> str:
    """The value a rule compares with, checked against the field and the condition."""
    value = text(raw)
    if operator in (RuleOperator.IS_SET, RuleOperator.IS_EMPTY):
        return ""
    if spec.kind == "yes_no":
        return _yes_no(value)
    if operator in (RuleOperator.GREATER, RuleOperator.LESS) or (spec.kind == "number" and value):
        return _decimal_text(value)
    if not value:
        raise ValidationError(VALUE_NEEDED)
    if spec.choices and operator != RuleOperator.CONTAINS:
        for code, label in spec.choices:
            if value.casefold() in (code.casefold(), label.casefold()):
                return code
        raise ValidationError(customfields.NOT_A_CHOICE % {"choices": ", ".join(label for _c, label in spec.choices)})
    return value


def _check_scoring_rule(rule: ScoringRule) -> None:
    errors: dict[str, list[str]] = {}
    rule.name = text(rule.name)
    if not rule.name:
        errors["name"] = [str(NAME_NEEDED)]
    rule.field = str(rule.field or "").strip()
    spec = rule_fields().get(rule.field)
    if spec is None:
        errors["field"] = [str(UNKNOWN_RULE_FIELD)]
    if rule.operator not in RuleOperator.values:
        errors["operator"] = [str(UNKNOWN_OPERATOR)]
    elif spec is not None and spec.kind == "yes_no" and rule.operator not in _YES_NO_OPERATORS:
        errors["operator"] = [str(YES_NO_OPERATOR)]
    elif spec is not None:
        try:
            rule.value = _rule_value(spec, rule.operator, rule.value)
        except ValidationError as exc:
            errors["value"] = [str(m) for m in exc.messages]
    points = _points(rule.points)
    if points is None:
        errors["points"] = [str(POINTS_RANGE)]
    else:
        rule.points = points
    raise_if(errors)
    full_clean_or_raise(rule)


_YES_NO_OPERATORS = (RuleOperator.EQUALS, RuleOperator.NOT_EQUALS, RuleOperator.IS_SET, RuleOperator.IS_EMPTY)
_RULE_FIELDS = ("name", "field", "operator", "value", "points", "active")
#: what changes a score (a new name or place in the list does not)
_SCORED = ("field", "operator", "value", "points", "active")


def _points(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    try:
        points = int(str(raw).strip().replace("\u2212", "-"))
    except (TypeError, ValueError):
        return None
    return points if -1000 <= points <= 1000 else None


def _rescore(actor: User) -> Job:
    """Recalculate every score after the rules changed. A job still queued will read the new rules
    when it starts, so it is reused; one already running read the old ones, so another is queued."""
    queued = Job.objects.filter(kind=RESCORE_KIND, status=JobStatus.QUEUED).order_by("-created_at").first()
    return queued or leads_rescore_start(actor=actor)


def _set_rule(rule: ScoringRule, changes: Mapping[str, Any]) -> bool:
    """Apply and check changes; True when they change what the rule scores."""
    check_names(changes, _RULE_FIELDS)
    before = [getattr(rule, name) for name in _SCORED]
    for name, value in changes.items():
        setattr(rule, name, flag(value) if name == "active" else value)
    _check_scoring_rule(rule)
    return rule.pk is None or before != [getattr(rule, name) for name in _SCORED]


@transaction.atomic
def scoring_rule_create(
    *, actor: User, name: str, field: str, operator: str, points: Any, value: str = "", active: bool = True
) -> ScoringRule:
    """Add a scoring rule (at the end of the list) and recalculate every lead's score."""
    require_admin(actor)
    rule = ScoringRule(position=next_position(ScoringRule))
    changes = {"name": name, "field": field, "operator": operator, "value": value, "points": points}
    _set_rule(rule, {**changes, "active": active})
    rule.save()
    _rescore(actor)
    return rule


@transaction.atomic
def scoring_rule_update(*, actor: User, rule_id: Any, **changes: Any) -> ScoringRule:
    """Change a scoring rule; scores are recalculated when the condition, points or status changed."""
    require_admin(actor)
    rule = locked(ScoringRule.objects.all(), rule_id)
    rescore = _set_rule(rule, changes)
    rule.save()
    if rescore:
        _rescore(actor)
    return rule


@transaction.atomic
def scoring_rule_delete(*, actor: User, rule_id: Any) -> None:
    """Remove a scoring rule; scores are recalculated without it."""
    require_admin(actor)
    rule = locked(ScoringRule.objects.all(), rule_id)
    rule.delete()
    if rule.active:
        _rescore(actor)


@transaction.atomic
def scoring_rule_move(*, actor: User, rule_id: Any, direction: str) -> ScoringRule:
    """Move a rule in the list (scores are a sum, so the order only helps people read the list)."""
    require_admin(actor)
    return move(ScoringRule.objects.all(), rule_id, direction)


@transaction.atomic
def lead_scores_recalculate(*, actor: User) -> Job:
    """The "Recalculate all scores" button: queue a recalculation (or reuse the one still queued)."""
    require_admin(actor)
    return _rescore(actor)


def rescore_job_latest() -> Job | None:
    """The newest score recalculation, to show its progress."""
    return Job.objects.filter(kind=RESCORE_KIND).order_by("-created_at").first()
