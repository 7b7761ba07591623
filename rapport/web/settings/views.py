"""Settings pages for administrators. Every write goes through a service; every view checks the role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rapport.core import records
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.listing import paginate
from rapport.core.models import (
    Currency,
    CustomField,
    ExchangeRate,
    LoginEvent,
    OrganisationSettings,
    Role,
    Scope,
    Team,
    Territory,
    User,
)
from rapport.core.models.org import TreeNode
from rapport.core.services import currency as currency_services
from rapport.core.services import customfields as customfield_services
from rapport.core.services import org
from rapport.customers.models import CustomerCategory
from rapport.customers.services_categories import customer_category_create, customer_category_update
from rapport.web.settings import forms as f
from rapport.web.utils import add_domain_error, is_partial

View = Callable[..., HttpResponse]
PAGE_SIZE: int = getattr(settings, "RAPPORT_LIST_PAGE_SIZE", 50)


# --- access and rendering ------------------------------------------------------------------------------


def administrator_required(view: View) -> View:
    """Anonymous → the login page; signed in but not an active administrator → 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (isinstance(user, User) and user.is_active and user.is_administrator):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"web/settings/{template}", {"nav_section": "settings", **context})


def _confirm(
    request: HttpRequest,
    *,
    title: str | Promise,
    message: str | Promise,
    button: str | Promise,
    cancel_url: str,
    error: str = "",
    danger: bool = True,
) -> HttpResponse:
    """The page that asks before a destructive action; the same URL receives the POST."""
    context = {
        "title": title,
        "message": message,
        "button": button,
        "cancel_url": cancel_url,
        "error": error,
        "danger": danger,
    }
    return _page(request, "confirm.html", context)


def _saved(request: HttpRequest, message: str, url_name: str, *args: Any) -> HttpResponseRedirect:
    messages.success(request, message)
    return redirect(url_name, *args)


@administrator_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _page(request, "index.html", {})


# --- users ---------------------------------------------------------------------------------------------


def _filtered_users(form: f.UserFilterForm) -> QuerySet[User]:
    users = User.objects.select_related("role", "team", "territory", "manager")
    if not form.is_valid():
        return users.order_by("first_name", "last_name", "email", "id")
    data = form.cleaned_data
    for word in data["q"].split():
        users = users.filter(Q(email__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word))
    if data["role"] is not None:
        users = users.filter(role=data["role"])
    if data["team"] is not None:
        users = users.filter(team__path__startswith=data["team"].path)
    if data["active"]:
        users = users.filter(is_active=data["active"] == "yes")
    ordering = data["ordering"] or "name"
    descending = ordering.startswith("-")
    fields = f.UserFilterForm.ORDERINGS[ordering.lstrip("-")]
    return users.order_by(*[f"-{name}" if descending else name for name in fields], "-id" if descending else "id")


@administrator_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    form = f.UserFilterForm(request.GET)
    page = paginate(_filtered_users(form), request.GET.get("page"), PAGE_SIZE)
    template = "users.html#results" if is_partial(request, "results") else "users.html"
    return _page(request, template, {"form": form, "page": page})


@administrator_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = f.UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            user = org.user_create(
                actor=_actor(request), email=data.pop("email"), password=form.cleaned_data["password"], **data
            )
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _saved(request, _("User %(user)s was created.") % {"user": user}, "settings:users")
    return _page(request, "user_form.html", {"form": form, "target": None})


@administrator_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = f.UserForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            org.user_update(
                actor=_actor(request),
                user=user,
                password=form.cleaned_data["password"] or None,
                **form.changes(),
            )
        except (InvalidInput, RuleViolation) as exc:
            user.refresh_from_db()
            add_domain_error(form, exc)
        else:
            return _saved(request, _("User %(user)s was saved.") % {"user": user}, "settings:users")
    return _page(request, "user_form.html", {"form": form, "target": user})


@administrator_required
@require_http_methods(["GET", "POST"])
def user_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            org.user_update(actor=_actor(request), user=user, is_active=active)
        except (InvalidInput, RuleViolation) as exc:
            error = exc.message
        else:
            done = _("%(user)s was reactivated.") if active else _("%(user)s was deactivated.")
            return _saved(request, done % {"user": user}, "settings:users")
    names = {"user": user}
    if active:
        return _confirm(
            request,
            title=_("Reactivate %(user)s?") % names,
            message=_("%(user)s will be able to log in again with their e-mail address.") % names,
            button=gettext_lazy("Reactivate"),
            cancel_url=reverse("settings:users"),
            error=error,
            danger=False,
        )
    return _confirm(
        request,
        title=_("Deactivate %(user)s?") % names,
        message=_("%(user)s will no longer be able to log in. Their records, history and rights stay as they are.")
        % names,
        button=gettext_lazy("Deactivate"),
        cancel_url=reverse("settings:users"),
        error=error,
    )


