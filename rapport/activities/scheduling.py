"""When an activity next needs the scheduler: a reminder before an occurrence, an outcome prompt
after one.

Each activity keeps two moments, `remind_at` and `prompt_at`, computed here on every save (`plan`)
and moved on by the scheduler after each delivery (`next_remind_at`, `next_prompt_at`). A tick then
reads only the rows that are due, through two partial indexes, however many activities there are;
a recurring series is expanded one occurrence at a time, never as a whole.

The rules (documented in the user guide):
- a reminder goes `reminder_minutes` before each occurrence of a planned activity; one whose moment
  passed while no scheduler ran still goes until REMINDER_LATE after the occurrence started;
- an outcome prompt goes once an occurrence of a planned, timed activity has ended (any type: a
  planned activity in the past is unfinished business whether or not its type needs a result);
  after a long pause only the latest ended occurrence is prompted, and none older than PROMPT_LOOKBACK.
Tasks with only a due date get neither: they show as overdue on the Today page instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from rapport.activities import recurrence
from rapport.activities.models import Activity, ActivityStatus
from rapport.activities.recurrence import Occurrence

#: a reminder that could not go on time is still worth sending this long after the start
REMINDER_LATE = dt.timedelta(minutes=10)
#: an outcome prompt is not sent for occurrences that ended longer ago than this
PROMPT_LOOKBACK = dt.timedelta(days=7)

UTC = dt.UTC


def _length(activity: Activity) -> dt.timedelta:
    if activity.start is not None and activity.end is not None:
        return activity.end - activity.start
    return dt.timedelta(0)


def _single(activity: Activity) -> Occurrence:
    assert activity.start is not None
    return Occurrence(activity, activity.start, activity.end)


def _rule(activity: Activity) -> Any:
    """The dateutil rule of a recurring activity; None when it does not recur (or its rule is broken,
    when it is read as a single occurrence, as the calendar does)."""
    if not activity.rrule or activity.start is None:
        return None
    try:
        return recurrence.build(activity.rrule, activity.start, activity.time_zone)
    except recurrence.RuleError:
        return None


def _at(activity: Activity, local: dt.datetime | None) -> Occurrence | None:
    if local is None:
        return None
    start = local.astimezone(UTC)
    return Occurrence(activity, start, start + _length(activity) if activity.end is not None else None)


def ends(occurrence: Occurrence) -> dt.datetime:
    """When an occurrence is over (its start when it has no end)."""
    return occurrence.end or occurrence.start


def first_starting(activity: Activity, moment: dt.datetime, *, inclusive: bool = True) -> Occurrence | None:
    """The first occurrence starting at (or, not inclusive, after) `moment`."""
    if activity.start is None:
        return None
    rule = _rule(activity)
    if rule is None:
        starts_in_time = activity.start >= moment if inclusive else activity.start > moment
        return _single(activity) if starts_in_time else None
    return _at(activity, rule.after(moment, inc=inclusive))


def first_ending_after(activity: Activity, moment: dt.datetime) -> Occurrence | None:
    """The first occurrence that ends after `moment`."""
    if activity.start is None:
        return None
    rule = _rule(activity)
    if rule is None:
        return _single(activity) if ends(_single(activity)) > moment else None
    return _at(activity, rule.after(moment - _length(activity), inc=False))


def last_ended(activity: Activity, moment: dt.datetime) -> Occurrence | None:
    """The latest occurrence that has ended by `moment`."""
    if activity.start is None:
        return None
    rule = _rule(activity)
    if rule is None:
        return _single(activity) if ends(_single(activity)) <= moment else None
    return _at(activity, rule.before(moment - _length(activity), inc=True))


def wants_reminder(activity: Activity) -> bool:
    return (
        activity.status == ActivityStatus.PLANNED
        and activity.start is not None
        and activity.reminder_minutes is not None
    )


def wants_prompt(activity: Activity) -> bool:
    return activity.status == ActivityStatus.PLANNED and activity.start is not None


def reminder_moment(activity: Activity, occurrence: Occurrence) -> dt.datetime:
    return occurrence.start - dt.timedelta(minutes=activity.reminder_minutes or 0)


def next_remind_at(activity: Activity, now: dt.datetime, *, after: Occurrence | None = None) -> dt.datetime | None:
    """When the next reminder is due: for the first occurrence not yet too late (or the one after
    `after`, the occurrence just reminded of)."""
    if not wants_reminder(activity):
        return None
    if after is not None:
        upcoming = first_starting(activity, max(after.start, now - REMINDER_LATE), inclusive=False)
    else:
        upcoming = first_starting(activity, now - REMINDER_LATE)
    return reminder_moment(activity, upcoming) if upcoming is not None else None


def next_prompt_at(activity: Activity, now: dt.datetime, *, since: dt.datetime | None = None) -> dt.datetime | None:
    """When the next outcome prompt is due: the end of the first occurrence ending after `since`
    (by default PROMPT_LOOKBACK ago, so an activity entered after the fact is prompted too)."""
    if not wants_prompt(activity):
        return None
    following = first_ending_after(activity, since if since is not None else now - PROMPT_LOOKBACK)
    return ends(following) if following is not None else None


def plan(activity: Activity, now: dt.datetime | None = None) -> None:
    """Set when the scheduler next has something to send for this activity (before it is saved).
    Recomputing after a delivery is harmless: the delivery table refuses a second one."""
    moment = now or timezone.now()
    activity.remind_at = next_remind_at(activity, moment)
    activity.prompt_at = next_prompt_at(activity, moment)
