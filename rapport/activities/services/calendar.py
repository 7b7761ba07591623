"""Calendar gestures as use cases: move an activity (drag) or change its length (drag its bottom edge).

A drag moves one *occurrence* on the screen; since a recurring activity is one row with its rule
(decision 0009, no per-occurrence exceptions yet), the whole series moves by the same wall-clock
shift. The shift is measured in the activity's own zone so that dragging a Monday 09:00 occurrence to
Tuesday 10:00 moves every occurrence to Tuesday 10:00 local time, whatever daylight-saving change
lies between the series' first start and the dragged occurrence. The write itself is
`activity_update`, which checks the rights, the rules and the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rapport.activities import recurrence
from rapport.activities.models import Activity
from rapport.activities.services.activities import END_BEFORE_START, activity_update, editable_activity
from rapport.core.errors import InvalidInput

NOT_A_MOVE = gettext_lazy("Say where the activity goes: a new start as a date and time.")


def _wall(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The naive local time of a moment in a zone (what a person reads on the clock there)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def _aware(wall: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return wall.replace(tzinfo=zone).astimezone(dt.UTC)


@transaction.atomic
def activity_move(
    *,
    actor: Any,
    activity_id: Any,
    occurrence_start: dt.datetime | dt.date | None,
    start: dt.datetime | dt.date,
    end: dt.datetime | None = None,
) -> Activity:
    """Move the activity so that the occurrence starting at `occurrence_start` starts at `start`
    (and ends at `end`, when the length changes too). A task with only a due date moves by days.
    Without `occurrence_start` the first occurrence is the one moved."""
    activity = editable_activity(actor, activity_id)
    if activity.start is None:
        return _move_due_date(actor, activity, start)
    if not isinstance(start, dt.datetime):
        raise InvalidInput({"start": [str(NOT_A_MOVE)]})
    zone = recurrence.zone(activity.time_zone)
    dragged = occurrence_start if isinstance(occurrence_start, dt.datetime) else activity.start
    new_start = _aware(_wall(activity.start, zone) + (_wall(start, zone) - _wall(dragged, zone)), zone)
    changes: dict[str, Any] = {"start": new_start}
    if end is not None:
        if end <= start:
            raise InvalidInput({"end": [str(END_BEFORE_START)]})
        changes["end"] = new_start + (end - start)
    elif activity.end is not None:
        changes["end"] = new_start + (activity.end - activity.start)
    return activity_update(actor=actor, activity_id=activity.pk, **changes)


def _move_due_date(actor: Any, activity: Activity, start: dt.datetime | dt.date) -> Activity:
    """A task due on a day moves to the viewer's day it was dropped on."""
    target = timezone.localtime(start).date() if isinstance(start, dt.datetime) else start
    return activity_update(actor=actor, activity_id=activity.pk, due_date=target)
