"""Pages of the shell: home, language, global search, notifications, profile (preferences, API tokens,
the calendar address), jobs, saved views."""

from __future__ import annotations

import uuid
import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from rapport.activities.services import feeds as feed_services
from rapport.core import records
from rapport.core.errors import DomainError, InvalidInput
from rapport.core.listing import paginate
from rapport.core.models import ApiToken, JobStatus, SavedView, User
from rapport.core.search import matching
from rapport.core.selectors import job_get, notifications_for, tokens_of
from rapport.core.services import notifications as notification_services
from rapport.core.services import org as org_services
from rapport.core.services import tokens as token_services
from rapport.core.services import views as view_services
from rapport.core.visibility import visible_to
from rapport.web.utils import add_domain_error, fetch, is_partial, safe_next

SEARCH_LIMIT = 10
SUGGEST_LIMIT = 5
DROPDOWN_LIMIT = 8
NOTIFICATIONS_PAGE = 50

PREFERENCES_SAVED = gettext_lazy("Your preferences are saved.")
TOKEN_REVOKED = gettext_lazy("The token %(name)s is revoked; programs using it can no longer sign in.")
VIEW_SAVED = gettext_lazy("The view %(name)s is saved.")
VIEW_DELETED = gettext_lazy("The view %(name)s is deleted.")
ALL_READ = gettext_lazy("All notifications are marked as read.")
FEED_ISSUED = gettext_lazy("Your calendar has a new address. Subscribe to it in your calendar program.")
FEED_REPLACED = gettext_lazy(
    "Your calendar has a new address; the old one no longer works. Update it in your calendar programs."
)
FEED_REVOKED = gettext_lazy("Your calendar address is switched off; calendar programs using it get nothing more.")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("customers:account_list")


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Save the chosen language on the person (when signed in) and in Django's language cookie."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        assert isinstance(request.user, User)
        org_services.user_update_preferences(actor=request.user, language=language)
    return set_language(request)


# --- global search ---------------------------------------------------------------------------------


def _related_records(model: type[models.Model]) -> list[str]:
    """Foreign keys to other record types: the describe line of a result usually names them."""
    registered = {rt.model for rt in records.all_types()}
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model in registered and f.related_model is not model
    ]


def search_groups(actor: User, text: str, limit: int) -> list[dict[str, Any]]:
    """For each searchable record type, the records the actor may see that match `text`."""
    groups: list[dict[str, Any]] = []
    if not text.strip():
        return groups
    for record_type in records.all_types():
        index = getattr(record_type.model, "search_index", None)
        if index is None:
            continue
        queryset = matching(visible_to(actor, record_type.model), index, text)
        related = _related_records(record_type.model)
        if related:
            queryset = queryset.select_related(*related)
        found = list(queryset[: limit + 1])
        groups.append(
            {
                "record_type": record_type,
                "label": record_type.label_plural,
                "results": [
                    {"record": r, "url": record_type.url_for(r), "describe": record_type.describe(r)}
                    for r in found[:limit]
                ],
                "more": len(found) > limit,
            }
        )
    return groups


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    assert isinstance(request.user, User)
    groups = search_groups(request.user, text, SEARCH_LIMIT)
    return render(
        request,
        "web/search.html",
        {
            "search_query": text,
            "groups": groups,
            "found_any": any(g["results"] for g in groups),
        },
    )


