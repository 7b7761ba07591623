"""Every write on an opportunity's own fields, and every stage move.

One door for moves: `opportunity_move` is what the form, the kanban board, the bulk action and the
API call, and `opportunity_create`/`opportunity_update` call it too when they set a stage. It
applies the submitted values, asks the stage's gate what is missing (`gates.missing_for`) and
refuses with the complete list — nothing is saved — or moves and records the step in the
immutable stage history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from rapport.core import audit, customfields
from rapport.core.errors import DomainError, InvalidInput, RuleViolation
from rapport.core.models import Currency, User
from rapport.core.money import company_currency
from rapport.core.services._common import apply_fields, full_clean_or_raise
from rapport.core.services.notifications import notify
from rapport.core.visibility import access, is_visible, require, visible_to
from rapport.customers.models import Account
from rapport.pipeline import gates
from rapport.pipeline.models import Opportunity, Pipeline, Stage, StageChange, StageKind
from rapport.pipeline.signals import opportunity_owner_changed

OUT_OF_SCOPE = gettext_lazy(
    "After this change you would no longer see the record; ask your manager to assign it instead."
)
UNKNOWN_CHOICE = gettext_lazy("Choose an existing %(what)s.")
INACTIVE_OWNER = gettext_lazy("The owner must be an active user.")
NO_PIPELINE = gettext_lazy("There is no active pipeline; an administrator must create one first.")
NO_OPEN_STAGE = gettext_lazy("This pipeline has no open stage.")
STAGE_OF_OTHER_PIPELINE = gettext_lazy("Choose a stage of the opportunity's pipeline.")
GATE_REFUSED = gettext_lazy("The opportunity cannot enter “%(stage)s” yet. Missing: %(missing)s.")
NOT_A_PERCENT = gettext_lazy("Enter a percentage between 0 and 100.")

OPPORTUNITY_FIELDS = (
    "name",
    "account",
    "owner",
    "pipeline",
    "amount_amount",
    "amount_currency",
    "amount_from_lines",
    "probability",
    "close_date",
    "forecast_category",
    "next_step",
    "closed_reason",
    "source_lead",
    "campaign",
    "description",
)
#: what the audit trail follows (custom fields are added by the record type)
AUDIT_FIELDS = (*OPPORTUNITY_FIELDS, "stage")


class GateRefused(DomainError):
    """A move the stage's gate refuses; `missing` names every field, role or artefact lacking."""

    status = 422

    def __init__(self, stage: Stage, missing: list[gates.Missing]) -> None:
        self.stage = stage
        self.missing = missing
        labels = ", ".join(m.label for m in missing)
        super().__init__(str(GATE_REFUSED % {"stage": stage.name, "missing": labels}))

    def extensions(self) -> dict[str, Any]:
        return {"missing": [m.as_dict() for m in self.missing], "stage": self.stage.pk}


# --- shared steps ------------------------------------------------------------------------------------


def resolve(actor: User, field: str, value: Any) -> Any:
    """Turn an id (from a form or the API) into the record it names, within what the actor sees."""
    if value is None or value == "" or isinstance(value, models.Model):
        return value or None
    from rapport.leads.models import Lead

    choices: dict[str, tuple[models.QuerySet[Any], Any]] = {
        "owner": (User.objects.filter(is_active=True), gettext_lazy("user")),
        "account": (visible_to(actor, Account), gettext_lazy("account")),
        "pipeline": (Pipeline.objects.filter(active=True), gettext_lazy("pipeline")),
        "amount_currency": (Currency.objects.filter(active=True), gettext_lazy("currency")),
        "source_lead": (visible_to(actor, Lead), gettext_lazy("lead")),
    }
    if field == "probability":
        return _percent(value)
    if field not in choices:
        return value
    queryset, what = choices[field]
    if field == "amount_currency" and isinstance(value, str):
        value = value.strip().upper()
    try:
        return queryset.get(pk=value)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({field: [str(UNKNOWN_CHOICE % {"what": what})]}) from exc


def _percent(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput({"probability": [str(NOT_A_PERCENT)]}) from exc
    if not number.is_finite() or not 0 <= number <= 100:
        raise InvalidInput({"probability": [str(NOT_A_PERCENT)]})
    return number.quantize(Decimal("0.01"))


def stage_in(pipeline: Pipeline, stage: Any) -> Stage:
    if isinstance(stage, Stage) and stage.pipeline_id == pipeline.pk:
        return stage
    try:
        return Stage.objects.get(pipeline=pipeline, pk=stage.pk if isinstance(stage, Stage) else stage)
    except (Stage.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"stage": [str(STAGE_OF_OTHER_PIPELINE)]}) from exc


