"""`/api/v1/pipelines` (with their stages and gates) and `/api/v1/opportunities` (with their moves,
stage history and product lines): schemas in (`api_schemas`), the services, schemas out.

Every stage change goes through the one move service, so a gate that refuses answers `422` with
`missing` listing everything the stage needs (`GateRefused.extensions`) and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from rapport.core.api_support import ListOut, actor_of
from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.listing import NOT_A_DATE, Filter, ListSpec, paginate
from rapport.core.models import User
from rapport.core.services._common import CANNOT_BE_SET
from rapport.core.visibility import access, visible_to
from rapport.pipeline import gates
from rapport.pipeline.api_schemas import (
    MAX_ID,
    GateOptionsOut,
    OpportunityFilters,
    OpportunityIn,
    OpportunityLineIn,
    OpportunityLineOut,
    OpportunityLinePatch,
    OpportunityMoveIn,
    OpportunityOut,
    OpportunityPatch,
    PipelineFilters,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageChangeOut,
    StageIn,
    StageOut,
    StagePatch,
)
from rapport.pipeline.models import ContactRole, Opportunity, OpportunityLine, Pipeline, Stage, StageChange
from rapport.pipeline.services import config, parts
from rapport.pipeline.services import opportunities as services

pipelines_router = Router(tags=["pipelines"])
opportunities_router = Router(tags=["opportunities"])

CANNOT_BE_EMPTY = gettext_lazy("This field cannot be empty.")

#: API name → the service's name of an opportunity field
OPPORTUNITY_NAMES = {"amount": "amount_amount", "currency": "amount_currency"}
SERVICE_NAMES = {service: api for api, service in OPPORTUNITY_NAMES.items()}
#: fields an opportunity always has: null does not clear them
NOT_NULL = ("name", "account", "owner", "pipeline", "currency", "forecast_category")
#: what `values` of a move may set (the gate's field names; `custom.<key>` too)
MOVE_VALUES = (
    "name",
    "owner",
    "amount",
    "currency",
    "probability",
    "close_date",
    "next_step",
    "closed_reason",
    "source_lead",
    "campaign",
    "description",
)
STAGE_NOT_NULL = ("name", "order", "probability", "kind", "forecast_category")


# --- helpers ---------------------------------------------------------------------------------------


def _existing(model: type[Any], pk: int, **lookups: Any) -> Any:
    if not 0 < pk <= MAX_ID:
        raise RecordNotFound()
    try:
        return model.objects.get(pk=pk, **lookups)
    except model.DoesNotExist as exc:
        raise RecordNotFound() from exc


def _refuse_nulls(fields: Mapping[str, Any], names: tuple[str, ...]) -> None:
    empty = [name for name in names if name in fields and fields[name] is None]
    if empty:
        raise InvalidInput({name: [str(CANNOT_BE_EMPTY)] for name in empty})


@contextmanager
def _errors_named(rename: Mapping[str, str], prefixes: Mapping[str, str] | None = None) -> Iterator[None]:
    """Name a service's field errors after the body this route reads (`amount_amount` → `amount`)."""
    try:
        yield
    except InvalidInput as exc:
        renamed: dict[str, list[str]] = {}
        for key, messages in exc.errors.items():
            new = rename.get(key, key)
            for old_prefix, new_prefix in (prefixes or {}).items():
                if key.startswith(old_prefix):
                    new = new_prefix + key.removeprefix(old_prefix)
            renamed.setdefault(new, []).extend(messages)
        exc.errors = renamed
        raise


def _service_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {OPPORTUNITY_NAMES.get(name, name): value for name, value in data.items()}


# --- pipelines -------------------------------------------------------------------------------------


def _pipelines() -> QuerySet[Pipeline]:
    return Pipeline.objects.prefetch_related(Prefetch("stages", queryset=Stage.objects.order_by("order", "id")))


@pipelines_router.get("", response=list[PipelineOut], summary="List pipelines with their stages")
def list_pipelines(request: HttpRequest, filters: Query[PipelineFilters]) -> QuerySet[Pipeline]:
    actor_of(request)
    queryset = _pipelines()
    return queryset.filter(active=filters.active) if filters.active is not None else queryset


