"""Bulk actions of the lead list: one status, one more tag, or deletion for many leads at once.

Each action touches only the chosen leads the actor may act on (visible, with the right, not
converted where a converted lead is read-only), goes through the one-lead service so the same rules,
score and audit apply, and answers how many leads changed. All of it happens or none of it does.
(Bulk reassignment is `leads_reassign` in `rapport.leads.services.leads`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from rapport.core.errors import InvalidInput
from rapport.core.models import User
from rapport.core.visibility import Action, require, visible_to
from rapport.leads.models import Lead, LeadStatus
from rapport.leads.services.leads import (
    REASON_REQUIRED,
    clean_ids,
    lead_delete,
    lead_set_status,
    lead_update,
    tag_names,
)

BULK_STATUS_ONLY = gettext_lazy("In bulk, leads can be marked contacted, qualified or disqualified.")
TAG_REQUIRED = gettext_lazy("Type the tag to add.")

#: the statuses a bulk action may set (new is where leads start; converted needs a conversion)
BULK_STATUSES = (LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED)


def _chosen(actor: User, lead_ids: Iterable[Any], action: Action) -> QuerySet[Lead]:
    return visible_to(actor, Lead, action).filter(pk__in=clean_ids(lead_ids)).order_by("pk")


@transaction.atomic
def leads_set_status(*, actor: User, lead_ids: Iterable[Any], status: str, reason: str = "") -> int:
    """Give the chosen leads one status; disqualifying needs a reason (the same for all of them)."""
    if status not in BULK_STATUSES:
        raise InvalidInput({"status": [str(BULK_STATUS_ONLY)]})
    if status == LeadStatus.DISQUALIFIED and not reason.strip():
        raise InvalidInput({"reason": [str(REASON_REQUIRED)]})
    require(actor, "edit", "lead")
    leads = _chosen(actor, lead_ids, "edit").exclude(status__in=(status, LeadStatus.CONVERTED))
    changed = 0
    for lead_id in leads.values_list("pk", flat=True):
        lead_set_status(actor=actor, lead_id=lead_id, status=status, reason=reason)
        changed += 1
    return changed


@transaction.atomic
def leads_add_tag(*, actor: User, lead_ids: Iterable[Any], tag: str) -> int:
    """Add one tag to the chosen leads that do not have it yet."""
    names = tag_names([tag])
    if not names:
        raise InvalidInput({"tag": [str(TAG_REQUIRED)]})
    require(actor, "edit", "lead")
    leads = (
        _chosen(actor, lead_ids, "edit")
        .exclude(status=LeadStatus.CONVERTED)
        .exclude(tags__name__iexact=names[0])
        .prefetch_related("tags")
    )
    changed = 0
    for lead in leads:
        lead_update(actor=actor, lead_id=lead.pk, tags=[*(t.name for t in lead.tags.all()), names[0]])
        changed += 1
    return changed


@transaction.atomic
def leads_delete(*, actor: User, lead_ids: Iterable[Any]) -> int:
    """Delete the chosen leads the actor may delete."""
    require(actor, "delete", "lead")
    changed = 0
    for lead_id in _chosen(actor, lead_ids, "delete").values_list("pk", flat=True):
        lead_delete(actor=actor, lead_id=lead_id)
        changed += 1
    return changed
