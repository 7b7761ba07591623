"""The kanban board of a pipeline: one column per stage with its totals, cards loaded 25 at a time,
filters, and moves by drag and drop or by each card's "Move to…" select.

A move goes through `opportunity_move` like every other; when the stage's gate refuses, the answer
is a dialog listing everything missing, with inputs for the missing fields, which retries the move
with the values filled in (`board_gate`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.catalog.models import Product
from rapport.core import customfields
from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import CustomField, Territory, User
from rapport.core.visibility import access, can, visible_to
from rapport.customers.models import CustomerCategory
from rapport.pipeline import gates
from rapport.pipeline.models import Opportunity, Pipeline, Stage
from rapport.pipeline.selectors_board import (
    FILTER_PARAMS,
    BoardFilters,
    Column,
    board_opportunities,
    column_page,
    column_totals,
    first_cards,
    one_card,
    parse_filters,
)
from rapport.pipeline.services.opportunities import GateRefused, opportunity_move, stage_in
from rapport.web.lists import Control, owner_control, team_control
from rapport.web.utils import add_domain_error, http_errors

MOVED = _("“%(name)s” moved to %(stage)s.")
STILL_MISSING = _("The stage still needs: %(missing)s.")

#: more products than this and the product filter is left out (a select would be too long)
PRODUCT_OPTIONS_LIMIT = 300
TEXT_FIELDS = {"next_step": 300, "closed_reason": 300, "campaign": 150}


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", None))


def _detail_url(opportunity_id: int) -> str:
    try:
        return reverse("pipeline:opportunity_detail", args=[opportunity_id])
    except NoReverseMatch:
        return ""


def _filter_query(filters: BoardFilters) -> str:
    """The filters as a query string (what the cards' forms and the column pages carry along)."""
    return urlencode([(name, filters.values[name]) for name in FILTER_PARAMS if name in filters.values])


def _board_url(pipeline_id: int, query: str) -> str:
    url = f"{reverse('pipeline:board')}?pipeline={pipeline_id}"
    return f"{url}&{query}" if query else url


def _stages(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("order", "id"))


def _controls(filters: BoardFilters) -> list[Control]:
    products = list(
        Product.objects.filter(active=True)
        .order_by("name", "id")
        .values_list("pk", "name")[: PRODUCT_OPTIONS_LIMIT + 1]
    )
    controls = [
        owner_control(),
        team_control(),
        Control(
            "territory",
            _("Territory"),
            options=[(str(t.pk), "— " * t.depth + t.name) for t in Territory.objects.order_by("path")],
        ),
        Control(
            "category",
            _("Customer category"),
            options=[(str(c.pk), c.name) for c in CustomerCategory.objects.order_by("position", "name")],
        ),
    ]
    if len(products) <= PRODUCT_OPTIONS_LIMIT:
        controls.append(Control("product", _("Product"), options=[(str(pk), name) for pk, name in products]))
    controls += [
        Control("close_from", _("Closing from"), kind="date"),
        Control("close_to", _("Closing until"), kind="date"),
    ]
    for control in controls:
        control.value = filters.values.get(control.param, "")
    return controls


def _with_totals(columns: list[Column], totals: dict[int, Any]) -> list[Column]:
    for column in columns:
        column.totals = totals.get(column.stage.pk)
    return columns


# --- the board ----------------------------------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    pipelines = list(Pipeline.objects.filter(active=True).order_by("position", "id"))
    chosen = request.GET.get("pipeline", "")
    if chosen:
        pipeline = next((p for p in pipelines if str(p.pk) == chosen), None)
        if pipeline is None:
            raise Http404(_("There is no such active pipeline."))
    else:
        pipeline = pipelines[0] if pipelines else None
    context: dict[str, Any] = {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "can_edit": can(actor, "edit", "opportunity"),
    }
    filters = parse_filters(actor, request.GET)
    context["filters"] = filters
    context["controls"] = _controls(filters)
    labels = {c.param: c.label for c in context["controls"]}
    context["filter_errors"] = [(labels.get(k, k), v) for k, v in filters.errors.items()]
    if pipeline is None:
        return render(request, "pipeline/board.html", context)
    stages = _stages(pipeline)
    queryset = board_opportunities(actor, pipeline, filters)
    columns = _with_totals(first_cards(queryset, stages), column_totals(queryset, stages))
    context.update(
        {
            "stages": stages,
            "columns": columns,
            "query": _filter_query(filters),
            "empty": not any(c.totals and c.totals.count for c in columns),
            "can_create": can(actor, "create", "opportunity"),
        }
    )
    return render(request, "pipeline/board.html", context)


@login_required
@require_GET
def board_column(request: HttpRequest, stage_id: int) -> HttpResponse:
    """The next page of one column's cards (htmx, when the end of the column comes into view)."""
    actor = _actor(request)
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_id, pipeline__active=True)
    try:
        page = int(request.GET.get("page", "2"))
    except ValueError:
        page = 2
    filters = parse_filters(actor, request.GET)
    queryset = board_opportunities(actor, stage.pipeline, filters)
    context = {
        "column": column_page(queryset, stage, page),
        "stages": _stages(stage.pipeline),
        "query": _filter_query(filters),
        "can_edit": can(actor, "edit", "opportunity"),
    }
    return render(request, "pipeline/_board_cards.html", context)


