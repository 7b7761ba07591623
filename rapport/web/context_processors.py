"""Template context every page needs: navigation, unread notifications, the person's rights."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import SimpleLazyObject

from rapport.core.selectors import unread_count
from rapport.core.visibility import can

SECTIONS = {
    "lead": "leads",
    "account": "accounts",
    "contact": "contacts",
    "opportunit": "opportunities",
    "board": "opportunities",
    "product": "products",
    "quote": "quotes",
}


def _settings_url() -> str:
    """The settings pages' address, once the settings package has registered its URLs."""
    for name in ("settings:index", "settings:home"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    try:
        resolve("/settings/")
    except Resolver404:
        return ""
    return "/settings/"


def _section(request: HttpRequest) -> str:
    if request.path.startswith("/settings/"):
        return "settings"
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    for prefix, section in SECTIONS.items():
        if match.url_name and match.url_name.startswith(prefix):
            return section
    return ""


def _initials(user: Any) -> str:
    letters = str(user.first_name[:1] + user.last_name[:1]) or str(user.email[:1])
    return letters.upper()


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_section": ""}
    return {
        "nav_section": _section(request),
        "settings_url": SimpleLazyObject(_settings_url) if user.is_administrator else "",
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)),
        # Quotes may be closed to a role (the other sections are open to every role that signs in).
        "nav_quotes": SimpleLazyObject(lambda: can(user, "read", "quote")),
        "user_initials": _initials(user),
    }