# --- teams and territories -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeKind:
    """What differs between the team pages and the territory pages."""

    key: str
    model: type[TreeNode]
    form: Callable[..., f.TreeNodeForm]
    title: Promise
    create_title: Promise
    create: Callable[..., TreeNode]
    update: Callable[..., TreeNode]
    delete: Callable[..., None]
    people: str  # the reverse relation to users, for the member count
    list_url: str


TEAMS = TreeKind(
    key="team",
    model=Team,
    form=f.TeamForm,
    title=gettext_lazy("Teams"),
    create_title=gettext_lazy("New team"),
    create=org.team_create,
    update=lambda *, actor, node, **changes: org.team_update(actor=actor, team=node, **changes),
    delete=lambda *, actor, node: org.team_delete(actor=actor, team=node),
    people="members",
    list_url="settings:teams",
)
TERRITORIES = TreeKind(
    key="territory",
    model=Territory,
    form=f.TerritoryForm,
    title=gettext_lazy("Territories"),
    create_title=gettext_lazy("New territory"),
    create=org.territory_create,
    update=lambda *, actor, node, **changes: org.territory_update(actor=actor, territory=node, **changes),
    delete=lambda *, actor, node: org.territory_delete(actor=actor, territory=node),
    people="users",
    list_url="settings:territories",
)
TREE_KINDS = {"team": TEAMS, "territory": TERRITORIES}


def tree_rows(nodes: list[Any]) -> list[Any]:
    """Nodes in tree order (each under its parent, siblings by name), each with its `depth` set."""
    children: dict[int | None, list[Any]] = {}
    known = {node.pk for node in nodes}
    for node in nodes:
        parent = node.parent_id if node.parent_id in known else None
        children.setdefault(parent, []).append(node)
    ordered: list[Any] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in sorted(children.get(parent, []), key=lambda n: n.name.lower()):
            node.tree_depth = depth
            ordered.append(node)
            walk(node.pk, depth + 1)

    walk(None, 0)
    return ordered


@administrator_required
@require_GET
def tree_list(request: HttpRequest, kind: str) -> HttpResponse:
    tree = TREE_KINDS[kind]
    nodes: QuerySet[Any] = tree.model._default_manager.annotate(people=Count(tree.people))
    if kind == "team":
        nodes = nodes.select_related("manager")
    return _page(request, "tree.html", {"tree": tree, "rows": tree_rows(list(nodes))})


@administrator_required
@require_http_methods(["GET", "POST"])
def tree_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    tree = TREE_KINDS[kind]
    node = get_object_or_404(tree.model, pk=pk) if pk is not None else None
    form = tree.form(request.POST or None, node=node)
    if request.method == "POST" and form.is_valid():
        try:
            if node is None:
                node = tree.create(actor=_actor(request), **form.cleaned_data)
            else:
                tree.update(actor=_actor(request), node=node, **form.cleaned_data)
        except (InvalidInput, RuleViolation) as exc:
            if node is not None and node.pk is not None:
                node.refresh_from_db()
            add_domain_error(form, exc)
        else:
            return _saved(request, _("%(name)s was saved.") % {"name": node}, tree.list_url)
    return _page(request, "tree_form.html", {"tree": tree, "form": form, "target": node})


