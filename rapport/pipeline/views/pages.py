"""Opportunity list, record page, create/edit/delete, the move from the record page (with what a
refused gate asks for) and the list's bulk actions. The product lines, contacts, competitors and
costs edited in place live in `parts.py`. Every write goes through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.catalog.models import Product
from rapport.core import customfields
from rapport.core import timeline as record_timeline
from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import Currency, User
from rapport.core.visibility import can, visible_to
from rapport.customers.models import Account
from rapport.leads.views.support import actor_of, error_text
from rapport.pipeline import costs as pursuit_costs
from rapport.pipeline import gates, panels, selectors
from rapport.pipeline.forms import (
    TYPED_GATE_FIELDS,
    BulkForm,
    CompetitorForm,
    ContactRoleForm,
    CostForm,
    GateValuesForm,
    LineForm,
    OpportunityForm,
    stage_label,
)
from rapport.pipeline.gates import Missing
from rapport.pipeline.models import Opportunity, Pipeline, Stage, StageChange
from rapport.pipeline.services import opportunities as services
from rapport.pipeline.services.opportunities import GateRefused
from rapport.web.lists import ME, Control, custom_field_controls, list_context, render_list, team_control
from rapport.web.utils import add_domain_error, fetch, http_errors, is_partial, safe_next

OPPORTUNITY_CREATED = _("The opportunity %(name)s is created.")
OPPORTUNITY_SAVED = _("The opportunity %(name)s is saved.")
OPPORTUNITY_DELETED = _("The opportunity %(name)s is deleted.")
MOVED = _("%(name)s is now in “%(stage)s”.")
NOTHING_CHOSEN = _("Tick the opportunities to change first.")
CHOOSE_OWNER = _("Choose the new owner.")
CHOOSE_CLOSE_DATE = _("Choose the new close date.")
CHOOSE_STAGE = _("Choose the stage to move to.")
REFUSED_ONE = _("%(name)s: %(reason)s")
BOARD_FALLBACK = "/opportunities/board/"

TIMELINE_LIMIT = 30


def rights(actor: User) -> dict[str, bool]:
    return {
        "can_create": can(actor, "create", "opportunity"),
        "can_edit": can(actor, "edit", "opportunity"),
        "can_delete": can(actor, "delete", "opportunity"),
    }


def get_opportunity(actor: User, opportunity_id: int) -> Opportunity:
    """The opportunity for a page: hidden → 404."""
    return fetch(selectors.opportunity_get, actor=actor, opportunity_id=opportunity_id)


def _editable(request: HttpRequest, opportunity_id: int) -> tuple[User, Opportunity]:
    actor = actor_of(request)
    opportunity = get_opportunity(actor, opportunity_id)
    if not can(actor, "edit", "opportunity"):
        raise PermissionDenied
    return actor, opportunity


def board_url() -> str:
    try:
        return reverse("pipeline:board")
    except NoReverseMatch:
        return BOARD_FALLBACK


def _active_stages() -> list[Stage]:
    return list(Stage.objects.filter(pipeline__active=True).select_related("pipeline").order_by("pipeline", "order"))


# --- list -------------------------------------------------------------------------------------------


def _controls(users: list[User], pipelines: list[Pipeline], stages: list[Stage], fields: list[Any]) -> list[Control]:
    return [
        Control("pipeline", _("Pipeline"), options=[(str(p.pk), p.name) for p in pipelines]),
        Control("stage", _("Stage"), options=[(str(s.pk), stage_label(s)) for s in stages]),
        Control("owner", _("Owner"), options=[("me", ME), *[(str(u.pk), str(u)) for u in users]]),
        team_control(),
        Control("close_from", _("Closing from"), kind="date"),
        Control("close_to", _("Closing until"), kind="date"),
        Control("amount_min", _("Amount from"), kind="text"),
        Control("amount_max", _("Amount up to"), kind="text"),
        *custom_field_controls(fields),
    ]


@login_required
@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    fields = customfields.fields_for("opportunity")
    users = list(
        User.objects.filter(is_active=True)
        .only("first_name", "last_name", "email")
        .order_by("first_name", "last_name", "email")
    )
    pipelines = list(Pipeline.objects.filter(active=True))
    stages = _active_stages()
    context = list_context(
        request, selectors.OPPORTUNITY_LIST, _controls(users, pipelines, stages, fields), custom_fields=fields
    )
    context.update(rights(actor))
    context.update(
        {
            "page_ids": ",".join(str(o.pk) for o in context["rows"]),
            "list_url": request.get_full_path(),
            "board_url": board_url(),
        }
    )
    if not is_partial(request, "list-results"):
        context["bulk_form"] = BulkForm(users=users, stages=stages)
    return render_list(request, "pipeline/opportunity_list.html", context)


# --- record page ----------------------------------------------------------------------------------


def parts_context(actor: User, opportunity: Opportunity, **forms: Any) -> dict[str, Any]:
    """What the in-place sections (lines, contacts, competitors, costs) show."""
    lines = list(opportunity.lines.select_related("product"))
    costs = list(opportunity.costs.all())
    cost_shares = pursuit_costs.shares(opportunity)
    currencies = list(Currency.objects.filter(active=True).order_by("code"))
    contacts = list(selectors.account_contacts(actor, opportunity.account_id))
    cost_form = forms.get("cost_form") or CostForm(
        currencies=currencies,
        initial={"date": timezone.localdate(), "amount_currency": opportunity.amount_currency_id},
    )
    return {
        "opportunity": opportunity,
        "lines": lines,
        "lines_total": sum((line.total for line in lines), Decimal("0")),
        "line_form": forms.get("line_form") or LineForm(products=list(Product.objects.filter(active=True))),
        "contact_roles": list(opportunity.contact_roles.select_related("contact").order_by("role", "id")),
        "contact_form": forms.get("contact_form") or ContactRoleForm(contacts=contacts),
        "competitors": list(opportunity.competitors.select_related("competitor").order_by("id")),
        "competitor_form": forms.get("competitor_form") or CompetitorForm(actor=actor),
        "costs": costs,
        "cost_shares": cost_shares,
        "cost_totals": pursuit_costs.pursuit_totals(costs, cost_shares),
        "cost_form": cost_form,
        **rights(actor),
    }


@login_required
@require_GET
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    actor = actor_of(request)
    opportunity = get_opportunity(actor, opportunity_id)
    fields = customfields.fields_for("opportunity")
    stored = opportunity.custom or {}
    stages = list(opportunity.pipeline.stages.all())
    changes = list(
        StageChange.objects.filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "by")
        .order_by("at", "id")
    )
    context = parts_context(actor, opportunity)
    context.update(
        {
            "stages": stages,
            "path": selectors.stage_path(opportunity, stages, changes),
            "moves": list(reversed(changes)),
            "custom_values": [(f.label, customfields.display(f, stored.get(f.key))) for f in fields],
            "timeline": record_timeline.entries_for(actor, "opportunity", opportunity, limit=TIMELINE_LIMIT),
            "board_url": board_url(),
            "panels": panels.panels_for(request, opportunity),
        }
    )
    return render(request, "pipeline/opportunity_detail.html", context)


# --- create, edit, delete -----------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, form: OpportunityForm, opportunity: Opportunity | None, status: int = 200
) -> HttpResponse:
    return render(request, "pipeline/opportunity_form.html", {"form": form, "opportunity": opportunity}, status=status)


def _save(form: OpportunityForm, save: Any) -> Opportunity | None:
    if not form.is_valid():
        return None
    try:
        result: Opportunity = save()
    except GateRefused as exc:
        form.add_missing(exc.stage, exc.missing)
        return None
    except DomainError as exc:
        add_domain_error(form, exc, {"amount": "amount_amount"})
        return None
    return result


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can(actor, "create", "opportunity"):
        raise PermissionDenied
    if request.method == "GET":
        account = None
        raw = request.GET.get("account", "")
        if raw.isdigit():
            account = visible_to(actor, Account).filter(pk=int(raw)).first()
        return _form_page(request, OpportunityForm(actor=actor, account=account), None)
    form = OpportunityForm(request.POST, actor=actor)
    created = _save(
        form,
        lambda: services.opportunity_create(
            actor=actor, stage=form.stage_value(), custom_fields=form.custom_values(), **form.service_values()
        ),
    )
    if created is None:
        return _form_page(request, form, None, status=422)
    messages.success(request, OPPORTUNITY_CREATED % {"name": created})
    if not visible_to(actor, Opportunity).filter(pk=created.pk).exists():
        return redirect("pipeline:opportunity_list")
    return redirect(created)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    actor, opportunity = _editable(request, opportunity_id)
    if request.method == "GET":
        return _form_page(request, OpportunityForm(actor=actor, instance=opportunity), opportunity)
    form = OpportunityForm(request.POST, actor=actor, instance=opportunity)
    saved = _save(
        form,
        lambda: services.opportunity_update(
            actor=actor,
            opportunity_id=opportunity.pk,
            stage=form.stage_value(),
            custom_fields=form.custom_values(),
            partial=False,
            **form.service_values(),
        ),
    )
    if saved is None:
        return _form_page(request, form, opportunity, status=422)
    messages.success(request, OPPORTUNITY_SAVED % {"name": saved})
    return redirect(saved)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_delete(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    actor = actor_of(request)
    opportunity = get_opportunity(actor, opportunity_id)
    if not can(actor, "delete", "opportunity"):
        raise PermissionDenied
    if request.method == "POST":
        try:
            with http_errors():
                services.opportunity_delete(actor=actor, opportunity_id=opportunity.pk)
        except DomainError as exc:
            messages.error(request, error_text(exc))
            return redirect(opportunity)
        messages.success(request, OPPORTUNITY_DELETED % {"name": opportunity})
        return redirect("pipeline:opportunity_list")
    return render(request, "pipeline/opportunity_delete.html", {"opportunity": opportunity})


# --- move from the record page --------------------------------------------------------------------------


@login_required
@require_POST
def opportunity_move(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Move to the posted stage; a refused gate answers with every missing item and inputs for the
    fields that can be typed in here (sent again with the move). Nothing changes while refused."""
    actor, opportunity = _editable(request, opportunity_id)
    stage_id = request.POST.get("stage", "")
    fields = customfields.fields_for("opportunity")
    values: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    typed = any(k.startswith(("v_", "cf_")) for k in request.POST)
    if typed:
        submitted = GateValuesForm(request.POST, missing=_asked(request), custom_fields=fields)
        if not submitted.is_valid():
            return _typed_again(request, opportunity, stage_id, fields)
        values, custom = submitted.values(), submitted.custom_values()
    try:
        with http_errors():
            moved = services.opportunity_move(
                actor=actor, opportunity_id=opportunity.pk, stage=stage_id, values=values, custom_fields=custom or None
            )
    except GateRefused as exc:
        form = GateValuesForm(missing=exc.missing, custom_fields=fields, initial=_initial_values(request))
        return _move_page(request, opportunity, exc.stage, exc.missing, form)
    except InvalidInput as exc:
        if not typed:
            messages.error(request, error_text(exc))
            return redirect(opportunity)
        return _typed_again(request, opportunity, stage_id, fields, exc)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect(opportunity)
    messages.success(request, MOVED % {"name": moved, "stage": moved.stage})
    return redirect(safe_next(request, request.POST.get("next"), moved.get_absolute_url()))


