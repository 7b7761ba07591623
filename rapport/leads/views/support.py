"""What the lead pages share: the signed-in person, their rights on leads, fetching a lead (404/403),
and turning a refused service call into a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import User
from rapport.core.visibility import can
from rapport.leads import selectors
from rapport.leads.models import Lead
from rapport.web.utils import fetch, safe_next


def actor_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def rights(actor: User) -> dict[str, bool]:
    return {
        "can_create": can(actor, "create", "lead"),
        "can_edit": can(actor, "edit", "lead"),
        "can_delete": can(actor, "delete", "lead"),
    }


def get_lead(actor: User, lead_id: int) -> Lead:
    """The lead for a page: hidden → 404."""
    return fetch(selectors.lead_get, actor=actor, lead_id=lead_id)


def error_text(exc: DomainError) -> str:
    """A refused service call as one sentence for a message."""
    if isinstance(exc, InvalidInput) and exc.errors:
        return " ".join(m for field_messages in exc.errors.values() for m in field_messages)
    return exc.message


def back_to(request: HttpRequest, lead: Lead) -> HttpResponse:
    """Back where the action was started (the list, or the lead's page)."""
    return redirect(safe_next(request, request.POST.get("next"), lead.get_absolute_url()))


def is_htmx(request: HttpRequest) -> bool:
    htmx: Any = getattr(request, "htmx", None)
    return bool(htmx)


def refuse(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, error_text(exc))
