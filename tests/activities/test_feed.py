"""The internet calendar: `/calendar/<token>.ics` read by two independent parsers (icalendar and
vobject) with every event checked against the database; ETag and 304; revoked and unknown tokens
answer 404; one `.ics` per activity, for those who may see it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import icalendar
import pytest
import vobject
from django.test import Client
from django.utils import timezone

from rapport.activities.models import Activity
from rapport.activities.services import (
    activity_cancel,
    activity_record_outcome,
    activity_update,
    feed_token,
    feed_token_regenerate,
)
from rapport.activities.views import FEED_DAYS_AHEAD, FEED_DAYS_BACK
from tests.activities.conftest import activity_type, plan
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
HOST = "testserver"


@pytest.fixture
def diary(rated) -> dict[str, Activity]:
    """The salesperson's activities: recent, recurring, all-day, a task, a cancelled one, and two
    outside the window; plus a colleague's (never in this feed)."""
    sp = rated.salesperson
    now = timezone.now().astimezone(WARSAW).replace(minute=0, second=0, microsecond=0)
    account = AccountFactory.create(owner=sp)
    lead = LeadFactory.create(owner=sp)
    items = {
        "meeting": plan(
            sp,
            subject="Demo at Acme",
            start=now + dt.timedelta(days=2),
            end=now + dt.timedelta(days=2, hours=1),
            location="Gdańsk, ul. Długa 1",
            related_type="account",
            related_id=account.pk,
            reminder_minutes=30,
            description="Bring the samples.",
        ),
        "weekly": plan(
            sp,
            subject="Pipeline review",
            start=dt.datetime.combine(now.date() - dt.timedelta(days=30), dt.time(9), tzinfo=WARSAW),
            rrule="FREQ=WEEKLY;COUNT=20",
        ),
        "all_day": plan(sp, subject="Trade fair", start=now + dt.timedelta(days=10), all_day=True),
        "task": plan(
            sp,
            type=activity_type("task").pk,
            subject="Prepare the offer",
            start=None,
            due_date=(now + dt.timedelta(days=3)).date(),
            related_type="lead",
            related_id=lead.pk,
        ),
        "done": plan(sp, subject="Intro call", type=activity_type("call").pk, start=now - dt.timedelta(days=5)),
        "cancelled": plan(sp, subject="Lunch", start=now + dt.timedelta(days=4)),
        "too_old": plan(sp, subject="Ancient", start=now - dt.timedelta(days=FEED_DAYS_BACK + 5)),
        "too_far": plan(sp, subject="Far away", start=now + dt.timedelta(days=FEED_DAYS_AHEAD + 5)),
    }
    activity_record_outcome(actor=sp, activity_id=items["done"].pk, outcome_code="successful", outcome_text="Keen")
    activity_cancel(actor=sp, activity_id=items["cancelled"].pk)
    plan(rated.colleague, subject="Colleague's meeting", start=now + dt.timedelta(days=1))
    return {key: Activity.objects.get(pk=a.pk) for key, a in items.items()}


def _feed(client: Client, user: Any, **headers: str) -> Any:
    return client.get(f"/calendar/{feed_token(actor=user)}.ics", headers=headers)


EXPECTED = ("meeting", "weekly", "all_day", "task", "done", "cancelled")


def _as_utc(value: Any) -> Any:
    return value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value


def test_icalendar_reads_every_event_as_in_the_database(rated, diary):
    response = _feed(Client(), rated.salesperson)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.content)
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {"Europe/Warsaw"}
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"activity-{diary[key].pk}@{HOST}" for key in EXPECTED}
    for key in EXPECTED:
        activity = diary[key]
        event = events[f"activity-{activity.pk}@{HOST}"]
        assert str(event["SUMMARY"]) == activity.subject
        start = event.decoded("DTSTART")
        if activity.start is None:
            assert start == activity.due_date
        elif activity.all_day:
            assert start == activity.start.astimezone(WARSAW).date()
            assert event.decoded("DTEND") == activity.end.astimezone(WARSAW).date()
        else:
            assert str(event["DTSTART"].params["TZID"]) == "Europe/Warsaw"
            assert _as_utc(start) == activity.start
            assert _as_utc(event.decoded("DTEND")) == activity.end
        assert str(event["STATUS"]) == ("CANCELLED" if activity.status == "cancelled" else "CONFIRMED")
    meeting = events[f"activity-{diary['meeting'].pk}@{HOST}"]
    assert str(meeting["URL"]) == f"http://{HOST}/accounts/{diary['meeting'].related_id}/"
    assert str(meeting["LOCATION"]) == "Gdańsk, ul. Długa 1"
    assert [a.decoded("TRIGGER") for a in meeting.walk("VALARM")] == [dt.timedelta(minutes=-30)]
    weekly = events[f"activity-{diary['weekly'].pk}@{HOST}"]
    assert weekly["RRULE"].to_ical() in (diary["weekly"].rrule.encode(), diary["weekly"].rrule)
    task = events[f"activity-{diary['task'].pk}@{HOST}"]
    assert str(task["URL"]) == f"http://{HOST}/leads/{diary['task'].related_id}/"
    assert "Keen" in str(events[f"activity-{diary['done'].pk}@{HOST}"]["DESCRIPTION"])