def _move_page(
    request: HttpRequest, opportunity: Opportunity, stage: Stage, missing: list[Missing], form: GateValuesForm
) -> HttpResponse:
    context = {"opportunity": opportunity, "stage": stage, "missing": missing, "form": form}
    return render(request, "pipeline/opportunity_move.html", context, status=422)


def _typed_again(
    request: HttpRequest,
    opportunity: Opportunity,
    stage_id: str,
    fields: list[Any],
    exc: InvalidInput | None = None,
) -> HttpResponse:
    """What was typed on the refused-move page was wrong: the same page, with the messages by the fields."""
    try:
        stage = services.stage_in(opportunity.pipeline, stage_id)
    except DomainError as error:
        messages.error(request, error_text(error))
        return redirect(opportunity)
    missing = gates.missing_for(opportunity, stage)
    form = GateValuesForm(request.POST, missing=missing, custom_fields=fields)
    form.is_valid()
    if exc is not None:
        add_domain_error(form, exc, {k: f"v_{k}" for k in TYPED_GATE_FIELDS} | {"amount_amount": "v_amount"})
    return _move_page(request, opportunity, stage, missing, form)


def _asked(request: HttpRequest) -> list[Missing]:
    """The fields the refused-move page asked for, read back from the names it posted."""
    asked = []
    for name in request.POST:
        if name.startswith("v_"):
            asked.append(Missing("field", name.removeprefix("v_"), name))
        elif name.startswith("cf_"):
            asked.append(Missing("field", "custom." + name.removeprefix("cf_"), name))
    return asked


