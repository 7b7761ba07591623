"""Reads for the Today page: what is due today, what is overdue, what waits for an outcome (mine,
and my team's when my scope reaches further than my own), and which of my leads need following up.

Every read starts from `visible_to`, is bounded (`limit`, the page asks for one more to know whether
to offer "show all") and walks an index: today's timed activities by (owner, start), running series
and activities waiting for an outcome by the partial (owner, series_end) index of planned rows,
tasks by the partial (owner, due_date) index of planned tasks, a lead's latest activity by
(related_type, related_id, start). So the page costs the same few queries with 5,000 activities or
5,000,000.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from rapport.activities.expressions import no_start
from rapport.activities.models import Activity, ActivityStatus, RelatedType
from rapport.activities.recurrence import Occurrence, occurrences
from rapport.core.models import OrganisationSettings, Scope, User
from rapport.core.visibility import scope_of, visible_to
from rapport.leads.models import OPEN_STATUSES, Lead

DEFAULT_FOLLOW_UP_DAYS = 7
#: how many running series a day may show (each is expanded for the day only)
SERIES_LIMIT = 50


@dataclass(frozen=True)
class Day:
    """The viewer's today: where it starts and ends (aware, in their zone), and now."""

    date: dt.date
    start: dt.datetime
    end: dt.datetime
    now: dt.datetime

    @classmethod
    def current(cls, now: dt.datetime | None = None) -> Day:
        moment = now or timezone.now()
        zone = timezone.get_current_timezone()
        date = moment.astimezone(zone).date()
        start = dt.datetime.combine(date, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), tzinfo=zone)
        return cls(date=date, start=start, end=end, now=moment)


def _mine(actor: User) -> QuerySet[Activity]:
    return visible_to(actor, Activity).filter(owner=actor, status=ActivityStatus.PLANNED).select_related("type")


def _task_occurrence(activity: Activity) -> Occurrence:
    assert activity.due_date is not None
    zone = timezone.get_current_timezone()
    return Occurrence(activity, dt.datetime.combine(activity.due_date, dt.time(), tzinfo=zone), None)


def due_today(*, actor: User, day: Day, limit: int) -> list[Occurrence]:
    """My planned occurrences starting today and my tasks due today, earliest first (tasks first)."""
    single = _mine(actor).filter(rrule="", start__gte=day.start, start__lt=day.end).order_by("start", "id")
    series = (
        _mine(actor).filter(series_end__gte=day.start, start__lt=day.end).exclude(rrule="").order_by("series_end", "id")
    )
    tasks = _mine(actor).filter(no_start(), due_date=day.date).order_by("id")
    found = [_task_occurrence(task) for task in tasks[:limit]]
    found += [Occurrence(a, a.start, a.end) for a in single[:limit] if a.start is not None]
    for activity in series[:SERIES_LIMIT]:
        found += [o for o in occurrences(activity, day.start, day.end) if o.start >= day.start]
    found.sort(key=lambda o: (o.activity.start is not None, o.start, o.activity.pk))
    return found[:limit]


def overdue_tasks(*, actor: User, day: Day) -> QuerySet[Activity]:
    """My planned tasks whose due date has passed, the longest overdue first."""
    return _mine(actor).filter(no_start(), due_date__lt=day.date).order_by("due_date", "id")


def _waiting(queryset: QuerySet[Activity], now: dt.datetime) -> QuerySet[Activity]:
    # Timed and planned, and the last occurrence is over: someone should say how it went.
    return queryset.filter(status=ActivityStatus.PLANNED, start__isnull=False, series_end__lt=now).order_by(
        "-series_end", "-id"
    )


def waiting_for_outcome(*, actor: User, now: dt.datetime) -> QuerySet[Activity]:
    """My activities that are over but still planned, the latest first."""
    return _waiting(visible_to(actor, Activity).filter(owner=actor), now).select_related("type")


def sees_a_team(actor: User) -> bool:
    """Whether the actor's scope on activities reaches beyond their own (a manager, say)."""
    return scope_of(actor, "activity") in (Scope.TEAM, Scope.ALL)


def team_waiting_for_outcome(*, actor: User, now: dt.datetime) -> QuerySet[Activity]:
    """The activities of the people the actor sees (not the actor's own) still without an outcome."""
    if not sees_a_team(actor):
        return Activity.objects.none()
    visible = visible_to(actor, Activity).exclude(owner=actor)
    return _waiting(visible, now).select_related("type", "owner")


def follow_up_days() -> int:
    row = OrganisationSettings.objects.only("follow_up_days").filter(pk=1).first()
    return row.follow_up_days if row is not None else DEFAULT_FOLLOW_UP_DAYS


def leads_to_follow_up(*, actor: User, now: dt.datetime, days: int) -> QuerySet[Any]:
    """My open leads, older than `days`, with no activity in the last `days` days and none planned
    ahead (a cancelled one does not count), the longest waiting first; each with its latest activity."""
    cutoff = now - dt.timedelta(days=days)
    about_lead = Activity.objects.filter(related_type=RelatedType.LEAD, related_id=OuterRef("pk")).exclude(
        status=ActivityStatus.CANCELLED
    )
    recent = about_lead.filter(
        Q(start__gte=cutoff)
        | Q(start__isnull=True, due_date__gte=cutoff.astimezone(timezone.get_current_timezone()).date())
    )
    latest = about_lead.filter(start__isnull=False).order_by("-start").values("start")[:1]
    return (
        visible_to(actor, Lead)
        .filter(owner=actor, status__in=OPEN_STATUSES, created_at__lt=cutoff)
        .filter(~Exists(recent))
        .annotate(last_activity=Subquery(latest))
        .only("id", "first_name", "last_name", "company", "status", "created_at")
        .order_by("created_at", "id")
    )