@administrator_required
@require_http_methods(["GET", "POST"])
def tree_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    tree = TREE_KINDS[kind]
    node = get_object_or_404(tree.model, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            tree.delete(actor=_actor(request), node=node)
        except (InvalidInput, RuleViolation) as exc:
            error = exc.message
        else:
            return _saved(request, _("%(name)s was deleted.") % {"name": node}, tree.list_url)
    names = {"name": node}
    message = (
        _("People in %(name)s will be left without a team.") % names
        if kind == "team"
        else _("People and accounts in %(name)s will be left without a territory.") % names
    )
    return _confirm(
        request,
        title=_("Delete %(name)s?") % names,
        message=message,
        button=gettext_lazy("Delete"),
        cancel_url=reverse(tree.list_url),
        error=error,
    )


# --- roles and rights ----------------------------------------------------------------------------------


@administrator_required
@require_GET
def role_list(request: HttpRequest) -> HttpResponse:
    roles = Role.objects.annotate(people=Count("users", filter=Q(users__is_active=True)))
    rows = [{"role": role, "label": f.role_label(role), "people": role.people} for role in roles]
    return _page(request, "roles.html", {"rows": rows})


@administrator_required
@require_http_methods(["GET", "POST"])
def role_matrix(request: HttpRequest, code: str) -> HttpResponse:
    role = get_object_or_404(Role, code=code)
    form = f.RoleMatrixForm(request.POST or None, role=role, record_types=records.all_types())
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the whole matrix is saved, or none of it
                for key in form.changed_types():
                    org.role_permission_set(actor=_actor(request), role=role, record_type=key, **form.values_for(key))
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _saved(
                request, _("Rights of %(role)s were saved.") % {"role": f.role_label(role)}, "settings:role", code
            )
    context = {
        "role": role,
        "role_label": f.role_label(role),
        "roles": [(r, f.role_label(r)) for r in Role.objects.all()],
        "form": form,
        "actions": [f.ACTION_LABELS[a] for a in f.ACTIONS],
        "scopes": Scope.choices,
    }
    return _page(request, "role_matrix.html", context)


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


# --- currencies and organisation -----------------------------------------------------------------------


def _rate_today(field: str) -> Subquery:
    return Subquery(
        ExchangeRate.objects.filter(currency=OuterRef("pk"), valid_from__lte=timezone.localdate())
        .order_by("-valid_from")
        .values(field)[:1]
    )


@administrator_required
@require_GET
def currency_list(request: HttpRequest) -> HttpResponse:
    organisation = OrganisationSettings.objects.select_related("company_currency").get(pk=1)
    currencies = Currency.objects.annotate(
        rate_today=_rate_today("rate"), rate_since=_rate_today("valid_from"), rate_count=Count("rates")
    )
    context = {"organisation": organisation, "currencies": currencies, "today": timezone.localdate()}
    return _page(request, "currencies.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def currency_create(request: HttpRequest) -> HttpResponse:
    form = f.CurrencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            currency = currency_services.currency_create(actor=_actor(request), **form.cleaned_data)
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _saved(
                request, _("%(code)s was added.") % {"code": currency.code}, "settings:currency", currency.code
            )
    return _page(request, "currency_form.html", {"form": form})


@administrator_required
@require_http_methods(["GET", "POST"])
def currency_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A currency's rate history, newest first, and the form that adds a dated rate."""
    currency = get_object_or_404(Currency, code=code.upper())
    is_company = OrganisationSettings.objects.filter(pk=1, company_currency=currency).exists()
    form = f.ExchangeRateForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            rate = currency_services.exchange_rate_set(actor=_actor(request), currency=currency, **form.cleaned_data)
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            message = _("From %(day)s, 1 %(code)s = %(rate)s.") % {
                "day": rate.valid_from,
                "code": currency.code,
                "rate": rate.rate,
            }
            return _saved(request, message, "settings:currency", currency.code)
    page = paginate(currency.rates.order_by("-valid_from"), request.GET.get("page"), PAGE_SIZE)
    context = {"currency": currency, "is_company": is_company, "form": form, "page": page}
    return _page(request, "currency_detail.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest) -> HttpResponse:
    organisation = OrganisationSettings.objects.get(pk=1)
    form = f.OrganisationForm(
        request.POST or None,
        initial={"company_name": organisation.company_name, "company_currency": organisation.company_currency_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            org.organisation_update(actor=_actor(request), **form.cleaned_data)
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _saved(request, _("Organisation settings were saved."), "settings:currencies")
    return _page(request, "organisation_form.html", {"form": form})


# --- login history -------------------------------------------------------------------------------------


@administrator_required
@require_GET
def login_list(request: HttpRequest) -> HttpResponse:
    form = f.LoginFilterForm(request.GET)
    events = LoginEvent.objects.select_related("user").order_by("-at", "-id")
    if form.is_valid():
        if form.cleaned_data["user"] is not None:
            events = events.filter(user=form.cleaned_data["user"])
        if form.cleaned_data["succeeded"]:
            events = events.filter(succeeded=form.cleaned_data["succeeded"] == "yes")
    page = paginate(events, request.GET.get("page"), PAGE_SIZE)
    context = {"form": form, "page": page, "time_zone": timezone.get_current_timezone_name()}
    template = "logins.html#results" if is_partial(request, "results") else "logins.html"
    return _page(request, template, context)