def first_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(kind=StageKind.OPEN).order_by("order", "id").first()
    if stage is None:
        raise RuleViolation(str(NO_OPEN_STAGE))
    return stage


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(active=True).order_by("position", "id").first()
    if pipeline is None:
        raise RuleViolation(str(NO_PIPELINE))
    return pipeline


def check_opportunity(opportunity: Opportunity) -> None:
    full_clean_or_raise(opportunity, exclude=["custom", "created_by", "stage_entered_at", "source_lead"])
    if not opportunity.owner.is_active:
        raise InvalidInput({"owner": [str(INACTIVE_OWNER)]})


def _apply(actor: User, opportunity: Opportunity, changes: Mapping[str, Any]) -> None:
    apply_fields(opportunity, OPPORTUNITY_FIELDS, changes, lambda name, value: resolve(actor, name, value))
    if "probability" in changes:
        opportunity.probability_overridden = changes["probability"] not in (None, "")
        if not opportunity.probability_overridden:
            opportunity.probability = opportunity.stage.probability


def _enter(opportunity: Opportunity, stage: Stage, now: Any) -> None:
    """Put the opportunity in `stage`: its probability and forecast category follow the stage
    (a probability typed in by hand is kept while the deal stays open)."""
    opportunity.stage = stage
    opportunity.stage_entered_at = now
    if stage.is_closed or not opportunity.probability_overridden:
        opportunity.probability = stage.probability
        opportunity.probability_overridden = False
    opportunity.forecast_category = stage.forecast_category
    opportunity.closed_at = now if stage.is_closed else None


def _record_move(actor: User | None, opportunity: Opportunity, from_stage: Stage | None, now: Any) -> None:
    StageChange.objects.create(
        opportunity=opportunity,
        from_stage=from_stage,
        to_stage=opportunity.stage,
        by=actor,
        at=now,
        amount=opportunity.amount_amount,
        currency_id=opportunity.amount_currency_id,
        probability=opportunity.probability,
    )


def _gate(opportunity: Opportunity, stage: Stage) -> None:
    missing = gates.missing_for(opportunity, stage)
    if missing:
        raise GateRefused(stage, missing)


def _save(actor: User, opportunity: Opportunity, *, check_scope: bool = True) -> None:
    check_opportunity(opportunity)
    opportunity.save()
    if check_scope and not is_visible(actor, opportunity):
        raise RuleViolation(str(OUT_OF_SCOPE))


def notify_new_owner(actor: User, opportunity: Opportunity, previous_owner_id: int | None) -> None:
    if opportunity.owner_id != previous_owner_id and opportunity.owner_id != actor.pk:
        with override(opportunity.owner.language):
            message = _("%(actor)s assigned the opportunity %(name)s to you.") % {
                "actor": actor,
                "name": opportunity,
            }
        notify(recipient=opportunity.owner, message=message, url=opportunity.get_absolute_url())


def editable_opportunity(actor: User, opportunity_id: Any, action: str = "edit") -> Opportunity:
    queryset = visible_to(actor, Opportunity).select_related("stage", "pipeline", "owner", "account")
    return access(actor, Opportunity, opportunity_id, action, queryset=queryset.select_for_update(of=("self",)))  # type: ignore[arg-type]


# --- use cases ---------------------------------------------------------------------------------------