def _initial_values(request: HttpRequest) -> dict[str, Any]:
    return {k: v for k, v in request.POST.items() if k.startswith(("v_", "cf_"))}


# --- bulk ------------------------------------------------------------------------------------------------


def _names(actor: User, ids: list[int]) -> dict[int, str]:
    queryset: QuerySet[Opportunity] = visible_to(actor, Opportunity).filter(pk__in=ids)
    return dict(queryset.values_list("pk", "name"))


def _update_each(actor: User, ids: list[int], **changes: Any) -> tuple[int, list[dict[str, Any]]]:
    done = 0
    refused: list[dict[str, Any]] = []
    for opportunity_id in ids:
        try:
            services.opportunity_update(actor=actor, opportunity_id=opportunity_id, **changes)
            done += 1
        except DomainError as exc:
            refused.append({"id": opportunity_id, "message": error_text(exc)})
    return done, refused


def _done_message(action: str, count: int) -> str:
    if action == "reassign":
        text = ngettext("%(count)s opportunity reassigned.", "%(count)s opportunities reassigned.", count)
    elif action == "close_date":
        text = ngettext(
            "Close date changed on %(count)s opportunity.", "Close date changed on %(count)s opportunities.", count
        )
    else:
        text = ngettext("%(count)s opportunity moved.", "%(count)s opportunities moved.", count)
    return text % {"count": count}


