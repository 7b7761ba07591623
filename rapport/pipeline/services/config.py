"""Administrators' settings of the pipeline: pipelines and their stages with the stage gates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from rapport.core.errors import InvalidInput, RecordNotFound, RuleViolation
from rapport.core.models import User
from rapport.core.services._common import full_clean_or_raise, require_admin
from rapport.pipeline import gates
from rapport.pipeline.models import ContactRole, Opportunity, Pipeline, Stage

STAGE_FIELDS = (
    "name",
    "order",
    "probability",
    "kind",
    "forecast_category",
    "stuck_after_days",
    "required_fields",
    "required_roles",
    "required_artefacts",
)
UNKNOWN_FIELD = gettext_lazy("Unknown field: %(name)s.")
UNKNOWN_ROLE = gettext_lazy("Unknown contact role: %(name)s.")
UNKNOWN_ARTEFACT = gettext_lazy("Unknown artefact: %(name)s.")
NOT_A_LIST = gettext_lazy("Give a list of names.")
STAGE_IN_USE = gettext_lazy("Opportunities are in this stage; move them to another stage first.")
PIPELINE_IN_USE = gettext_lazy("Opportunities use this pipeline; deactivate it instead.")


@transaction.atomic
def pipeline_save(*, actor: User, data: Mapping[str, Any], pipeline_id: Any = None) -> Pipeline:
    require_admin(actor)
    pipeline = _pipeline(pipeline_id) if pipeline_id is not None else Pipeline()
    for field in ("name", "position", "active"):
        if field in data:
            value = data[field]
            setattr(pipeline, field, value.strip() if isinstance(value, str) else value)
    full_clean_or_raise(pipeline)
    pipeline.save()
    return pipeline


@transaction.atomic
def pipeline_delete(*, actor: User, pipeline_id: Any) -> None:
    require_admin(actor)
    pipeline = _pipeline(pipeline_id)
    if Opportunity.objects.filter(pipeline=pipeline).exists():
        raise RuleViolation(str(PIPELINE_IN_USE))
    pipeline.delete()


def _pipeline(pipeline_id: Any) -> Pipeline:
    try:
        return Pipeline.objects.get(pk=pipeline_id)
    except (Pipeline.DoesNotExist, ValueError, TypeError) as exc:
        raise RecordNotFound() from exc


def _names(field: str, value: Any, allowed: set[str], message: Any) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput({field: [str(NOT_A_LIST)]})
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise InvalidInput({field: [str(message % {"name": name}) for name in unknown]})
    return list(dict.fromkeys(value))


@transaction.atomic
def stage_save(*, actor: User, pipeline_id: Any, data: Mapping[str, Any], stage_id: Any = None) -> Stage:
    """Create or change a stage; gate lists are checked against the fields, roles and artefacts that exist."""
    require_admin(actor)
    pipeline = _pipeline(pipeline_id)
    if stage_id is not None:
        try:
            stage = pipeline.stages.get(pk=stage_id)
        except (Stage.DoesNotExist, ValueError, TypeError) as exc:
            raise RecordNotFound() from exc
    else:
        stage = Stage(pipeline=pipeline, order=pipeline.stages.count())
    unknown = [name for name in data if name not in STAGE_FIELDS]
    if unknown:
        raise InvalidInput({name: [str(gettext_lazy("This field cannot be set."))] for name in unknown})
    for field in ("name", "order", "probability", "kind", "forecast_category", "stuck_after_days"):
        if field in data:
            value = data[field]
            setattr(stage, field, value.strip() if isinstance(value, str) else value)
    if "stuck_after_days" in data and data["stuck_after_days"] in ("", None):
        stage.stuck_after_days = None
    if "required_fields" in data:
        fields = {key for key, _label in gates.field_choices()}
        stage.required_fields = _names("required_fields", data["required_fields"], fields, UNKNOWN_FIELD)
    if "required_roles" in data:
        stage.required_roles = _names("required_roles", data["required_roles"], set(ContactRole.values), UNKNOWN_ROLE)
    if "required_artefacts" in data:
        keys = {a.key for a in gates.artefacts()}
        stage.required_artefacts = _names("required_artefacts", data["required_artefacts"], keys, UNKNOWN_ARTEFACT)
    full_clean_or_raise(stage)  # with the pipeline: a second stage of the same name is refused, not a 500
    stage.save()
    return stage


@transaction.atomic
def stage_delete(*, actor: User, pipeline_id: Any, stage_id: Any) -> None:
    require_admin(actor)
    pipeline = _pipeline(pipeline_id)
    stage = pipeline.stages.filter(pk=stage_id).first() if str(stage_id).isdigit() else None
    if stage is None:
        raise RecordNotFound()
    if Opportunity.objects.filter(stage=stage).exists():
        raise RuleViolation(str(STAGE_IN_USE))
    from rapport.pipeline.models import StageChange

    if StageChange.objects.filter(to_stage=stage).exists() or StageChange.objects.filter(from_stage=stage).exists():
        raise RuleViolation(str(gettext_lazy("This stage is in the history of opportunities; it cannot be deleted.")))
    stage.delete()