@pipelines_router.post("", response={201: PipelineOut}, summary="Create a pipeline (administrators)")
def create_pipeline(request: HttpRequest, payload: PipelineIn) -> Status[Pipeline]:
    pipeline = config.pipeline_save(actor=actor_of(request), data=payload.dict())
    return Status(201, _pipelines().get(pk=pipeline.pk))


@pipelines_router.get(
    "/gate-options",
    response=GateOptionsOut,
    summary="The fields, contact roles and artefacts a stage may require",
)
def gate_options(request: HttpRequest) -> dict[str, Any]:
    actor_of(request)
    return {
        "fields": [{"key": key, "label": label} for key, label in gates.field_choices()],
        "roles": [{"key": key, "label": str(label)} for key, label in ContactRole.choices],
        "artefacts": [{"key": a.key, "label": str(a.label)} for a in gates.artefacts()],
    }


@pipelines_router.get("/{int:pipeline_id}", response=PipelineOut, summary="Get a pipeline with its stages")
def get_pipeline(request: HttpRequest, pipeline_id: int) -> Pipeline:
    actor_of(request)
    if not 0 < pipeline_id <= MAX_ID:
        raise RecordNotFound()
    try:
        return _pipelines().get(pk=pipeline_id)
    except Pipeline.DoesNotExist as exc:
        raise RecordNotFound() from exc


@pipelines_router.patch("/{int:pipeline_id}", response=PipelineOut, summary="Change a pipeline (administrators)")
def update_pipeline(request: HttpRequest, pipeline_id: int, payload: PipelinePatch) -> Pipeline:
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, ("name", "position", "active"))
    config.pipeline_save(actor=actor_of(request), data=data, pipeline_id=pipeline_id)
    return _pipelines().get(pk=pipeline_id)


@pipelines_router.delete(
    "/{int:pipeline_id}", response={204: None}, summary="Delete a pipeline no opportunity uses (administrators)"
)
def delete_pipeline(request: HttpRequest, pipeline_id: int) -> Status[None]:
    config.pipeline_delete(actor=actor_of(request), pipeline_id=pipeline_id)
    return Status(204, None)


# --- stages ----------------------------------------------------------------------------------------


@pipelines_router.get("/{int:pipeline_id}/stages", response=list[StageOut], summary="The stages of a pipeline")
def list_stages(request: HttpRequest, pipeline_id: int) -> QuerySet[Stage]:
    actor_of(request)
    pipeline: Pipeline = _existing(Pipeline, pipeline_id)
    return pipeline.stages.order_by("order", "id")


@pipelines_router.post(
    "/{int:pipeline_id}/stages", response={201: StageOut}, summary="Add a stage with its gate (administrators)"
)
def create_stage(request: HttpRequest, pipeline_id: int, payload: StageIn) -> Status[Stage]:
    data = payload.dict()
    if data["order"] is None:
        data.pop("order")  # after the others
    stage = config.stage_save(actor=actor_of(request), pipeline_id=pipeline_id, data=data)
    stage.refresh_from_db()  # decimals as stored: "25" → "25.00"
    return Status(201, stage)


@pipelines_router.get("/{int:pipeline_id}/stages/{int:stage_id}", response=StageOut, summary="Get a stage")
def get_stage(request: HttpRequest, pipeline_id: int, stage_id: int) -> Stage:
    actor_of(request)
    if not 0 < pipeline_id <= MAX_ID:
        raise RecordNotFound()
    stage: Stage = _existing(Stage, stage_id, pipeline_id=pipeline_id)
    return stage


@pipelines_router.patch(
    "/{int:pipeline_id}/stages/{int:stage_id}",
    response=StageOut,
    summary="Change a stage or its gate (administrators)",
)
def update_stage(request: HttpRequest, pipeline_id: int, stage_id: int, payload: StagePatch) -> Stage:
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, STAGE_NOT_NULL)
    for name in ("required_fields", "required_roles", "required_artefacts"):
        if name in data and data[name] is None:
            data[name] = []  # null clears, as for any other field
    stage = config.stage_save(actor=actor_of(request), pipeline_id=pipeline_id, data=data, stage_id=stage_id)
    stage.refresh_from_db()
    return stage


