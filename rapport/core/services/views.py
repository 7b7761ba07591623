"""Saved list views."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.models import SavedView, User

NAME_NEEDED = _("Give the view a name.")
NAME_TAKEN = _("You already have a view with this name.")


@transaction.atomic
def saved_view_create(*, actor: User, record_type: str, name: str, query: str, shared: bool = False) -> SavedView:
    """Save the current filters, search and ordering of a list under a name."""
    name = name.strip()
    if not name:
        raise InvalidInput({"name": [str(NAME_NEEDED)]})
    if SavedView.objects.filter(owner=actor, record_type=record_type, name=name).exists():
        raise InvalidInput({"name": [str(NAME_TAKEN)]})
    return SavedView.objects.create(
        owner=actor, record_type=record_type, name=name[:100], query=query.lstrip("?")[:2000], shared=shared
    )


@transaction.atomic
def saved_view_delete(*, actor: User, view_id: int) -> None:
    """Delete one of the actor's own saved views."""
    deleted, _rows = SavedView.objects.filter(owner=actor, pk=view_id).delete()
    if not deleted:
        raise RecordNotFound()