@login_required
@require_GET
def search_suggest(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    assert isinstance(request.user, User)
    groups = search_groups(request.user, text, SUGGEST_LIMIT) if len(text) >= 2 else []
    return render(
        request,
        "web/_search_suggestions.html",
        {"search_query": text, "groups": groups, "found_any": any(g["results"] for g in groups)},
    )


# --- notifications ---------------------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    page = paginate(notifications_for(request.user), request.GET.get("page"), NOTIFICATIONS_PAGE)
    return render(request, "web/notifications.html", {"page": page})


@login_required
@require_GET
def notifications_dropdown(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    recent = list(notifications_for(request.user)[:DROPDOWN_LIMIT])
    return render(request, "web/_notifications_dropdown.html", {"recent": recent})


def _after_marking(request: HttpRequest) -> HttpResponse:
    if getattr(request, "htmx", False):
        assert isinstance(request.user, User)
        recent = list(notifications_for(request.user)[:DROPDOWN_LIMIT])
        return render(request, "web/_notifications_dropdown.html", {"recent": recent, "oob": True})
    return redirect(safe_next(request, request.POST.get("next"), reverse("notification_list")))


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    notification_services.notifications_mark_read(actor=request.user, notification_id=notification_id)
    return _after_marking(request)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    notification_services.notifications_mark_read(actor=request.user)
    if not getattr(request, "htmx", False):
        messages.success(request, ALL_READ)
    return _after_marking(request)


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    assert isinstance(request.user, User)
    notification = notifications_for(request.user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    if request.method == "POST":
        notification_services.notifications_mark_read(actor=request.user, notification_id=notification.pk)
    return HttpResponseRedirect(safe_next(request, notification.url, reverse("notification_list")))


# --- profile and API tokens ---------------------------------------------------------------------------


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=time_zone_choices)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Token name"),
        max_length=100,
        help_text=gettext_lazy("Say where you will use it, e.g. “Reporting script”."),
    )


def _profile_page(
    request: HttpRequest,
    preferences: PreferencesForm,
    token_form: TokenForm,
    new_token: str = "",
    status: int = 200,
) -> HttpResponse:
    assert isinstance(request.user, User)
    user = User.objects.select_related("role", "team", "territory", "manager").get(pk=request.user.pk)
    response = render(
        request,
        "web/profile.html",
        {
            "profile": user,
            "preferences": preferences,
            "token_form": token_form,
            "tokens": list(tokens_of(request.user)),
            "new_token": new_token,
            "feed_url": _feed_url(request, request.user),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"  # the page shows the secret calendar address
    return response


def _feed_url(request: HttpRequest, user: User) -> str:
    """The user's live internet-calendar address, or "" when they have none (none is issued here)."""
    token = feed_services.feed_token_current(actor=user)
    return request.build_absolute_uri(reverse("activities:calendar_feed", args=[token])) if token else ""


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    initial = {"language": user.language, "time_zone": user.time_zone}
    if request.method == "POST":
        preferences = PreferencesForm(request.POST, initial=initial)
        if preferences.is_valid():
            try:
                org_services.user_update_preferences(actor=user, **preferences.cleaned_data)
            except DomainError as exc:
                add_domain_error(preferences, exc)
            else:
                messages.success(request, PREFERENCES_SAVED)
                return redirect("profile")
        return _profile_page(request, preferences, TokenForm(), status=422)
    return _profile_page(request, PreferencesForm(initial=initial), TokenForm())


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    preferences = PreferencesForm(initial={"language": user.language, "time_zone": user.time_zone})
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, preferences, form, status=422)
    _token, clear = token_services.token_issue(actor=user, name=form.cleaned_data["name"])
    # Rendered, not redirected: the clear token is shown this once and kept nowhere.
    response = _profile_page(request, preferences, TokenForm(), new_token=clear)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    token = ApiToken.objects.filter(user=request.user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    if request.method == "POST":
        fetch(token_services.token_revoke, actor=request.user, token_id=token.pk)
        messages.success(request, TOKEN_REVOKED % {"name": token.name})
        return redirect("profile")
    return render(request, "web/token_revoke.html", {"token": token})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    """Issue a new calendar address (revoking the current one), after a confirmation."""
    assert isinstance(request.user, User)
    had_one = bool(feed_services.feed_token_current(actor=request.user))
    if request.method == "POST":
        feed_services.feed_token_regenerate(actor=request.user)
        messages.success(request, FEED_REPLACED if had_one else FEED_ISSUED)
        return redirect(reverse("profile") + "#calendar-feed")
    return render(request, "web/calendar_feed_confirm.html", {"action": "regenerate", "had_one": had_one})


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    """Switch the calendar address off, after a confirmation."""
    assert isinstance(request.user, User)
    if not feed_services.feed_token_current(actor=request.user):
        return redirect(reverse("profile") + "#calendar-feed")
    if request.method == "POST":
        feed_services.feed_revoke(actor=request.user)
        messages.success(request, FEED_REVOKED)
        return redirect(reverse("profile") + "#calendar-feed")
    return render(request, "web/calendar_feed_confirm.html", {"action": "revoke", "had_one": True})


# --- jobs --------------------------------------------------------------------------------------------


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    assert isinstance(request.user, User)
    job = fetch(job_get, actor=request.user, job_id=str(job_id))
    context = {"job": job, "is_done": job.status == JobStatus.DONE and bool(job.file)}
    if is_partial(request, "job-progress"):
        return render(request, "web/job_detail.html#progress", context)
    return render(request, "web/job_detail.html", context)


@login_required
@require_GET
def job_download(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    assert isinstance(request.user, User)
    job = fetch(job_get, actor=request.user, job_id=str(job_id))
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    filename = str(job.result.get("filename") or (job.file.name or "").rsplit("/", 1)[-1])
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename)


# --- saved views ---------------------------------------------------------------------------------------


class SavedViewForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    shared = forms.BooleanField(label=gettext_lazy("Share with everyone"), required=False)


def _list_url(record_type: str) -> str:
    try:
        return reverse(records.get(record_type).detail_url_name.replace("_detail", "_list"))
    except (KeyError, NoReverseMatch):
        return reverse("home")


@login_required
@require_POST
def saved_view_create(request: HttpRequest, record_type: str) -> HttpResponse:
    assert isinstance(request.user, User)
    list_url = _list_url(record_type)
    form = SavedViewForm(request.POST)
    query = request.POST.get("query", "")
    if form.is_valid():
        try:
            view = view_services.saved_view_create(
                actor=request.user,
                record_type=record_type,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                shared=form.cleaned_data["shared"],
            )
        except InvalidInput as exc:
            for field_messages in exc.errors.values():
                for message in field_messages:
                    messages.error(request, message)
        else:
            messages.success(request, VIEW_SAVED % {"name": view.name})
            query = view.query
    else:
        for error_list in form.errors.values():
            for error in error_list:
                messages.error(request, str(error))
    return redirect(f"{list_url}?{query}" if query else list_url)


@login_required
@require_http_methods(["GET", "POST"])
def saved_view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    view = SavedView.objects.filter(owner=request.user, pk=view_id).first()
    if view is None:
        raise Http404
    list_url = _list_url(view.record_type)
    if request.method == "POST":
        fetch(view_services.saved_view_delete, actor=request.user, view_id=view.pk)
        messages.success(request, VIEW_DELETED % {"name": view.name})
        return redirect(list_url)
    return render(request, "web/saved_view_delete.html", {"view": view, "list_url": list_url})
