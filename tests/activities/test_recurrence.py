"""Recurrence: rules checked and normalised when saved, expanded in the activity's zone — a weekly
09:00 meeting in Warsaw stays at 09:00 Warsaw time across the daylight-saving changes."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from rapport.activities import recurrence
from rapport.activities.models import Activity
from rapport.activities.selectors import calendar
from tests.activities.conftest import activity_type, plan

pytestmark = pytest.mark.django_db

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def _local(occurrences) -> list[tuple[dt.date, dt.time]]:
    return [(o.start.astimezone(WARSAW).date(), o.start.astimezone(WARSAW).time()) for o in occurrences]


def test_a_weekly_meeting_keeps_its_local_time_across_the_spring_change(rated):
    # Europe/Warsaw moves from UTC+1 to UTC+2 on Sunday 29 March 2026.
    meeting = plan(
        rated.salesperson,
        start=dt.datetime(2026, 3, 16, 9, 0, tzinfo=WARSAW),
        end=dt.datetime(2026, 3, 16, 10, 0, tzinfo=WARSAW),
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    found = recurrence.occurrences(
        meeting, dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    )
    assert _local(found) == [(dt.date(2026, 3, d), dt.time(9, 0)) for d in (16, 23, 30)] + [
        (dt.date(2026, 4, 6), dt.time(9, 0))
    ]
    assert [o.start.hour for o in found] == [8, 8, 7, 7]  # in UTC: an hour earlier after the change
    assert all(o.end is not None and o.end - o.start == dt.timedelta(hours=1) for o in found)
    stored = Activity.objects.get(pk=meeting.pk)
    assert stored.series_end == dt.datetime(2026, 4, 6, 8, 0, tzinfo=dt.UTC)


def test_and_across_the_autumn_change_through_the_calendar_selector(rated):
    # Back to UTC+1 on Sunday 25 October 2026; the viewer is in New York, it does not matter.
    plan(
        rated.salesperson,
        start=dt.datetime(2026, 10, 19, 9, 0, tzinfo=WARSAW),
        rrule="FREQ=WEEKLY;UNTIL=20261103",
    )
    found = calendar(
        actor=rated.salesperson,
        start=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        end=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    assert _local(found) == [(dt.date(2026, 10, 19), dt.time(9)), (dt.date(2026, 10, 26), dt.time(9)),
                             (dt.date(2026, 11, 2), dt.time(9))]  # fmt: skip
    assert [o.start.astimezone(dt.UTC).hour for o in found] == [7, 8, 8]


def test_only_the_occurrences_in_the_range_are_expanded(rated):
    plan(rated.salesperson, start=dt.datetime(2026, 1, 5, 9, 0, tzinfo=WARSAW), rrule="FREQ=DAILY;COUNT=30")
    found = calendar(
        actor=rated.salesperson,
        start=dt.datetime(2026, 1, 10, tzinfo=WARSAW),
        end=dt.datetime(2026, 1, 13, tzinfo=WARSAW),
    )
    assert [d for d, _t in _local(found)] == [dt.date(2026, 1, d) for d in (10, 11, 12)]
    # A range after the series ends finds nothing (the database filters on series_end).
    assert not calendar(
        actor=rated.salesperson,
        start=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        end=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
    )


def test_monthly_rules_and_tasks_by_due_date(rated):
    plan(
        rated.salesperson,
        type=activity_type("call").pk,
        start=dt.datetime(2026, 1, 31, 10, 0, tzinfo=WARSAW),
        rrule="FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3",
    )
    plan(rated.salesperson, type=activity_type("task").pk, start=None, due_date="2026-02-14", subject="Task")
    found = calendar(
        actor=rated.salesperson,
        start=dt.datetime(2026, 1, 1, tzinfo=WARSAW),
        end=dt.datetime(2026, 4, 1, tzinfo=WARSAW),
    )
    assert [(o.activity.subject, d) for o, (d, _t) in zip(found, _local(found), strict=True)] == [
        ("Kick-off", dt.date(2026, 1, 31)),
        ("Task", dt.date(2026, 2, 14)),
        ("Kick-off", dt.date(2026, 2, 28)),
        ("Kick-off", dt.date(2026, 3, 31)),
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=YEARLY;COUNT=2", recurrence.UNSUPPORTED_FREQUENCY),
        ("FREQ=DAILY", recurrence.RULE_NEEDS_END),
        ("FREQ=DAILY;COUNT=2;UNTIL=20270101", recurrence.RULE_NEEDS_END),
        ("FREQ=DAILY;COUNT=5000", recurrence.TOO_MANY % {"limit": recurrence.MAX_COUNT}),
        ("FREQ=DAILY;UNTIL=20500101", recurrence.TOO_LONG % {"years": recurrence.MAX_YEARS}),
        ("FREQ=DAILY;COUNT=2;BYHOUR=5", recurrence.UNSUPPORTED_PART % {"part": "BYHOUR"}),
        ("FREQ=WEEKLY;COUNT=2;BYDAY=XX", recurrence.NOT_A_RULE),
        ("FREQ=DAILY;UNTIL=tomorrow", recurrence.NOT_A_RULE),
        ("nonsense", recurrence.NOT_A_RULE),
        ("FREQ=DAILY;UNTIL=20250101", recurrence.NEVER_HAPPENS),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=MO;BYSETPOS=5;COUNT=3", recurrence.NEVER_HAPPENS),
    ],
)
def test_rules_that_cannot_be_saved(rule, message):
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=WARSAW)
    with pytest.raises(recurrence.RuleError) as caught:
        recurrence.normalise(rule, start, "Europe/Warsaw")
    assert str(caught.value) == str(message)


def test_rules_are_normalised_with_until_in_utc():
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=WARSAW)
    assert recurrence.normalise("rrule:count=3;freq=weekly;byday=mo", start, "Europe/Warsaw") == (
        "FREQ=WEEKLY;COUNT=3;BYDAY=MO"
    )
    # A date means the end of that day in the activity's zone.
    assert recurrence.normalise("FREQ=DAILY;UNTIL=20260110", start, "Europe/Warsaw") == (
        "FREQ=DAILY;UNTIL=20260110T225959Z"
    )