def _moved(request: HttpRequest, actor: User, opportunity: Opportunity, query: str) -> HttpResponse:
    """After a move: the card at the top of its new column, and every column's totals again."""
    message = MOVED % {"name": opportunity.name, "stage": opportunity.stage.name}
    if not _is_htmx(request):
        messages.success(request, message)
        return redirect(_board_url(opportunity.pipeline_id, query))
    filters = parse_filters(actor, QueryDict(query))
    stages = _stages(opportunity.pipeline)
    stage = next(s for s in stages if s.pk == opportunity.stage_id)
    queryset = board_opportunities(actor, opportunity.pipeline, filters)
    totals = column_totals(queryset, stages)
    context = {
        "message": message,
        "card": one_card(visible_to(actor, Opportunity), stage, opportunity.pk),
        "stage": stage,
        "stages": stages,
        "columns": _with_totals([Column(s) for s in stages], totals),
        "query": _filter_query(filters),
        "can_edit": True,
    }
    return render(request, "pipeline/_board_moved.html", context)


def _refused(request: HttpRequest, message: str, pipeline_id: int, query: str) -> HttpResponse:
    if _is_htmx(request):
        return render(request, "pipeline/_board_feedback.html", {"message": message, "level": "error"})
    messages.error(request, message)
    return redirect(_board_url(pipeline_id, query))


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, InvalidInput) and exc.errors:
        return " ".join(m for field_messages in exc.errors.values() for m in field_messages)
    return exc.message


@login_required
@require_POST
def board_move(request: HttpRequest) -> HttpResponse:
    """Move a card to a stage (drag and drop, or the card's "Move to…" select)."""
    actor = _actor(request)
    query = request.POST.get("query", "")
    opportunity_id = request.POST.get("opportunity", "")
    stage_id = request.POST.get("stage", "")
    try:
        with http_errors():
            opportunity = opportunity_move(actor=actor, opportunity_id=opportunity_id, stage=stage_id)
    except GateRefused as exc:
        if not _is_htmx(request):
            url = reverse("pipeline:board_gate", args=[int(opportunity_id), exc.stage.pk])
            return redirect(f"{url}?{urlencode({'query': query})}")
        current = _visible(actor, opportunity_id)
        form = GateForm(exc.missing)
        return _gate_dialog(request, current, exc.stage, form, query)
    except DomainError as exc:
        current = _visible(actor, opportunity_id)
        return _refused(request, _error_text(exc), current.pipeline_id, query)
    return _moved(request, actor, opportunity, query)


# --- the gate dialog ------------------------------------------------------------------------------------


