"""Helpers of the lead page tests (tests/leads/test_pages*.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages

from rapport.core.models import User
from rapport.leads.models import Lead
from rapport.leads.services.leads import lead_create


def names(response: Any) -> list[str]:
    """The leads of a list page, in order."""
    return [lead.full_name for lead in response.context["rows"]]


def shown_messages(response: Any) -> list[str]:
    """The messages this request added (not those still waiting from an earlier one)."""
    return [str(m) for m in get_messages(response.wsgi_request)._queued_messages]  # type: ignore[union-attr]


def make_lead(actor: User, last_name: str, **fields: Any) -> Lead:
    """A lead made as the UI makes it (service: match keys, score, audit); the actor owns it unless told."""
    fields.setdefault("owner", actor.pk)
    return lead_create(actor=actor, last_name=last_name, **fields)
