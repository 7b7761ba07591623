"""The calendar pages: day, week, month and year views and an agenda, for oneself, a colleague or a
team (as far as the viewer's scope reaches), and the endpoint a drag or a resize posts to.

The page draws occurrences (recurring activities expanded by `selectors.calendar`) in the viewer's
zone: a day starts at the viewer's midnight. Timed events carry their position in minutes and
`calendar.js` lays them out; without it (or on a phone) they read as a list per day.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from rapport.activities import recurrence
from rapport.activities.calendar_html import EventHtml
from rapport.activities.models import Activity, ActivityType
from rapport.activities.recurrence import Occurrence
from rapport.activities.selectors import moment
from rapport.activities.selectors_calendar import (
    AGENDA_PAGE_SIZE,
    VIEWS,
    Whose,
    calendar_teams,
    calendar_users,
    local_midnight,
    occurrences_between,
    shift,
    view_days,
    whose_calendar,
)
from rapport.activities.services.calendar import activity_move
from rapport.core.errors import DomainError, InvalidInput
from rapport.core.models import User
from rapport.core.visibility import can
from rapport.web.utils import http_errors, is_partial

DAY_MINUTES = 24 * 60
#: how many events a month cell lists before "n more"
MONTH_CELL_LIMIT = 4
MOVED = _("Moved.")
SERIES_MOVED = _("The whole series moved: single occurrences cannot be moved on their own yet.")
NOT_MOVED = _("The activity could not be moved.")
VIEW_LABELS = {"day": _("Day"), "week": _("Week"), "month": _("Month"), "year": _("Year"), "agenda": _("Agenda")}
#: the half-hour slots of a day in the time grid (a click on one plans an activity there)
SLOTS = [f"{minutes // 60:02d}:{minutes % 60:02d}" for minutes in range(0, DAY_MINUTES, 30)]


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- what the page draws -----------------------------------------------------------------------------


@dataclass
class Event:
    """One occurrence as one day draws it (a timed event over midnight is drawn on each of its days)."""

    occurrence: Occurrence
    start: dt.datetime | None  # in the viewer's zone
    end: dt.datetime | None
    all_day: bool
    top: int = 0  # minutes after the day's midnight (time grid)
    bottom: int = 0
    owner: User | None = None
    writer: EventHtml | None = None  # the page's `calendar_html.EventHtml`

    @property
    def html(self) -> str:
        return self.writer(self) if self.writer is not None else ""

    @property
    def activity(self) -> Activity:
        return self.occurrence.activity

    @property
    def occurrence_key(self) -> str:
        return self.occurrence.start.astimezone(dt.UTC).isoformat()

    @property
    def recurring(self) -> bool:
        return self.occurrence.recurring

    @property
    def css_status(self) -> str:
        return f"is-{self.activity.status}"


@dataclass
class Day:
    date: dt.date
    all_day: list[Event] = field(default_factory=list)
    timed: list[Event] = field(default_factory=list)
    in_month: bool = True
    is_today: bool = False

    @property
    def events(self) -> list[Event]:
        return self.all_day + self.timed

    @property
    def shown(self) -> list[Event]:
        return self.events[:MONTH_CELL_LIMIT]

    @property
    def hidden_count(self) -> int:
        return max(0, len(self.events) - MONTH_CELL_LIMIT)


def _wall_minutes(moment_: dt.datetime, day: dt.date) -> int:
    """Minutes after `day`'s midnight on the wall clock, clipped to the day."""
    if moment_.date() < day:
        return 0
    if moment_.date() > day:
        return DAY_MINUTES
    return moment_.hour * 60 + moment_.minute


def _days_of(start: dt.date, after_last: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((after_last - start).days)]


