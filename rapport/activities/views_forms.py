"""The activity dialogs of the calendar: plan one (a click on a free slot pre-fills its time), open and
change one, record its outcome (and plan the next step), cancel or delete it (each asking first).

Each answers an htmx request with a fragment for the calendar's <dialog> and a full page otherwise.
A save answers htmx with `204` and an `activitySaved` event: the dialog closes and the calendar
reloads its body. The services decide; their errors are shown on the form's fields.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.activities import ical
from rapport.activities.forms import ERROR_FIELDS, ActivityForm, OutcomeForm, initial_for_slot
from rapport.activities.models import Activity, ActivityStatus, RelatedType
from rapport.activities.selectors import activity_get, moment
from rapport.activities.selectors_calendar import whose_calendar
from rapport.activities.services import (
    activity_cancel,
    activity_create,
    activity_delete,
    activity_record_outcome,
    activity_update,
)
from rapport.activities.views_calendar import occurrence_day_url
from rapport.core import records
from rapport.core.errors import DomainError, RecordNotFound
from rapport.core.models import User
from rapport.core.search import matching
from rapport.core.visibility import can, visible_to
from rapport.web.utils import add_domain_error, fetch, http_errors, safe_next

SUGGEST_LIMIT = 20
PLANNED = _("“%(name)s” is planned.")
SAVED = _("“%(name)s” is saved.")
OUTCOME_SAVED = _("The outcome of “%(name)s” is recorded.")
NEXT_PLANNED = _("The outcome of “%(name)s” is recorded and the next step is planned.")
CANCELLED = _("“%(name)s” is cancelled.")
DELETED = _("“%(name)s” is deleted.")


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", None))


def _done(request: HttpRequest, message: str, fallback: str) -> HttpResponse:
    """A save: htmx gets the event that closes the dialog and reloads the calendar; a page, a redirect."""
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Trigger"] = json.dumps({"activitySaved": {"message": message}})
        return response
    messages.success(request, message)
    return redirect(safe_next(request, request.POST.get("next"), fallback))


def _page(request: HttpRequest, fragment: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The dialog's fragment for htmx, else a full page around it."""
    context = {"nav_section": "calendar", "fragment": fragment, "in_dialog": _is_htmx(request), **context}
    context.setdefault("next", safe_next(request, request.GET.get("next"), reverse("activities:calendar")))
    if _is_htmx(request):
        return render(request, fragment, context)
    return render(request, "activities/activity_form_page.html", context, status=status)


def _save(form: Any, save: Callable[[], Any]) -> Any:
    """Run the service; its refusal lands on the form (None then)."""
    if not form.is_valid():
        return None
    try:
        with http_errors():
            return save()
    except DomainError as exc:
        add_domain_error(form, exc, ERROR_FIELDS)
        return None


def _editable(actor: User, activity: Activity) -> bool:
    return can(actor, "edit", "activity") and activity.status != ActivityStatus.CANCELLED


# --- plan ------------------------------------------------------------------------------------------------


def _slot_initial(request: HttpRequest, actor: User) -> dict[str, Any]:
    """What the clicked slot (or the record page's link) pre-fills."""
    params = request.GET
    start = day = None
    try:
        if params.get("start"):
            start = moment(params["start"])
        elif params.get("date"):
            day = moment(params["date"]).date()
    except Exception:  # a hand-edited address: an empty form rather than an error
        start = day = None
    initial = initial_for_slot(start=start, day=day, all_day=params.get("all_day") == "1")
    who = params.get("who", "")
    if who.startswith("u"):
        with contextlib.suppress(RecordNotFound):  # someone out of scope: plan for oneself
            initial["owner"] = whose_calendar(actor, who).user
    if params.get("related_type") in RelatedType.values and params.get("related_id", "").isdigit():
        initial.update(related_type=params["related_type"], related_id=params["related_id"])
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not can(actor, "create", "activity"):
        raise PermissionDenied
    if request.method == "GET":
        form = ActivityForm(actor=actor, initial=_slot_initial(request, actor))
    else:
        form = ActivityForm(request.POST, actor=actor)
        activity = _save(
            form, lambda: activity_create(actor=actor, custom_fields=form.custom_values(), **form.service_values())
        )
        if activity is not None:
            return _done(request, str(PLANNED % {"name": activity.subject}), occurrence_day_url(activity))
    context = {"form": form, "action": reverse("activities:activity_new"), "activity": None, "can_save": True}
    return _page(request, "activities/_activity_form.html", context, status=422 if form.errors else 200)


# --- open and change -----------------------------------------------------------------------------------