@login_required
@require_POST
def opportunity_bulk(request: HttpRequest) -> HttpResponse:
    """One action on the ticked opportunities: reassign, change the close date, or move (each through
    its gate). Says how many changed and, for each refused one, why."""
    actor = actor_of(request)
    if not can(actor, "edit", "opportunity"):
        raise PermissionDenied
    form = BulkForm(request.POST)
    list_url = reverse("pipeline:opportunity_list")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(list_url)
    next_url = safe_next(request, form.cleaned_data["next"], list_url)
    ids = form.chosen_ids()
    if not ids:
        messages.warning(request, NOTHING_CHOSEN)
        return redirect(next_url)
    action, data = form.cleaned_data["action"], form.cleaned_data
    names = _names(actor, ids)
    ids = [i for i in ids if i in names]  # what the actor cannot see is not theirs to change
    try:
        if action == "reassign":
            if data["owner"] is None:
                raise InvalidInput({"owner": [str(CHOOSE_OWNER)]})
            done, refused = _update_each(actor, ids, owner=data["owner"].pk)
        elif action == "close_date":
            if data["close_date"] is None:
                raise InvalidInput({"close_date": [str(CHOOSE_CLOSE_DATE)]})
            done, refused = _update_each(actor, ids, close_date=data["close_date"])
        else:
            if data["stage"] is None:
                raise InvalidInput({"stage": [str(CHOOSE_STAGE)]})
            result = services.bulk_move(actor=actor, opportunity_ids=ids, stage=data["stage"].pk)
            done, refused = len(result["moved"]), result["refused"]
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect(next_url)
    if done or not refused:
        messages.success(request, _done_message(action, done))
    for item in refused:
        messages.warning(
            request, REFUSED_ONE % {"name": names.get(int(item["id"]), item["id"]), "reason": item["message"]}
        )
    return redirect(next_url)


urlpatterns: list[URLPattern] = [
    path("opportunities/", opportunity_list, name="opportunity_list"),
    path("opportunities/new/", opportunity_create, name="opportunity_create"),
    path("opportunities/bulk/", opportunity_bulk, name="opportunity_bulk"),
    path("opportunities/<int:opportunity_id>/", opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:opportunity_id>/edit/", opportunity_edit, name="opportunity_edit"),
    path("opportunities/<int:opportunity_id>/delete/", opportunity_delete, name="opportunity_delete"),
    path("opportunities/<int:opportunity_id>/move/", opportunity_move, name="opportunity_move"),
]