def _spread(occurrence: Occurrence, owner: User | None) -> list[tuple[dt.date, Event]]:
    """The days an occurrence is drawn on, with its segment on each."""
    activity = occurrence.activity
    if activity.start is None:  # a task with a due date only
        return [(activity.due_date, Event(occurrence, None, None, True, owner=owner))] if activity.due_date else []
    if activity.all_day:
        # Whole days are dates, not moments: read them in the zone they were planned in, so that a
        # viewer elsewhere sees the same days (not the evening before).
        first, after_last = _whole_days(occurrence, recurrence.zone(activity.time_zone))
        start = timezone.localtime(occurrence.start)
        return [(day, Event(occurrence, start, None, True, owner=owner)) for day in _days_of(first, after_last)]
    start = timezone.localtime(occurrence.start)
    end = timezone.localtime(occurrence.end) if occurrence.end is not None else None
    last = end - dt.timedelta(microseconds=1) if end is not None and end > start else start
    result = []
    for day in _days_of(start.date(), last.date() + dt.timedelta(days=1)):
        top = _wall_minutes(start, day)
        bottom = _wall_minutes(end, day) if end is not None else top
        result.append((day, Event(occurrence, start, end, False, top=top, bottom=max(bottom, top), owner=owner)))
    return result


def _whole_days(occurrence: Occurrence, zone: dt.tzinfo) -> tuple[dt.date, dt.date]:
    first = occurrence.start.astimezone(zone).date()
    end = occurrence.end
    if end is None or end <= occurrence.start:
        return first, first + dt.timedelta(days=1)
    return first, (end - dt.timedelta(microseconds=1)).astimezone(zone).date() + dt.timedelta(days=1)


def lay_out(occurrences: list[Occurrence], first: dt.date, after_last: dt.date, owners: dict[int, User]) -> list[Day]:
    today = timezone.localdate()
    days = {day: Day(day, is_today=day == today) for day in _days_of(first, after_last)}
    for occurrence in occurrences:
        for day, event in _spread(occurrence, owners.get(occurrence.activity.owner_id)):
            if day in days:
                (days[day].all_day if event.all_day else days[day].timed).append(event)
    return list(days.values())


def _weeks(days: list[Day]) -> list[list[Day]]:
    return [days[index : index + 7] for index in range(0, len(days), 7)]


@dataclass
class MiniMonth:
    """A month of the year view: its weeks, each day with how many events it has."""

    first: dt.date
    weeks: list[list[tuple[dt.date, int, bool]]]


def _year(days: list[Day], year: int) -> list[MiniMonth]:
    counts = {day.date: len(day.events) for day in days}
    months = []
    for month in range(1, 13):
        weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        rows = [[(d, counts.get(d, 0) if d.month == month else 0, d.month == month) for d in week] for week in weeks]
        months.append(MiniMonth(dt.date(year, month, 1), rows))
    return months


# --- the request ----------------------------------------------------------------------------------------