@transaction.atomic
def opportunity_create(
    *,
    actor: User,
    stage: Any = None,
    custom_fields: Mapping[str, Any] | None = None,
    **fields: Any,
) -> Opportunity:
    """Create an opportunity in `stage` (default: the first open stage of its pipeline), through
    that stage's gate like any move."""
    require(actor, "create", "opportunity")
    now = timezone.now()
    opportunity = Opportunity(owner=actor, created_by=actor, amount_amount=Decimal("0"), stage_entered_at=now)
    opportunity.amount_currency_id = company_currency()
    opportunity.custom = customfields.clean_values("opportunity", custom_fields, existing={}, partial=False)
    pipeline_value = fields.pop("pipeline", None)
    opportunity.pipeline = resolve(actor, "pipeline", pipeline_value) or default_pipeline()
    target = stage_in(opportunity.pipeline, stage) if stage not in (None, "") else first_stage(opportunity.pipeline)
    opportunity.stage = target
    opportunity.probability = target.probability
    typed_amount = fields.get("amount_amount") not in (None, "")
    if not typed_amount:
        fields.pop("amount_amount", None)  # no amount typed: it is the sum of the lines (none yet)
    _apply(actor, opportunity, fields)
    if typed_amount:
        opportunity.amount_from_lines = bool(fields.get("amount_from_lines", False))
    _gate(opportunity, target)
    _enter(opportunity, target, now)
    _save(actor, opportunity, check_scope=opportunity.owner_id == actor.pk or "owner" in fields)
    _record_move(actor, opportunity, None, now)
    audit.log_create(actor, opportunity)
    notify_new_owner(actor, opportunity, actor.pk)
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    actor: User,
    opportunity_id: Any,
    stage: Any = None,
    custom_fields: Mapping[str, Any] | None = None,
    partial: bool = True,
    **changes: Any,
) -> Opportunity:
    """Change fields; a new stage (or pipeline) goes through the gate with the changed values."""
    opportunity = editable_opportunity(actor, opportunity_id)
    before = audit.snapshot(opportunity)
    previous_owner = opportunity.owner_id
    previous_stage = opportunity.stage
    _apply(actor, opportunity, changes)
    if custom_fields is not None:
        opportunity.custom = customfields.clean_values(
            "opportunity", custom_fields, existing=opportunity.custom, partial=partial
        )
    if "amount_amount" in changes and "amount_from_lines" not in changes:
        opportunity.amount_from_lines = changes["amount_amount"] in (None, "")
    if opportunity.amount_from_lines:
        opportunity.amount_amount = lines_total(opportunity)
    target = previous_stage
    if stage not in (None, "") or opportunity.pipeline_id != previous_stage.pipeline_id:
        target = stage_in(opportunity.pipeline, stage) if stage not in (None, "") else first_stage(opportunity.pipeline)
    now = timezone.now()
    if target.pk != previous_stage.pk:
        _gate(opportunity, target)
        _enter(opportunity, target, now)
    _save(actor, opportunity)
    if target.pk != previous_stage.pk:
        _record_move(actor, opportunity, previous_stage, now)
    audit.log_update(actor, opportunity, before)
    if opportunity.owner_id != previous_owner:
        opportunity_owner_changed.send(Opportunity, opportunity=opportunity, previous_owner_id=previous_owner)
    notify_new_owner(actor, opportunity, previous_owner)
    return opportunity


@transaction.atomic
def opportunity_move(
    *,
    actor: User,
    opportunity_id: Any,
    stage: Any,
    values: Mapping[str, Any] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
) -> Opportunity:
    """Move to `stage` of the same pipeline; `values` fill what the gate asked for in the same step."""
    opportunity = editable_opportunity(actor, opportunity_id)
    target = stage_in(opportunity.pipeline, stage)
    if target.pk == opportunity.stage_id and not values and not custom_fields:
        return opportunity
    return opportunity_update(
        actor=actor, opportunity_id=opportunity.pk, stage=target, custom_fields=custom_fields, **dict(values or {})
    )


@transaction.atomic
def opportunity_delete(*, actor: User, opportunity_id: Any) -> None:
    opportunity = editable_opportunity(actor, opportunity_id, "delete")
    before = audit.snapshot(opportunity)
    audit.log_delete(actor, opportunity, before)
    opportunity.delete()


def lines_total(opportunity: Opportunity) -> Decimal:
    if opportunity.pk is None:
        return Decimal("0")
    return sum((line.total for line in opportunity.lines.all()), Decimal("0"))


def bulk_move(*, actor: User, opportunity_ids: Iterable[Any], stage: Any) -> dict[str, Any]:
    """Move each opportunity through the gate on its own: those it refuses stay, with the reason."""
    moved: list[int] = []
    refused: list[dict[str, Any]] = []
    for opportunity_id in opportunity_ids:
        try:
            opportunity_move(actor=actor, opportunity_id=opportunity_id, stage=stage)
            moved.append(int(opportunity_id))
        except GateRefused as exc:
            refused.append({"id": int(opportunity_id), "message": exc.message, **exc.extensions()})
        except DomainError as exc:
            refused.append({"id": opportunity_id, "message": exc.message})
    return {"moved": moved, "refused": refused}