class GateForm(forms.Form):
    """Inputs for the missing fields of a refused move; the rest (roles, artefacts, product lines…)
    are listed in `todo`, to be done on the opportunity's page."""

    def __init__(self, missing: list[gates.Missing], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing = missing
        self.todo: list[gates.Missing] = []
        self.custom_keys: list[str] = []
        custom = {f.key: f for f in customfields.fields_for("opportunity")} if missing else {}
        for item in missing:
            field = self._field_for(item, custom)
            if field is None:
                self.todo.append(item)
                continue
            name, form_field = field
            form_field.label = capfirst(item.label)
            form_field.required = True
            self.fields[name] = form_field

    def _field_for(self, item: gates.Missing, custom: dict[str, CustomField]) -> tuple[str, forms.Field] | None:
        if item.kind != "field":
            return None
        key = item.key
        if key == "close_date":
            return key, forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        if key in TEXT_FIELDS:
            return key, forms.CharField(max_length=TEXT_FIELDS[key])
        if key == "description":
            return key, forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
        if key == "amount":
            return "amount_amount", forms.DecimalField(
                min_value=0, max_digits=18, decimal_places=2, widget=forms.TextInput(attrs={"inputmode": "decimal"})
            )
        if key.startswith("custom.") and key.removeprefix("custom.") in custom:
            custom_key = key.removeprefix("custom.")
            self.custom_keys.append(custom_key)
            return f"cf_{custom_key}", customfields.form_field(custom[custom_key])
        return None

    def values(self) -> dict[str, Any]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not name.startswith("cf_") and value not in (None, "")
        }

    def custom_values(self) -> dict[str, Any] | None:
        if not self.custom_keys:
            return None
        return {key: self.cleaned_data.get(f"cf_{key}") for key in self.custom_keys}


def _visible(actor: User, opportunity_id: Any) -> Opportunity:
    with http_errors():
        return access(
            actor, Opportunity, opportunity_id, queryset=visible_to(actor, Opportunity).select_related("pipeline")
        )


def _gate_dialog(
    request: HttpRequest, opportunity: Opportunity, stage: Stage, form: GateForm, query: str, status: int = 200
) -> HttpResponse:
    context = {
        "opportunity": opportunity,
        "stage": stage,
        "form": form,
        "query": query,
        "detail_url": _detail_url(opportunity.pk),
        "board_url": _board_url(opportunity.pipeline_id, query),
    }
    template = "pipeline/_board_gate.html" if _is_htmx(request) else "pipeline/board_gate.html"
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def board_gate(request: HttpRequest, opportunity_id: int, stage_id: int) -> HttpResponse:
    """The form a refused move asks to fill: GET shows it, POST fills the fields and moves."""
    actor = _actor(request)
    if not can(actor, "edit", "opportunity"):
        _visible(actor, opportunity_id)  # hidden → 404 before "not allowed"
        raise PermissionDenied
    opportunity = _visible(actor, opportunity_id)
    try:
        stage = stage_in(opportunity.pipeline, stage_id)
    except InvalidInput as exc:
        raise Http404(exc.message) from exc
    query = (request.POST if request.method == "POST" else request.GET).get("query", "")
    missing = gates.missing_for(opportunity, stage)
    if request.method == "GET":
        return _gate_dialog(request, opportunity, stage, GateForm(missing), query)
    form = GateForm(missing, request.POST)
    if form.is_valid():
        try:
            with http_errors():
                moved = opportunity_move(
                    actor=actor,
                    opportunity_id=opportunity.pk,
                    stage=stage.pk,
                    values=form.values(),
                    custom_fields=form.custom_values(),
                )
        except GateRefused as exc:
            # Something not fillable here is still missing (a contact role, a product line…).
            form.add_error(None, STILL_MISSING % {"missing": ", ".join(m.label for m in exc.missing)})
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _moved(request, actor, moved, query)
    return _gate_dialog(request, opportunity, stage, form, query, status=200 if _is_htmx(request) else 422)


urlpatterns: list[URLPattern] = [
    path("opportunities/board/", board, name="board"),
    path("opportunities/board/column/<int:stage_id>/", board_column, name="board_column"),
    path("opportunities/board/move/", board_move, name="board_move"),
    path("opportunities/board/gate/<int:opportunity_id>/<int:stage_id>/", board_gate, name="board_gate"),
]