def _day_param(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw.strip() else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def calendar_url(view: str, day: dt.date, who: str, **extra: Any) -> str:
    params = {"view": view, "date": day.isoformat(), **({"who": who} if who != "me" else {}), **extra}
    return f"{reverse('activities:calendar')}?{urlencode(params)}"


def _navigation(view: str, day: dt.date, who: str) -> dict[str, Any]:
    return {
        "prev_url": calendar_url(view, shift(view, day, -1), who),
        "next_url": calendar_url(view, shift(view, day, 1), who),
        "today_url": calendar_url(view, timezone.localdate(), who),
        "view_urls": [(name, VIEW_LABELS[name], calendar_url(name, day, who)) for name in VIEWS],
    }


def _choices(actor: User, whose: Whose) -> dict[str, Any]:
    users = list(calendar_users(actor).only("id", "first_name", "last_name", "email"))
    teams = list(calendar_teams(actor).only("id", "name", "path"))
    return {"people": [u for u in users if u.pk != actor.pk], "teams": teams, "owners": {u.pk: u for u in users}}


def _agenda(days: list[Day], page_raw: str) -> dict[str, Any]:
    rows = [(day, event) for day in days for event in day.events]
    pages = max(1, -(-len(rows) // AGENDA_PAGE_SIZE))
    page = int(page_raw) if page_raw.isdigit() else 1
    page = min(max(page, 1), pages)
    chunk = rows[(page - 1) * AGENDA_PAGE_SIZE : page * AGENDA_PAGE_SIZE]
    groups: list[tuple[dt.date, list[Event]]] = []
    for day, event in chunk:
        if not groups or groups[-1][0] != day.date:
            groups.append((day.date, []))
        groups[-1][1].append(event)
    return {"agenda": groups, "agenda_page": page, "agenda_pages": pages, "agenda_total": len(rows)}


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """`/calendar/?view=week&date=2026-01-12&who=u7`: the schedule of me, a colleague (`u<id>`) or a
    team (`t<id>`); someone outside the viewer's scope is a 404."""
    actor = _actor(request)
    view = request.GET.get("view", "week")
    if view not in VIEWS:
        view = "week"
    day = _day_param(request.GET.get("date", ""))
    with http_errors():
        whose = whose_calendar(actor, request.GET.get("who", "me"))
    first, after_last = view_days(view, day)
    choices = _choices(actor, whose)
    occurrences = occurrences_between(actor=actor, whose=whose, first=first, after_last=after_last)
    days = lay_out(occurrences, first, after_last, choices["owners"])
    html = EventHtml(can_edit=can(actor, "edit", "activity"), is_team=whose.team is not None)
    for cell in days:
        cell.in_month = view != "month" or cell.date.month == day.month
        for event in cell.events:
            event.writer = html  # written when the page shows it (a month cell shows four, the agenda a page)
    context: dict[str, Any] = {
        "nav_section": "calendar",
        "view": view,
        "day": day,
        "first": first,
        "last": after_last - dt.timedelta(days=1),
        "days": days,
        "weeks": _weeks(days) if view == "month" else [],
        "months": _year(days, day.year) if view == "year" else [],
        "hours": [f"{hour:02d}:00" for hour in range(24)],
        "slots": SLOTS,
        "whose": whose,
        "who": whose.key,
        "is_team": whose.team is not None,
        "can_create": can(actor, "create", "activity"),
        "can_edit": can(actor, "edit", "activity"),
        "types": list(ActivityType.objects.order_by("order", "id")),
        "move_url": reverse("activities:calendar_move"),
        "new_url": reverse("activities:activity_new"),
        "has_recurring": any(o.recurring for o in occurrences),
        **choices,
        **_navigation(view, day, whose.key),
    }
    if view == "agenda":
        context.update(_agenda(days, request.GET.get("page", "")))
    if is_partial(request, "calendar"):
        return render(request, "activities/calendar.html#calendar-body", context)
    return render(request, "activities/calendar.html", context)


# --- drag and resize -----------------------------------------------------------------------------------


def _posted_moment(raw: str, name: str) -> dt.datetime | None:
    if not raw.strip():
        return None
    try:
        return moment(raw)
    except ValidationError as exc:
        raise InvalidInput({name: [str(exc.messages[0])]}) from exc


def _refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message}, status=status)


@login_required
@require_POST
def calendar_move(request: HttpRequest) -> JsonResponse:
    """Drop an event: `activity`, the dragged `occurrence` (its start), the new `start` and, after a
    resize, the new `end` (times without a zone are the viewer's). JSON either way, so the page can
    snap the event back and say why."""
    actor = _actor(request)
    try:
        start = _posted_moment(request.POST.get("start", ""), "start")
        if start is None:
            raise InvalidInput({"start": [str(NOT_MOVED)]})
        with http_errors():
            activity = activity_move(
                actor=actor,
                activity_id=request.POST.get("activity", ""),
                occurrence_start=_posted_moment(request.POST.get("occurrence", ""), "occurrence"),
                start=start,
                end=_posted_moment(request.POST.get("end", ""), "end"),
            )
    except Http404:
        return _refusal(str(NOT_MOVED), 404)
    except PermissionDenied:
        return _refusal(str(_("You may not change this activity.")), 403)
    except DomainError as exc:
        return _refusal(_error_text(exc), 400)
    message = SERIES_MOVED if activity.rrule else MOVED
    return JsonResponse({"ok": True, "message": str(message), "activity": activity.pk})


def _error_text(exc: DomainError) -> str:
    if isinstance(exc, InvalidInput) and exc.errors:
        return " ".join(m for messages in exc.errors.values() for m in messages)
    return exc.message


def occurrence_day_url(activity: Activity, who: str = "me") -> str:
    """The week that shows an activity (where a save from a full page returns to)."""
    when = activity.start or (local_midnight(activity.due_date) if activity.due_date else timezone.now())
    return calendar_url("week", timezone.localtime(when).date(), who)


urlpatterns: list[URLPattern] = [
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/move/", calendar_move, name="calendar_move"),
]
