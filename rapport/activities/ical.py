"""Activities as iCalendar (RFC 5545).

Each activity is one VEVENT: its times in the zone it was planned in (TZID, with the VTIMEZONE
definitions the calendar needs), its RRULE as stored, a UID that never changes
(`activity-<id>@<host>`), and a URL back to the record it is about. Tasks with only a due date
are all-day events on that day. A cancelled activity stays, with STATUS:CANCELLED, so subscribed
calendars drop it.

`calendar` writes the VEVENT lines itself (`event_lines`): the `icalendar` package spends about half
a millisecond building and serialising each event, which made a 5,000-event feed take seconds. The
calendar's frame and its VTIMEZONE definitions still come from `icalendar`; `event` builds the same
event as an `icalendar.Event` (kept as the reference the tests compare with).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import icalendar
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from rapport.activities.models import Activity, ActivityStatus, OutcomeCode
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


#: the attributes of a `FeedRow`, in the order of its tuple (`selectors.FEED_COLUMNS`)
FEED_ROW_FIELDS = (
    "pk", "type_id", "type_name", "subject", "description", "related_type", "related_id", "start", "end",
    "due_date", "all_day", "time_zone", "location", "status", "outcome_code", "outcome_text", "rrule",
    "reminder_minutes", "created_at", "updated_at",
)  # fmt: skip


class FeedRow:
    """An activity as the internet calendar reads it: the columns `event_lines` writes, from one
    tuple (`selectors.feed_rows`) — thousands of them, without building model instances."""

    __slots__ = FEED_ROW_FIELDS
    pk: int
    type_id: int
    type_name: str
    subject: str
    description: str
    related_type: str
    related_id: int | None
    start: dt.datetime | None
    end: dt.datetime | None
    due_date: dt.date | None
    all_day: bool
    time_zone: str
    location: str
    status: str
    outcome_code: str
    outcome_text: str
    rrule: str
    reminder_minutes: int | None
    created_at: dt.datetime
    updated_at: dt.datetime

    def __init__(self, *values: Any) -> None:
        for name, value in zip(FEED_ROW_FIELDS, values, strict=True):
            setattr(self, name, value)

    @property
    def type(self) -> str:
        return _(self.type_name)  # as ActivityType.__str__: the starting names read translated

    def get_outcome_code_display(self) -> str:
        return str(OutcomeCode(self.outcome_code).label) if self.outcome_code else ""


Item = Activity | FeedRow


def related_path(activity: Item) -> str:
    """The page of the record the activity is about ('' when it is about none)."""
    if not activity.related_type or activity.related_id is None:
        return ""
    try:
        return reverse(records.get(activity.related_type).detail_url_name, args=[activity.related_id])
    except (KeyError, NoReverseMatch):
        return ""


def _rule(activity: Item) -> icalendar.vRecur:
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


# --- the fast writer ------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": ""})


def _text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newlines escaped."""
    return value.translate(_ESCAPES)


def _stamp(m: dt.datetime) -> str:
    """YYYYMMDDTHHMMSS (what strftime would write, several times faster)."""
    return f"{m.year:04d}{m.month:02d}{m.day:02d}T{m.hour:02d}{m.minute:02d}{m.second:02d}"


def _utc(moment: dt.datetime) -> str:
    return _stamp(moment.astimezone(dt.UTC)) + "Z"


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 character."""
    if len(line) <= 75 and line.isascii():
        return line
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, 74  # continuation lines start with a space
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)


def _is_utc(tz: dt.tzinfo) -> bool:
    return tz is dt.UTC or getattr(tz, "key", None) in ("UTC", "Etc/UTC")


def _moment(name: str, moment: dt.datetime, tz: dt.tzinfo, tzid: str) -> str:
    if _is_utc(tz):
        return f"{name}:{_utc(moment)}"
    return f"{name};TZID={tzid}:{_stamp(moment.astimezone(tz))}"


def _day(name: str, day: dt.date) -> str:
    return f"{name};VALUE=DATE:{day.year:04d}{day.month:02d}{day.day:02d}"


def _duration(minutes: int) -> str:
    """A negative trigger (`minutes` before the start) as an RFC 5545 duration."""
    if minutes == 0:
        return "PT0S"
    days, rest = divmod(minutes, 1_440)
    hours, mins = divmod(rest, 60)
    text = "-P" + (f"{days}D" if days else "")
    if hours or mins:
        text += "T" + (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "")
    return text


_SENTINEL = 987654321987


class _Memo:
    """What every event of one calendar would otherwise compute again: type names (translated),
    the address pattern of each record type's page, the zones."""

    def __init__(self, absolute: Callable[[str], str]) -> None:
        self.absolute = absolute
        self.types: dict[int, str] = {}
        self.urls: dict[str, tuple[str, str] | None] = {}
        self.zones: dict[str, dt.tzinfo] = {}

    def type_name(self, activity: Item) -> str:
        name = self.types.get(activity.type_id)
        if name is None:
            name = self.types[activity.type_id] = _text(str(activity.type))
        return name

    def url(self, activity: Item) -> str:
        if not activity.related_type or activity.related_id is None:
            return ""
        if activity.related_type not in self.urls:
            try:
                name = records.get(activity.related_type).detail_url_name
                pattern = self.absolute(reverse(name, args=[_SENTINEL]))
                before, _sep, after = pattern.partition(str(_SENTINEL))
                self.urls[activity.related_type] = (before, after) if _sep else None
            except (KeyError, NoReverseMatch):
                self.urls[activity.related_type] = None
        parts = self.urls[activity.related_type]
        if parts is None:
            path = related_path(activity)
            return self.absolute(path) if path else ""
        return f"{parts[0]}{activity.related_id}{parts[1]}"

    def zone(self, name: str) -> dt.tzinfo:
        found = self.zones.get(name)
        if found is None:
            found = self.zones[name] = zone(name)
        return found