def test_vobject_reads_the_same_events(rated, diary):
    response = _feed(Client(), rated.salesperson)
    cal = vobject.readOne(bytes(response.content).decode())
    events = {e.uid.value: e for e in cal.vevent_list}
    assert set(events) == {f"activity-{diary[key].pk}@{HOST}" for key in EXPECTED}
    for key in EXPECTED:
        activity = diary[key]
        event = events[f"activity-{activity.pk}@{HOST}"]
        assert event.summary.value == activity.subject
        start = event.dtstart.value
        if activity.start is None:
            assert start == activity.due_date
        elif activity.all_day:
            assert start == activity.start.astimezone(WARSAW).date()
        else:
            assert start.tzinfo is not None and _as_utc(start) == activity.start
            assert _as_utc(event.dtend.value) == activity.end
    weekly = events[f"activity-{diary['weekly'].pk}@{HOST}"]
    assert weekly.rrule.value == diary["weekly"].rrule
    # vobject expands the rule itself: every occurrence at 09:00 Warsaw time, whatever the season.
    occurrences = list(weekly.getrruleset())
    assert len(occurrences) == 20
    assert {o.astimezone(WARSAW).time() for o in occurrences} == {dt.time(9, 0)}


def test_etag_and_not_modified(rated, diary):
    client = Client()
    first = _feed(client, rated.salesperson)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "private, no-cache"
    again = _feed(client, rated.salesperson, If_None_Match=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    activity_update(actor=rated.salesperson, activity_id=diary["meeting"].pk, subject="Demo, moved")
    changed = _feed(client, rated.salesperson, If_None_Match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert b"Demo\\, moved" in changed.content  # a comma is escaped in iCalendar text


def test_unknown_and_revoked_tokens_answer_404(rated, diary):
    client = Client()
    old = feed_token(actor=rated.salesperson)
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    new = feed_token_regenerate(actor=rated.salesperson)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    assert client.get("/calendar/cal_nonsense.ics").status_code == 404
    assert client.get("/calendar/whatever.ics").status_code == 404
    rated.salesperson.is_active = False
    rated.salesperson.save()
    assert client.get(f"/calendar/{new}.ics").status_code == 404


def test_one_activity_as_an_ics_download(rated, diary, client_for):
    meeting = diary["meeting"]
    response = client_for(rated.salesperson).get(f"/activities/{meeting.pk}/ics/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="activity-{meeting.pk}.ics"'
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"activity-{meeting.pk}@{HOST}"]
    assert client_for(rated.colleague).get(f"/activities/{meeting.pk}/ics/").status_code == 404
    assert client_for(rated.emea_manager).get(f"/activities/{meeting.pk}/ics/").status_code == 200
    assert Client().get(f"/activities/{meeting.pk}/ics/").status_code == 302  # to the login page
    detail = client_for(rated.salesperson).get(f"/activities/{meeting.pk}/")
    assert detail.status_code == 302 and detail["Location"] == f"/accounts/{meeting.related_id}/"


# token, the user's activities in the window (ETag: timed ones and tasks, read apart), the types (ETag),
# the role's rights, the activities with their types
FEED_QUERIES = 6


@pytest.mark.parametrize("rows", [5, 30])
def test_the_feed_costs_the_same_with_more_activities(rated, rows, django_assert_num_queries):
    start = timezone.now() + dt.timedelta(days=1)
    for i in range(rows):
        plan(rated.salesperson, subject=f"Visit {i}", start=start + dt.timedelta(hours=i), rrule="FREQ=DAILY;COUNT=3")
    token = feed_token(actor=rated.salesperson)
    client = Client()
    with django_assert_num_queries(FEED_QUERIES):
        response = client.get(f"/calendar/{token}.ics")
    assert len(icalendar.Calendar.from_ical(response.content).walk("VEVENT")) == rows
    with django_assert_num_queries(FEED_QUERIES - 2):  # 304: the ETag alone
        assert client.get(f"/calendar/{token}.ics", headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_the_fast_writer_matches_the_icalendar_reference(rated, diary):
    """`ical.calendar` writes the events by hand; `icalendar` reads them exactly as the events the
    package itself builds (`reference_calendar`), long and non-ASCII lines folded on the way."""
    from rapport.activities import ical

    meeting = diary["meeting"]
    meeting.description = "Ząb, żółć; \\ back\nnew line " + "long words " * 20
    activities = [*diary.values(), meeting]

    def absolute(path: str) -> str:
        return f"http://{HOST}{path}"

    fast = ical.calendar(activities, host=HOST, absolute=absolute, name="Feed")
    reference = ical.reference_calendar(activities, host=HOST, absolute=absolute, name="Feed")
    assert all(len(line) <= 75 for line in fast.split(b"\r\n"))

    def events(body: bytes) -> list[dict[str, Any]]:
        cal = icalendar.Calendar.from_ical(body)
        found = []
        for item in cal.walk("VEVENT"):
            values = {key: item.decoded(key) for key in item if key not in ("CATEGORIES", "RRULE")}
            values["CATEGORIES"] = item["CATEGORIES"].to_ical()
            values["RRULE"] = item["RRULE"].to_ical() if "RRULE" in item else None
            values["ALARMS"] = [a.decoded("TRIGGER") for a in item.walk("VALARM")]
            found.append(values)
        return found

    assert events(fast) == events(reference)
    zones = {str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(fast).walk("VTIMEZONE")}
    assert zones == {str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(reference).walk("VTIMEZONE")}
