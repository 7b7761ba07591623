"""The parts of an opportunity edited in place on its page (htmx): product lines (the amount and the
totals refresh with them), contact roles, competitors and costs. Without htmx each action sends the
browser back to the page with a message. A refused write shows its reason; nothing is a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from rapport.core.errors import DomainError
from rapport.core.models import User
from rapport.leads.views.support import error_text, is_htmx
from rapport.pipeline.forms import CostForm, LineForm
from rapport.pipeline.models import Opportunity
from rapport.pipeline.services import parts as services
from rapport.pipeline.views.pages import _editable, get_opportunity, parts_context
from rapport.web.utils import add_domain_error, http_errors

SAVED = _("Saved.")
REMOVED = _("Removed.")

#: section → its template and its anchor on the record page
SECTIONS = {
    "lines": "pipeline/_lines.html",
    "contacts": "pipeline/_opportunity_contacts.html",
    "competitors": "pipeline/_competitors.html",
    "costs": "pipeline/_costs.html",
}


def _answer(
    request: HttpRequest,
    actor: User,
    opportunity: Opportunity,
    section: str,
    *,
    error: str = "",
    form_name: str = "",
    form: forms.Form | None = None,
) -> HttpResponse:
    """htmx: the section again (a refused form keeps what was typed, with its errors); otherwise back
    to the record page with a message."""
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, SAVED)
        return redirect(f"{opportunity.get_absolute_url()}#{section}")
    fresh = get_opportunity(actor, opportunity.pk)  # the amount may have followed the lines
    extra = {form_name: form} if form is not None and form_name else {}
    context = parts_context(actor, fresh, **extra)
    context.update({"error": error, "oob": section == "lines"})
    return render(request, SECTIONS[section], context)


def _run(
    request: HttpRequest,
    opportunity_id: int,
    section: str,
    write: Callable[[User, Opportunity], Any],
    *,
    form: forms.Form | None = None,
    form_name: str = "",
) -> HttpResponse:
    actor, opportunity = _editable(request, opportunity_id)
    if form is not None and not form.is_valid():
        return _answer(request, actor, opportunity, section, error=error_text_of(form), form_name=form_name, form=form)
    try:
        with http_errors():
            write(actor, opportunity)
    except DomainError as exc:
        if form is not None:
            add_domain_error(form, exc)
        return _answer(request, actor, opportunity, section, error=error_text(exc), form_name=form_name, form=form)
    return _answer(request, actor, opportunity, section)


def error_text_of(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- product lines -------------------------------------------------------------------------------------


@login_required
@require_POST
def line_add(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    form = LineForm(request.POST)
    return _run(
        request,
        opportunity_id,
        "lines",
        lambda actor, o: services.line_add(actor=actor, opportunity_id=o.pk, data=form.service_data()),
        form=form,
        form_name="line_form",
    )


@login_required
@require_POST
def line_edit(request: HttpRequest, opportunity_id: int, line_id: int) -> HttpResponse:
    data = {k: request.POST.get(k, "") for k in ("quantity", "discount", "unit_price") if k in request.POST}
    return _run(
        request,
        opportunity_id,
        "lines",
        lambda actor, o: services.line_update(actor=actor, opportunity_id=o.pk, line_id=line_id, data=data),
    )


@login_required
@require_POST
def line_delete(request: HttpRequest, opportunity_id: int, line_id: int) -> HttpResponse:
    return _run(
        request,
        opportunity_id,
        "lines",
        lambda actor, o: services.line_delete(actor=actor, opportunity_id=o.pk, line_id=line_id),
    )


# --- contact roles ---------------------------------------------------------------------------------------


@login_required
@require_POST
def contact_add(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    contact_id, role = request.POST.get("contact", ""), request.POST.get("role", "")
    return _run(
        request,
        opportunity_id,
        "contacts",
        lambda actor, o: services.contact_role_add(actor=actor, opportunity_id=o.pk, contact_id=contact_id, role=role),
    )


@login_required
@require_POST
def contact_remove(request: HttpRequest, opportunity_id: int, link_id: int) -> HttpResponse:
    return _run(
        request,
        opportunity_id,
        "contacts",
        lambda actor, o: services.contact_role_remove(actor=actor, opportunity_id=o.pk, link_id=link_id),
    )


# --- competitors -----------------------------------------------------------------------------------------


@login_required
@require_POST
def competitor_add(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    data = {k: request.POST.get(k, "") for k in ("competitor", "strengths", "weaknesses", "status")}
    return _run(
        request,
        opportunity_id,
        "competitors",
        lambda actor, o: services.competitor_save(actor=actor, opportunity_id=o.pk, data=data),
    )


@login_required
@require_POST
def competitor_edit(request: HttpRequest, opportunity_id: int, competitor_id: int) -> HttpResponse:
    data = {k: request.POST.get(k, "") for k in ("strengths", "weaknesses", "status") if k in request.POST}
    return _run(
        request,
        opportunity_id,
        "competitors",
        lambda actor, o: services.competitor_save(
            actor=actor, opportunity_id=o.pk, data=data, competitor_id=competitor_id
        ),
    )


@login_required
@require_POST
def competitor_remove(request: HttpRequest, opportunity_id: int, competitor_id: int) -> HttpResponse:
    return _run(
        request,
        opportunity_id,
        "competitors",
        lambda actor, o: services.competitor_remove(actor=actor, opportunity_id=o.pk, competitor_id=competitor_id),
    )


# --- costs -------------------------------------------------------------------------------------------------


@login_required
@require_POST
def cost_add(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    form = CostForm(request.POST)
    return _run(
        request,
        opportunity_id,
        "costs",
        lambda actor, o: services.cost_add(actor=actor, opportunity_id=o.pk, data=form.service_data()),
        form=form,
        form_name="cost_form",
    )


@login_required
@require_POST
def cost_remove(request: HttpRequest, opportunity_id: int, cost_id: int) -> HttpResponse:
    return _run(
        request,
        opportunity_id,
        "costs",
        lambda actor, o: services.cost_remove(actor=actor, opportunity_id=o.pk, cost_id=cost_id),
    )


_O = "opportunities/<int:opportunity_id>"
urlpatterns: list[URLPattern] = [
    path(f"{_O}/lines/add/", line_add, name="opportunity_line_add"),
    path(f"{_O}/lines/<int:line_id>/edit/", line_edit, name="opportunity_line_edit"),
    path(f"{_O}/lines/<int:line_id>/delete/", line_delete, name="opportunity_line_delete"),
    path(f"{_O}/contacts/add/", contact_add, name="opportunity_contact_add"),
    path(f"{_O}/contacts/<int:link_id>/remove/", contact_remove, name="opportunity_contact_remove"),
    path(f"{_O}/competitors/add/", competitor_add, name="opportunity_competitor_add"),
    path(f"{_O}/competitors/<int:competitor_id>/edit/", competitor_edit, name="opportunity_competitor_edit"),
    path(f"{_O}/competitors/<int:competitor_id>/remove/", competitor_remove, name="opportunity_competitor_remove"),
    path(f"{_O}/costs/add/", cost_add, name="opportunity_cost_add"),
    path(f"{_O}/costs/<int:cost_id>/remove/", cost_remove, name="opportunity_cost_remove"),
]
