"""Settings: custom fields and customer categories."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rapport.core import records
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import (
    CustomField,
)
from rapport.core.services import customfields as customfield_services
from rapport.customers.models import CustomerCategory
from rapport.customers.services_categories import customer_category_create, customer_category_update
from rapport.web.settings import forms as f
from rapport.web.settings.views._common import _actor, _confirm, _page, _saved, administrator_required
from rapport.web.utils import add_domain_error

# --- custom fields -------------------------------------------------------------------------------------


@administrator_required
@require_GET
def custom_field_list(request: HttpRequest) -> HttpResponse:
    by_type: dict[str, list[CustomField]] = {}
    for field in CustomField.objects.all():
        by_type.setdefault(field.record_type, []).append(field)
    groups = [{"record_type": rt, "fields": by_type.get(rt.key, [])} for rt in records.with_custom_fields()]
    return _page(request, "custom_fields.html", {"groups": groups})


@administrator_required
@require_http_methods(["GET", "POST"])
def custom_field_create(request: HttpRequest, record_type: str) -> HttpResponse:
    kinds = {rt.key: rt for rt in records.with_custom_fields()}
    if record_type not in kinds:
        raise Http404
    form = f.CustomFieldCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            field = customfield_services.custom_field_create(
                actor=_actor(request), record_type=record_type, **form.cleaned_data
            )
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _saved(request, _("Field %(label)s was added.") % {"label": field.label}, "settings:custom_fields")
    return _page(request, "custom_field_form.html", {"form": form, "record_type": kinds[record_type], "target": None})


@administrator_required
@require_http_methods(["GET", "POST"])
def custom_field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    form = f.CustomFieldEditForm(request.POST or None, field=field)
    if request.method == "POST" and form.is_valid():
        try:
            customfield_services.custom_field_update(actor=_actor(request), field=field, **form.cleaned_data)
        except (InvalidInput, RuleViolation) as exc:
            field.refresh_from_db()
            add_domain_error(form, exc)
        else:
            return _saved(request, _("Field %(label)s was saved.") % {"label": field.label}, "settings:custom_fields")
    record_type = next((rt for rt in records.all_types() if rt.key == field.record_type), None)
    context = {"form": form, "record_type": record_type, "target": field}
    return _page(request, "custom_field_form.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def custom_field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(CustomField, pk=pk)
    if request.method == "POST":
        customfield_services.custom_field_delete(actor=_actor(request), field=field)
        return _saved(request, _("Field %(label)s was deleted.") % {"label": field.label}, "settings:custom_fields")
    return _confirm(
        request,
        title=_("Delete the field %(label)s?") % {"label": field.label},
        message=gettext_lazy(
            "Values already entered stay stored in the records but are no longer shown, "
            "exported or offered in forms. Adding a field with the same key shows them again."
        ),
        button=gettext_lazy("Delete"),
        cancel_url=reverse("settings:custom_fields"),
    )


# --- customer categories -------------------------------------------------------------------------------


@administrator_required
@require_GET
def category_list(request: HttpRequest) -> HttpResponse:
    categories = CustomerCategory.objects.annotate(account_count=Count("accounts"))
    return _page(request, "categories.html", {"categories": categories})


@administrator_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    category = get_object_or_404(CustomerCategory, pk=pk) if pk is not None else None
    initial = None
    if category is not None:
        initial = {"name": category.name, "description": category.description, "position": category.position}
    form = f.CustomerCategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if category is None:
                category = customer_category_create(actor=_actor(request), **form.cleaned_data)
            else:
                customer_category_update(actor=_actor(request), category=category, **form.cleaned_data)
        except (InvalidInput, RuleViolation) as exc:
            if category is not None:
                category.refresh_from_db()
            add_domain_error(form, exc)
        else:
            return _saved(request, _("%(name)s was saved.") % {"name": category}, "settings:categories")
    return _page(request, "category_form.html", {"form": form, "target": category})


@administrator_required
@require_http_methods(["GET", "POST"])
def category_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    category = get_object_or_404(CustomerCategory, pk=pk)
    if request.method == "POST":
        customer_category_update(actor=_actor(request), category=category, active=active)
        done = _("%(name)s was reactivated.") if active else _("%(name)s was deactivated.")
        return _saved(request, done % {"name": category}, "settings:categories")
    names = {"name": category}
    if active:
        return _confirm(
            request,
            title=_("Reactivate %(name)s?") % names,
            message=_("%(name)s will be offered again on account forms.") % names,
            button=gettext_lazy("Reactivate"),
            cancel_url=reverse("settings:categories"),
            danger=False,
        )
    return _confirm(
        request,
        title=_("Deactivate %(name)s?") % names,
        message=_("%(name)s will no longer be offered on account forms. Accounts in it keep it.") % names,
        button=gettext_lazy("Deactivate"),
        cancel_url=reverse("settings:categories"),
    )