@pipelines_router.delete(
    "/{int:pipeline_id}/stages/{int:stage_id}",
    response={204: None},
    summary="Delete a stage no opportunity is or was in (administrators)",
)
def delete_stage(request: HttpRequest, pipeline_id: int, stage_id: int) -> Status[None]:
    config.stage_delete(actor=actor_of(request), pipeline_id=pipeline_id, stage_id=stage_id)
    return Status(204, None)


# --- opportunities ---------------------------------------------------------------------------------


class _CloseDate(Filter):
    """The expected close date (a date column: no `__date` transform)."""

    def condition(self, raw: str, actor: User) -> Q:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise ValidationError(NOT_A_DATE) from exc
        return Q(**{f"{self.lookup}__{'gte' if self.kind == 'date_from' else 'lte'}": day})


def _with_lines(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.prefetch_related(Prefetch("lines", queryset=OpportunityLine.objects.order_by("position", "id")))


OPPORTUNITY_LIST = ListSpec(
    model=Opportunity,
    record_type="opportunity",
    filters=(
        Filter("q", "name", "text"),
        Filter("pipeline", "pipeline_id"),
        Filter("stage", "stage_id"),
        Filter("owner", "owner_id", "owner"),
        Filter("account", "account_id"),
        _CloseDate("close_from", "close_date", "date_from"),
        _CloseDate("close_to", "close_date", "date_to"),
    ),
    orderings={
        "name": ("name",),
        "amount": ("amount_amount",),
        "close_date": ("close_date",),
        "probability": ("probability",),
        "stage": ("stage__order",),
        "owner": ("owner__first_name", "owner__last_name"),
        "created": ("created_at",),
        "updated": ("updated_at",),
    },
    default_ordering="-created",
    prefetch=_with_lines,
)


def _opportunity(actor: User, opportunity_id: int) -> Opportunity:
    opportunity: Opportunity = access(
        actor, Opportunity, opportunity_id, queryset=_with_lines(visible_to(actor, Opportunity))
    )
    return opportunity


def _as_stored(opportunity: Opportunity) -> Opportunity:
    """The saved opportunity read back (decimals as stored, its lines) — the service has already
    checked the actor's rights, and a new owner may put it out of the actor's sight."""
    stored: Opportunity = _with_lines(Opportunity.objects.all()).get(pk=opportunity.pk)
    return stored


def _list_params(filters: OpportunityFilters, request: HttpRequest) -> dict[str, Any]:
    """Declared filters plus `cf_<key>` custom-field filters."""
    params = {k: v for k, v in filters.dict(exclude={"page", "limit"}).items() if v is not None}
    params.update({k: v for k, v in request.GET.items() if k.startswith("cf_")})
    return params


@opportunities_router.get("", response=ListOut[OpportunityOut], summary="List opportunities")
def list_opportunities(request: HttpRequest, filters: Query[OpportunityFilters]) -> dict[str, Any]:
    queryset = OPPORTUNITY_LIST.apply(actor_of(request), _list_params(filters, request))
    page = paginate(queryset, filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@opportunities_router.post("", response={201: OpportunityOut}, summary="Create an opportunity (through the gate)")
def create_opportunity(request: HttpRequest, payload: OpportunityIn) -> Status[Opportunity]:
    data = payload.dict()
    custom = data.pop("custom_fields")
    stage = data.pop("stage")
    fields = {name: value for name, value in _service_fields(data).items() if value is not None}
    with _errors_named(SERVICE_NAMES):
        opportunity = services.opportunity_create(actor=actor_of(request), stage=stage, custom_fields=custom, **fields)
    return Status(201, _as_stored(opportunity))


@opportunities_router.get("/{int:opportunity_id}", response=OpportunityOut, summary="Get an opportunity")
def get_opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return _opportunity(actor_of(request), opportunity_id)


@opportunities_router.patch(
    "/{int:opportunity_id}",
    response=OpportunityOut,
    summary="Change an opportunity (a new stage goes through its gate)",
)
def update_opportunity(request: HttpRequest, opportunity_id: int, payload: OpportunityPatch) -> Opportunity:
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, NOT_NULL)
    custom = data.pop("custom_fields", None)
    stage = data.pop("stage", None)
    with _errors_named(SERVICE_NAMES):
        opportunity = services.opportunity_update(
            actor=actor_of(request),
            opportunity_id=opportunity_id,
            stage=stage,
            custom_fields=custom,
            **_service_fields(data),
        )
    return _as_stored(opportunity)


@opportunities_router.delete("/{int:opportunity_id}", response={204: None}, summary="Delete an opportunity")
def delete_opportunity(request: HttpRequest, opportunity_id: int) -> Status[None]:
    services.opportunity_delete(actor=actor_of(request), opportunity_id=opportunity_id)
    return Status(204, None)


@opportunities_router.post(
    "/{int:opportunity_id}/move",
    response=OpportunityOut,
    summary="Move an opportunity to another stage of its pipeline",
    description="The stage's gate decides: when something is missing the answer is a `422` problem whose "
    "`missing` lists every field, contact role and artefact lacking (`[{kind, key, label}]`), and nothing "
    "is saved. `values` fill what the gate asks for in the same step.",
)
def move_opportunity(request: HttpRequest, opportunity_id: int, payload: OpportunityMoveIn) -> Opportunity:
    values: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    unknown: dict[str, list[str]] = {}
    for name, value in payload.values.items():
        if name.startswith("custom.") and len(name) > len("custom."):
            custom[name.removeprefix("custom.")] = value
        elif name in MOVE_VALUES:
            values[OPPORTUNITY_NAMES.get(name, name)] = value
        else:
            unknown[f"values.{name}"] = [str(CANNOT_BE_SET)]
    if unknown:
        raise InvalidInput(unknown)
    rename = {service: f"values.{api}" for api, service in OPPORTUNITY_NAMES.items()}
    rename.update({name: f"values.{name}" for name in MOVE_VALUES if name not in OPPORTUNITY_NAMES})
    with _errors_named(rename, {"custom_fields.": "values.custom."}):
        opportunity = services.opportunity_move(
            actor=actor_of(request),
            opportunity_id=opportunity_id,
            stage=payload.stage,
            values=values,
            custom_fields=custom or None,
        )
    return _as_stored(opportunity)


@opportunities_router.get(
    "/{int:opportunity_id}/history",
    response=list[StageChangeOut],
    summary="The stage moves of an opportunity, oldest first (the first is its creation)",
)
def opportunity_history(request: HttpRequest, opportunity_id: int) -> QuerySet[StageChange]:
    opportunity = access(actor_of(request), Opportunity, opportunity_id)
    return StageChange.objects.filter(opportunity=opportunity).order_by("at", "id")


# --- product lines ---------------------------------------------------------------------------------


@opportunities_router.post(
    "/{int:opportunity_id}/lines",
    response={201: OpportunityLineOut},
    summary="Add a product line (the amount follows the lines unless it was typed in)",
)
def add_line(request: HttpRequest, opportunity_id: int, payload: OpportunityLineIn) -> Status[OpportunityLine]:
    data = {name: value for name, value in payload.dict().items() if value is not None}
    line = parts.line_add(actor=actor_of(request), opportunity_id=opportunity_id, data=data)
    line.refresh_from_db()  # decimals as stored
    return Status(201, line)


@opportunities_router.patch(
    "/{int:opportunity_id}/lines/{int:line_id}", response=OpportunityLineOut, summary="Change a product line"
)
def update_line(
    request: HttpRequest, opportunity_id: int, line_id: int, payload: OpportunityLinePatch
) -> OpportunityLine:
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, ("product", "quantity", "unit_price", "discount"))
    line = parts.line_update(actor=actor_of(request), opportunity_id=opportunity_id, line_id=line_id, data=data)
    line.refresh_from_db()
    return line


@opportunities_router.delete(
    "/{int:opportunity_id}/lines/{int:line_id}", response={204: None}, summary="Remove a product line"
)
def delete_line(request: HttpRequest, opportunity_id: int, line_id: int) -> Status[None]:
    parts.line_delete(actor=actor_of(request), opportunity_id=opportunity_id, line_id=line_id)
    return Status(204, None)