def event_lines(
    activity: Item, host: str, absolute: Callable[[str], str], memo: _Memo | None = None
) -> tuple[list[str], str | None]:
    """The VEVENT of an activity as unfolded content lines (as `event` builds it), and the TZID it
    names (None when its times are UTC or whole days)."""
    memo = memo or _Memo(absolute)
    tz = memo.zone(activity.time_zone)
    tzid = None if _is_utc(tz) else activity.time_zone
    lines = [
        "BEGIN:VEVENT",
        f"SUMMARY:{_text(activity.subject)}",
    ]
    named: str | None = None
    if activity.start is None:
        assert activity.due_date is not None
        lines.append(_day("DTSTART", activity.due_date))
        lines.append(_day("DTEND", activity.due_date + dt.timedelta(days=1)))
    elif activity.all_day:
        first = activity.start.astimezone(tz).date()
        last = activity.end.astimezone(tz).date() if activity.end is not None else first + dt.timedelta(days=1)
        lines.append(_day("DTSTART", first))
        lines.append(_day("DTEND", max(last, first + dt.timedelta(days=1))))
    else:
        named = tzid
        lines.append(_moment("DTSTART", activity.start, tz, activity.time_zone))
        if activity.end is not None:
            lines.append(_moment("DTEND", activity.end, tz, activity.time_zone))
    updated = _utc(activity.updated_at)
    lines.append(f"DTSTAMP:{updated}")
    lines.append(f"UID:{uid(activity.pk, host)}")
    if activity.rrule and activity.start is not None:
        lines.append("RRULE:" + _rule(activity).to_ical().decode())
    lines.append(f"CATEGORIES:{memo.type_name(activity)}")
    lines.append(f"CREATED:{_utc(activity.created_at)}")
    description = activity.description
    if activity.outcome_text or activity.outcome_code:
        outcome = " · ".join(filter(None, [activity.get_outcome_code_display(), activity.outcome_text]))
        description = "\n\n".join(filter(None, [description, _("Outcome: %(outcome)s") % {"outcome": outcome}]))
    if description:
        lines.append(f"DESCRIPTION:{_text(description)}")
    lines.append(f"LAST-MODIFIED:{updated}")
    if activity.location:
        lines.append(f"LOCATION:{_text(activity.location)}")
    lines.append(f"STATUS:{STATUS.get(ActivityStatus(activity.status), 'CONFIRMED')}")
    url = memo.url(activity)
    if url:
        lines.append(f"URL:{url}")
    if activity.reminder_minutes is not None and activity.status == ActivityStatus.PLANNED:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_text(activity.subject)}",
            f"TRIGGER:{_duration(activity.reminder_minutes)}",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines, named


def calendar(activities: Iterable[Item], *, host: str, absolute: Callable[[str], str], name: str = "") -> bytes:
    """A VCALENDAR with one VEVENT per activity and the VTIMEZONEs their TZIDs name."""
    events: list[str] = []
    tzids: set[str] = set()
    memo = _Memo(absolute)
    for activity in activities:
        lines, tzid = event_lines(activity, host, absolute, memo)
        if tzid is not None:
            tzids.add(tzid)
        events.extend(_fold(line) for line in lines)
    frame_bytes: bytes = _frame(name, tzids).to_ical()
    frame = frame_bytes.decode()
    end = "END:VCALENDAR\r\n"
    assert frame.endswith(end)
    body = frame[: -len(end)] + "".join(f"{line}\r\n" for line in events) + end
    return body.encode()


def _frame(name: str, tzids: set[str]) -> icalendar.Calendar:
    """The VCALENDAR's own properties and the VTIMEZONEs of these TZIDs, without events."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for tzid in sorted(tzids):
        try:
            cal.add_component(icalendar.Timezone.from_tzid(tzid))
        except ValueError:
            continue
    return cal


def reference_calendar(
    activities: Iterable[Activity], *, host: str, absolute: Callable[[str], str], name: str = ""
) -> bytes:
    """The same calendar built entirely with `icalendar` (slow; for comparison in tests)."""
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
