"""Activities as iCalendar (RFC 5545), built with the `icalendar` package.

Each activity is one VEVENT: its times in the zone it was planned in (TZID, with the VTIMEZONE
definitions the calendar needs), its RRULE as stored, a UID that never changes
(`activity-<id>@<host>`), and a URL back to the record it is about. Tasks with only a due date
are all-day events on that day. A cancelled activity stays, with STATUS:CANCELLED, so subscribed
calendars drop it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

import icalendar
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from rapport.activities.models import Activity, ActivityStatus
from rapport.activities.recurrence import zone
from rapport.core import records

PRODID = "-//Rapport CRM//Activities//EN"
STATUS = {
    ActivityStatus.PLANNED: "CONFIRMED",
    ActivityStatus.DONE: "CONFIRMED",
    ActivityStatus.CANCELLED: "CANCELLED",
}


def uid(activity_id: int, host: str) -> str:
    return f"activity-{activity_id}@{host}"


def related_path(activity: Activity) -> str:
    """The page of the record the activity is about ('' when it is about none)."""
    if not activity.related_type or activity.related_id is None:
        return ""
    try:
        return reverse(records.get(activity.related_type).detail_url_name, args=[activity.related_id])
    except (KeyError, NoReverseMatch):
        return ""


def _rule(activity: Activity) -> icalendar.vRecur:
    rule: icalendar.vRecur = icalendar.vRecur.from_ical(activity.rrule)
    if activity.all_day and "UNTIL" in rule and activity.start is not None:
        # A whole-day series ends on a date (RFC 5545: UNTIL has DTSTART's value type).
        until = rule["UNTIL"][0]
        if isinstance(until, dt.datetime):
            rule["UNTIL"] = [until.astimezone(zone(activity.time_zone)).date()]
    return rule


def event(activity: Activity, host: str, absolute: Callable[[str], str]) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", uid(activity.pk, host))
    item.add("dtstamp", activity.updated_at.astimezone(dt.UTC))
    item.add("created", activity.created_at.astimezone(dt.UTC))
    item.add("last-modified", activity.updated_at.astimezone(dt.UTC))
    item.add("summary", activity.subject)
    tz = zone(activity.time_zone)
    if activity.start is None:
        assert activity.due_date is not None
        item.add("dtstart", activity.due_date)
        item.add("dtend", activity.due_date + dt.timedelta(days=1))
    elif activity.all_day:
        first = activity.start.astimezone(tz).date()
        last = activity.end.astimezone(tz).date() if activity.end is not None else first + dt.timedelta(days=1)
        item.add("dtstart", first)
        item.add("dtend", max(last, first + dt.timedelta(days=1)))
    else:
        item.add("dtstart", activity.start.astimezone(tz))
        if activity.end is not None:
            item.add("dtend", activity.end.astimezone(tz))
    if activity.rrule and activity.start is not None:
        item.add("rrule", _rule(activity))
    item.add("status", STATUS.get(ActivityStatus(activity.status), "CONFIRMED"))
    item.add("categories", [str(activity.type)])
    if activity.location:
        item.add("location", activity.location)
    description = activity.description
    if activity.outcome_text or activity.outcome_code:
        outcome = " · ".join(filter(None, [activity.get_outcome_code_display(), activity.outcome_text]))
        description = "\n\n".join(filter(None, [description, _("Outcome: %(outcome)s") % {"outcome": outcome}]))
    if description:
        item.add("description", description)
    path = related_path(activity)
    if path:
        item.add("url", absolute(path))
    if activity.reminder_minutes is not None and activity.status == ActivityStatus.PLANNED:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", activity.subject)
        alarm.add("trigger", dt.timedelta(minutes=-activity.reminder_minutes))
        item.add_component(alarm)
    return item


def calendar(activities: Iterable[Activity], *, host: str, absolute: Callable[[str], str], name: str = "") -> bytes:
    """A VCALENDAR with one VEVENT per activity and the VTIMEZONEs their TZIDs name."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for activity in activities:
        cal.add_component(event(activity, host, absolute))
    cal.add_missing_timezones()
    body: bytes = cal.to_ical()
    return body
