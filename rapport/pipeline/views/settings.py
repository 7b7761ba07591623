"""Settings → pipelines: pipelines, their stages and each stage's gate (administrators)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.core.errors import DomainError
from rapport.pipeline import gates
from rapport.pipeline.forms_settings import PipelineForm, StageForm
from rapport.pipeline.models import ContactRole, Pipeline, Stage
from rapport.pipeline.services import config as services
from rapport.web.settings.views._common import _actor, _confirm, _saved, administrator_required
from rapport.web.utils import add_domain_error, http_errors

LIST_URL = "pipeline:settings_pipelines"
LIST_TITLE = gettext_lazy("Pipelines")
SAVED = gettext_lazy("%(name)s was saved.")
DELETED = gettext_lazy("%(name)s was deleted.")


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(
        request,
        f"pipeline/{template}",
        {"nav_section": "settings", "list_url": LIST_URL, "list_title": LIST_TITLE, **context},
    )


def _save(form: forms.Form, call: Callable[[], Any]) -> Any | None:
    """Run a service with the form's input; its refusal goes onto the form (None is returned)."""
    if not form.is_valid():
        return None
    try:
        return call()
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def _gate_labels(stage: Stage, fields: dict[str, str], artefacts: dict[str, str]) -> list[str]:
    roles = dict(ContactRole.choices)
    return [
        *(fields.get(name, name) for name in stage.required_fields or []),
        *(str(roles.get(role, role)) for role in stage.required_roles or []),
        *(artefacts.get(key, key) for key in stage.required_artefacts or []),
    ]


# --- pipelines -------------------------------------------------------------------------------------------


@administrator_required
@require_GET
def pipeline_list(request: HttpRequest) -> HttpResponse:
    stages = Stage.objects.annotate(opportunity_count=Count("opportunities")).order_by("order", "id")
    pipelines = list(Pipeline.objects.prefetch_related(Prefetch("stages", queryset=stages)).order_by("position", "id"))
    fields = dict(gates.field_choices())
    artefacts = {a.key: str(a.label) for a in gates.artefacts()}
    rows = [
        (pipeline, [(stage, _gate_labels(stage, fields, artefacts)) for stage in pipeline.stages.all()])
        for pipeline in pipelines
    ]
    return _page(request, "settings_pipelines.html", {"rows": rows})


@administrator_required
@require_http_methods(["GET", "POST"])
def pipeline_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk) if pk is not None else None
    form = PipelineForm.for_pipeline(request.POST or None, pipeline)
    if request.method == "POST":
        actor = _actor(request)
        saved = _save(
            form,
            lambda: services.pipeline_save(
                actor=actor, data=form.cleaned_data, pipeline_id=pipeline.pk if pipeline else None
            ),
        )
        if saved is not None:
            return _saved(request, SAVED % {"name": saved}, LIST_URL)
    context = {"form": form, "target": pipeline, "new_title": _("New pipeline")}
    return _page(request, "settings_pipeline_form.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def pipeline_delete(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            with http_errors():
                services.pipeline_delete(actor=_actor(request), pipeline_id=pipeline.pk)
        except DomainError as exc:
            error = exc.message
        else:
            return _saved(request, DELETED % {"name": pipeline}, LIST_URL)
    return _confirm(
        request,
        title=_("Delete the pipeline %(name)s?") % {"name": pipeline},
        message=gettext_lazy("Its stages are deleted with it. A pipeline that opportunities use cannot be deleted."),
        button=gettext_lazy("Delete"),
        cancel_url=reverse(LIST_URL),
        error=error,
    )


# --- stages ----------------------------------------------------------------------------------------------


@administrator_required
@require_http_methods(["GET", "POST"])
def stage_edit(request: HttpRequest, pipeline_pk: int, pk: int | None = None) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_pk)
    stage = get_object_or_404(Stage, pk=pk, pipeline=pipeline) if pk is not None else None
    form = StageForm.for_stage(request.POST or None, pipeline, stage)
    if request.method == "POST":
        actor = _actor(request)
        saved = _save(
            form,
            lambda: services.stage_save(
                actor=actor, pipeline_id=pipeline.pk, data=form.cleaned_data, stage_id=stage.pk if stage else None
            ),
        )
        if saved is not None:
            return _saved(request, SAVED % {"name": saved}, LIST_URL)
    context = {"form": form, "target": stage, "pipeline": pipeline, "new_title": _("New stage")}
    return _page(request, "settings_stage_form.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def stage_delete(request: HttpRequest, pipeline_pk: int, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage, pk=pk, pipeline_id=pipeline_pk)
    error = ""
    if request.method == "POST":
        try:
            with http_errors():
                services.stage_delete(actor=_actor(request), pipeline_id=pipeline_pk, stage_id=stage.pk)
        except DomainError as exc:
            error = exc.message
        else:
            return _saved(request, DELETED % {"name": stage}, LIST_URL)
    return _confirm(
        request,
        title=_("Delete the stage %(name)s?") % {"name": stage},
        message=gettext_lazy("A stage that opportunities are in, or that is in their history, cannot be deleted."),
        button=gettext_lazy("Delete"),
        cancel_url=reverse(LIST_URL),
        error=error,
    )


@transaction.atomic
def _stage_move(request: HttpRequest, pipeline: Pipeline, stage_id: int, direction: str) -> None:
    """Swap the stage with its neighbour; the stages are renumbered 0, 1, 2… on the way."""
    stages = list(pipeline.stages.order_by("order", "id"))
    index = next((i for i, s in enumerate(stages) if s.pk == stage_id), None)
    if index is None:
        return
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(stages):
        stages[index], stages[other] = stages[other], stages[index]
    for number, stage in enumerate(stages):
        if stage.order != number:
            services.stage_save(
                actor=_actor(request), pipeline_id=pipeline.pk, stage_id=stage.pk, data={"order": number}
            )


@administrator_required
@require_POST
def stage_move(request: HttpRequest, pipeline_pk: int, pk: int, direction: str) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pipeline_pk)
    try:
        with http_errors():
            _stage_move(request, pipeline, pk, direction)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(LIST_URL)


S = "settings/pipelines/"
urlpatterns: list[URLPattern] = [
    path(S, pipeline_list, name="settings_pipelines"),
    path(f"{S}new/", pipeline_edit, name="settings_pipeline_create"),
    path(f"{S}<int:pk>/", pipeline_edit, name="settings_pipeline_edit"),
    path(f"{S}<int:pk>/delete/", pipeline_delete, name="settings_pipeline_delete"),
    path(f"{S}<int:pipeline_pk>/stages/new/", stage_edit, name="settings_stage_create"),
    path(f"{S}<int:pipeline_pk>/stages/<int:pk>/", stage_edit, name="settings_stage_edit"),
    path(f"{S}<int:pipeline_pk>/stages/<int:pk>/delete/", stage_delete, name="settings_stage_delete"),
    path(f"{S}<int:pipeline_pk>/stages/<int:pk>/move/<str:direction>/", stage_move, name="settings_stage_move"),
]