def _related_link(actor: User, activity: Activity) -> tuple[str, str] | None:
    """The related record's address and name, if it still exists and the actor sees it."""
    path_ = ical.related_path(activity)
    if not path_ or not activity.related_type:
        return None
    record = visible_to(actor, records.get(activity.related_type).model).filter(pk=activity.related_id).first()
    return (path_, str(record)) if record is not None else None


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    """One activity: its form (read-only for those who may not change it) and its actions."""
    actor = _actor(request)
    activity = fetch(activity_get, actor=actor, activity_id=activity_id)
    editable = _editable(actor, activity)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = ActivityForm(request.POST, actor=actor, instance=activity)
        saved = _save(
            form,
            lambda: activity_update(
                actor=actor, activity_id=activity.pk, custom_fields=form.custom_values(), **form.service_values()
            ),
        )
        if saved is not None:
            return _done(request, str(SAVED % {"name": saved.subject}), occurrence_day_url(saved))
    else:
        form = ActivityForm(actor=actor, instance=activity)
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "form": form,
        "activity": activity,
        "action": reverse("activities:activity_edit", args=[activity.pk]),
        "can_save": editable,
        "can_delete": can(actor, "delete", "activity"),
        "related": _related_link(actor, activity),
    }
    return _page(request, "activities/_activity_form.html", context, status=422 if form.errors else 200)


# --- outcome ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def activity_outcome(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Mark done with a result; "plan the next step" creates the following activity in the same save."""
    actor = _actor(request)
    activity = fetch(activity_get, actor=actor, activity_id=activity_id)
    if not _editable(actor, activity):
        raise PermissionDenied
    if request.method == "GET":
        form = OutcomeForm(activity=activity)
    else:
        form = OutcomeForm(request.POST, activity=activity)
        result = _save(
            form, lambda: activity_record_outcome(actor=actor, activity_id=activity.pk, **form.service_values())
        )
        if result is not None:
            done, following = result
            message = (NEXT_PLANNED if following is not None else OUTCOME_SAVED) % {"name": done.subject}
            return _done(request, str(message), occurrence_day_url(done))
    context = {"form": form, "activity": activity, "action": reverse("activities:activity_outcome", args=[activity.pk])}
    return _page(request, "activities/_outcome_form.html", context, status=422 if form.errors else 200)


# --- cancel and delete (each asks first) ---------------------------------------------------------------


def _confirm(request: HttpRequest, activity: Activity, what: str, error: str = "") -> HttpResponse:
    context = {
        "activity": activity,
        "what": what,
        "error": error,
        "action": reverse(f"activities:activity_{what}", args=[activity.pk]),
        "back": reverse("activities:activity_edit", args=[activity.pk]),
    }
    return _page(request, "activities/_activity_form_confirm.html", context, status=409 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel_view(request: HttpRequest, activity_id: int) -> HttpResponse:
    actor = _actor(request)
    activity = fetch(activity_get, actor=actor, activity_id=activity_id)
    if not _editable(actor, activity):
        raise PermissionDenied
    if request.method == "GET":
        return _confirm(request, activity, "cancel")
    try:
        with http_errors():
            activity_cancel(actor=actor, activity_id=activity.pk, reason=request.POST.get("reason", "")[:2000])
    except DomainError as exc:
        return _confirm(request, activity, "cancel", exc.message)
    return _done(request, str(CANCELLED % {"name": activity.subject}), occurrence_day_url(activity))


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete_view(request: HttpRequest, activity_id: int) -> HttpResponse:
    actor = _actor(request)
    activity = fetch(activity_get, actor=actor, activity_id=activity_id)
    if not can(actor, "delete", "activity"):
        raise PermissionDenied
    if request.method == "GET":
        return _confirm(request, activity, "delete")
    fallback = occurrence_day_url(activity)
    try:
        with http_errors():
            activity_delete(actor=actor, activity_id=activity.pk)
    except DomainError as exc:
        return _confirm(request, activity, "delete", exc.message)
    return _done(request, str(DELETED % {"name": activity.subject}), fallback)


# --- the related record's search select -------------------------------------------------------------------


@login_required
@require_GET
def related_suggest(request: HttpRequest) -> HttpResponse:
    """Up to 20 visible records of the chosen type (`related_type`) matching `term`."""
    actor = _actor(request)
    record_type = request.GET.get("related_type", "")
    term = request.GET.get("term", "").strip()[:100]
    options: list[dict[str, Any]] = []
    if record_type in RelatedType.values:
        kind = records.get(record_type)
        queryset = visible_to(actor, kind.model)
        index = getattr(kind.model, "search_index", None)
        if term and index is not None:
            queryset = matching(queryset, index, term)
        options = [
            {"pk": record.pk, "label": str(record), "describe": kind.describe(record)}
            for record in queryset.order_by("-pk")[:SUGGEST_LIMIT]
        ]
    return render(request, "web/widgets/record_options.html", {"options": options, "term": term})


urlpatterns: list[URLPattern] = [
    path("activities/new/", activity_new, name="activity_new"),
    path("activities/<int:activity_id>/edit/", activity_edit, name="activity_edit"),
    path("activities/<int:activity_id>/outcome/", activity_outcome, name="activity_outcome"),
    path("activities/<int:activity_id>/cancel/", activity_cancel_view, name="activity_cancel"),
    path("activities/<int:activity_id>/delete/", activity_delete_view, name="activity_delete"),
    path("activities/related-suggest/", related_suggest, name="related_suggest"),
]
