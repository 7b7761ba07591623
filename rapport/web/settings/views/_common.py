"""What every settings page shares: the administrator check, rendering, confirmations."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.views.decorators.http import require_GET

from rapport.core.models import (
    User,
)

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
