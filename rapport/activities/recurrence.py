"""Recurring activities: one row with an RFC 5545 RRULE, expanded into occurrences when read.

A rule is checked and normalised once, when it is saved (`normalise`): daily, weekly or monthly,
ending with COUNT or UNTIL (UNTIL stored in UTC, as RFC 5545 asks when DTSTART has a zone). It is
expanded with python-dateutil from the first start *in the activity's own time zone*, so a weekly
09:00 meeting planned in Europe/Warsaw stays at 09:00 in Warsaw on both sides of a daylight-saving
change (its UTC time moves by an hour) — decision 0009.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dateutil import rrule as dateutil_rrule
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from rapport.activities.models import Activity

NOT_A_RULE = _("Enter a recurrence rule such as FREQ=WEEKLY;COUNT=10 (RFC 5545).")
UNSUPPORTED_FREQUENCY = _("An activity repeats daily, weekly or monthly.")
RULE_NEEDS_END = _("Say when the repetition ends: COUNT=… or UNTIL=…, not both.")
UNSUPPORTED_PART = _("This part of a recurrence rule is not supported: %(part)s.")
TOO_MANY = _("A rule may repeat at most %(limit)s times.")
TOO_LONG = _("A rule may repeat for at most %(years)s years.")
NEVER_HAPPENS = _("This rule never happens: check its days and its end.")

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYSETPOS", "WKST")
MAX_COUNT = 1000
MAX_YEARS = 10
UTC = dt.UTC


class RuleError(ValueError):
    """A rule that cannot be saved; the message is for a person."""


def zone(name: str) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def _until_utc(raw: str, tz: dt.tzinfo) -> str:
    """UNTIL as a UTC date-time: a date means the end of that day in the activity's zone."""
    text = raw.strip().upper()
    try:
        if len(text) == 8:
            day = dt.datetime.strptime(text, "%Y%m%d")
            moment = (day + dt.timedelta(days=1, seconds=-1)).replace(tzinfo=tz)
        elif text.endswith("Z"):
            moment = dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        else:
            moment = dt.datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=tz)
    except ValueError as exc:
        raise RuleError(str(NOT_A_RULE)) from exc
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def normalise(text: str, start: dt.datetime, time_zone: str) -> str:
    """The rule as stored (upper case, `RRULE:` dropped, UNTIL in UTC), or RuleError."""
    raw = text.strip()
    if raw.upper().startswith("RRULE:"):
        raw = raw[len("RRULE:") :]
    if not raw:
        return ""
    tz = zone(time_zone)
    parts: dict[str, str] = {}
    for item in raw.split(";"):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = key.strip().upper()
        if not sep or not value.strip() or key in parts:
            raise RuleError(str(NOT_A_RULE))
        if key not in PARTS:
            raise RuleError(str(UNSUPPORTED_PART % {"part": key[:20]}))
        parts[key] = value.strip().upper()
    if parts.get("FREQ") not in FREQUENCIES:
        raise RuleError(str(UNSUPPORTED_FREQUENCY))
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise RuleError(str(RULE_NEEDS_END))
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_utc(parts["UNTIL"], tz)
        until = dt.datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if until > start.astimezone(UTC) + dt.timedelta(days=366 * MAX_YEARS):  # before expanding anything
            raise RuleError(str(TOO_LONG % {"years": MAX_YEARS}))
    if "COUNT" in parts and (not parts["COUNT"].isdigit() or not 1 <= int(parts["COUNT"]) <= MAX_COUNT):
        raise RuleError(str(TOO_MANY % {"limit": MAX_COUNT}))
    if "INTERVAL" in parts and (not parts["INTERVAL"].isdigit() or not 1 <= int(parts["INTERVAL"]) <= 366):
        raise RuleError(str(NOT_A_RULE))
    ordered = ["FREQ", *[key for key in PARTS[1:] if key in parts]]
    normalised = ";".join(f"{key}={parts[key]}" for key in ordered)
    rule = build(normalised, start, time_zone)  # dateutil has the last word on the syntax
    if not rule.count():  # e.g. UNTIL before the start, or BYDAY=MO;BYMONTHDAY=31;BYSETPOS=5
        raise RuleError(str(NEVER_HAPPENS))
    last = rule[-1]
    if last.astimezone(UTC) > start.astimezone(UTC) + dt.timedelta(days=366 * MAX_YEARS):
        raise RuleError(str(TOO_LONG % {"years": MAX_YEARS}))
    if rule.count() > MAX_COUNT:
        raise RuleError(str(TOO_MANY % {"limit": MAX_COUNT}))
    return normalised


def build(text: str, start: dt.datetime, time_zone: str) -> dateutil_rrule.rrule:
    """The dateutil rule, anchored at the local start time in the activity's zone."""
    local_start = start.astimezone(zone(time_zone))
    try:
        rule = dateutil_rrule.rrulestr(text, dtstart=local_start, cache=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise RuleError(str(NOT_A_RULE)) from exc
    if not isinstance(rule, dateutil_rrule.rrule):
        raise RuleError(str(NOT_A_RULE))
    return rule


def _length(activity: Activity) -> dt.timedelta:
    if activity.start is not None and activity.end is not None:
        return activity.end - activity.start
    return dt.timedelta(0)


def series_end(activity: Activity) -> dt.datetime | None:
    """When the last occurrence ends: what a calendar range query compares with."""
    if activity.start is None:
        return None
    if not activity.rrule:
        return activity.end or activity.start
    rule = build(activity.rrule, activity.start, activity.time_zone)
    last = rule[-1] if rule.count() else activity.start
    return last.astimezone(UTC) + _length(activity)


@dataclass(frozen=True)
class Occurrence:
    """One happening of an activity (the activity itself when it does not recur)."""

    activity: Activity
    start: dt.datetime  # aware, UTC
    end: dt.datetime | None

    @property
    def recurring(self) -> bool:
        return bool(self.activity.rrule)


def occurrences(activity: Activity, range_start: dt.datetime, range_end: dt.datetime) -> list[Occurrence]:
    """The occurrences that overlap [range_start, range_end), in order."""
    if activity.start is None:
        return []
    length = _length(activity)
    if not activity.rrule:
        end = activity.end
        if activity.start < range_end and (end or activity.start) >= range_start:
            return [Occurrence(activity, activity.start, end)]
        return []
    try:
        rule = build(activity.rrule, activity.start, activity.time_zone)
    except RuleError:
        return [Occurrence(activity, activity.start, activity.end)]
    found = []
    for local in rule.between(range_start - length, range_end, inc=True):
        start = local.astimezone(UTC)
        end = start + length if activity.end is not None else None
        if start < range_end and (end or start) >= range_start:
            found.append(Occurrence(activity, start, end))
    return found
