"""Settings: users and the login history."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.listing import paginate
from rapport.core.models import (
    LoginEvent,
    User,
)
from rapport.core.services import org
from rapport.web.settings import forms as f
from rapport.web.settings.views._common import PAGE_SIZE, _actor, _confirm, _page, _saved, administrator_required
from rapport.web.utils import add_domain_error, is_partial

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
