"""What activities add to the other modules, through their registries (they never import us):
entries on the lead, account, contact and opportunity timelines, the "a completed meeting"
stage-gate artefact, and the cost of done activities in an opportunity's pursuit cost."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.activities.models import Activity, ActivityStatus, RelatedType
from rapport.activities.selectors import related_activities, spent_on
from rapport.core import records, timeline
from rapport.core.models import User
from rapport.core.timeline import TimelineEntry
from rapport.pipeline import costs, gates

COMPLETED_MEETING = "completed_meeting"
MEETING_CODE = "meeting"


def _when(activity: Activity) -> dt.datetime:
    if activity.start is not None:
        return activity.start
    if activity.due_date is not None:
        return dt.datetime.combine(activity.due_date, dt.time(), tzinfo=timezone.get_current_timezone())
    return activity.created_at


def _body(activity: Activity) -> str:
    parts = [activity.get_status_display()]
    if activity.outcome_code:
        parts.append(activity.get_outcome_code_display())
    if activity.outcome_text:
        parts.append(activity.outcome_text[:200])
    return " · ".join(parts)


def activity_entries(actor: User, record: models.Model, limit: int) -> list[TimelineEntry]:
    """The activities about this record that the actor may see, latest first."""
    key = records.for_model(record).key
    found = (
        related_activities(actor=actor, record_type=key, record_id=record.pk)
        .select_related("type", "owner")
        .order_by("-start", "-due_date", "-id")[:limit]
    )
    return [
        TimelineEntry(
            at=_when(activity),
            kind="activity",
            title=_("%(type)s: %(subject)s") % {"type": activity.type, "subject": activity.subject},
            body=_body(activity),
            url=activity.get_absolute_url(),
            actor=str(activity.owner),
        )
        for activity in found
    ]


def has_completed_meeting(opportunity: models.Model) -> bool:
    return Activity.objects.filter(
        related_type=RelatedType.OPPORTUNITY,
        related_id=opportunity.pk,
        type__code=MEETING_CODE,
        status=ActivityStatus.DONE,
    ).exists()


def activity_cost_shares(opportunity: models.Model) -> list[costs.CostShare]:
    spent = spent_on(record_type=RelatedType.OPPORTUNITY, record_ids=[opportunity.pk])
    return [
        costs.CostShare(label=gettext_lazy("Activities done"), currency=currency, amount=amount)
        for (_id, currency), amount in sorted(spent.items())
    ]


def register() -> None:
    """Called once, by the app's `ready`."""
    for record_type in RelatedType.values:
        timeline.register(record_type, activity_entries)
    gates.register_artefact(COMPLETED_MEETING, gettext_lazy("a completed meeting"), has_completed_meeting)
    costs.register_cost_source(activity_cost_shares)
