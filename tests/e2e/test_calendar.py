"""The calendar in a real browser: click a free slot of the week view to plan a meeting, drag it to
another day, then open it and record its outcome with the next step — each checked in the database."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest

from rapport.activities.models import Activity, ActivityStatus, ActivityType
from rapport.activities.services import activity_create
from tests.e2e.support import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WARSAW_WINTER = dt.timezone(dt.timedelta(hours=1))
WEEK = "2030-01-14"  # a Monday


def settled(page: Any) -> None:
    """Wait until the browser has no request in flight: the live server thread shares the in-memory
    SQLite connection with the test, so the test reads the database only while the server is idle."""
    page.wait_for_load_state("networkidle")


def drag_to(page: Any, source: Any, target_column: Any) -> None:
    """Press on the event, move in steps to the same height in another day's column, release."""
    box = source.bounding_box()
    column = target_column.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + min(8, box["height"] / 2)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 2, steps=3)
    page.mouse.move(column["x"] + column["width"] / 2, y, steps=12)
    page.mouse.up()


@pytest.fixture
def warsaw(org: Any) -> Any:
    org.salesperson.time_zone = "Europe/Warsaw"
    org.salesperson.save()
    return org


def moved_in_database(activity: Activity, start_before: Any, seconds: float = 5.0) -> Activity:
    """The activity as the database has it once its start changed (or after `seconds`): on PostgreSQL
    the live server writes through its own connection, and its commit may land a moment after the
    page shows the move."""
    deadline = time.monotonic() + seconds
    while True:
        activity.refresh_from_db()
        if activity.start != start_before or time.monotonic() > deadline:
            return activity
        time.sleep(0.05)


def test_plan_by_clicking_a_slot_drag_to_another_day_and_record_the_outcome(
    page: Any, live_server: Any, warsaw: Any
) -> None:
    base = live_server.url
    sign_in(page, base, warsaw.salesperson.email)
    page.goto(f"{base}/calendar/?view=week&date={WEEK}")
    tuesday = page.locator('.cal-col[data-date="2030-01-15"]')
    thursday = page.locator('.cal-col[data-date="2030-01-17"]')
    page.locator(".cal-grid.is-laid-out").wait_for()
    shot(page, "calendar-01-week")

    # A click on Tuesday's 10:00 slot opens the form with that time filled in.
    slot = tuesday.locator('.cal-slot[data-slot="10:00"]')
    slot.scroll_into_view_if_needed()
    slot.click()
    dialog = page.locator("dialog#activity-dialog[open]")
    dialog.wait_for()
    assert dialog.locator("input[name=start]").input_value() == "2030-01-15T10:00"
    dialog.locator("select[name=type]").select_option(label="Meeting")
    dialog.locator("input[name=subject]").fill("Demo at the dairy")
    dialog.locator("input[name=location]").fill("Łowicz")
    shot(page, "calendar-02-new")
    dialog.get_by_role("button", name="Plan").click()

    # The dialog closes and the calendar reloads with the meeting on Tuesday.
    page.locator("dialog#activity-dialog[open]").wait_for(state="detached")
    event = tuesday.locator(".cal-event", has_text="Demo at the dairy")
    event.wait_for()
    settled(page)
    meeting = Activity.objects.get(subject="Demo at the dairy")
    assert meeting.owner == warsaw.salesperson
    assert meeting.start == dt.datetime(2030, 1, 15, 10, 0, tzinfo=WARSAW_WINTER)
    assert meeting.location == "Łowicz"
    planned_start = meeting.start

    # Drag it to Thursday at the same time.
    event.scroll_into_view_if_needed()
    drag_to(page, event, thursday)
    moved = thursday.locator(".cal-event", has_text="Demo at the dairy")
    moved.wait_for()
    page.locator("#calendar-feedback .alert-success").wait_for()
    settled(page)
    meeting = moved_in_database(meeting, planned_start)
    assert meeting.start is not None and planned_start is not None
    assert (meeting.start.date() - planned_start.date()).days >= 1
    assert meeting.start.astimezone(WARSAW_WINTER).date() == dt.date(2030, 1, 17)
    assert meeting.end is not None and meeting.end - meeting.start == dt.timedelta(minutes=60)
    shot(page, "calendar-03-moved")

    # Open it, mark it done with a result, and plan the next step in the same dialog.
    page.locator("#calendar-feedback").evaluate("box => box.innerHTML = ''")
    thursday.locator(".cal-event", has_text="Demo at the dairy").click()
    dialog.wait_for()
    dialog.get_by_role("link", name="Mark done…").click()
    dialog.locator("select[name=outcome_code]").wait_for()
    dialog.locator("select[name=outcome_code]").select_option("successful")
    dialog.locator("textarea[name=outcome_text]").fill("They want a quote for two lines.")
    dialog.locator("input[name=plan_next]").check()
    dialog.locator("input[name=next_subject]").fill("Send the quote")
    dialog.locator("input[name=next_start]").fill("2030-01-21T09:00")
    shot(page, "calendar-04-outcome")
    dialog.get_by_role("button", name="Mark done").click()
    page.locator("dialog#activity-dialog[open]").wait_for(state="detached")
    page.locator("#calendar-feedback .alert-success").wait_for()
    settled(page)
    meeting.refresh_from_db()
    assert meeting.status == ActivityStatus.DONE
    assert meeting.outcome_code == "successful"
    assert meeting.outcome_text == "They want a quote for two lines."
    following = Activity.objects.get(subject="Send the quote")
    assert following.owner == warsaw.salesperson
    assert following.start == dt.datetime(2030, 1, 21, 9, 0, tzinfo=WARSAW_WINTER)
    shot(page, "calendar-05-done")


@pytest.mark.parametrize("view", ["week", "month", "day"])
def test_on_a_phone_the_calendar_fits_the_screen(browser: Any, live_server: Any, warsaw: Any, view: str) -> None:
    """At 390 px the week reads as a list of days, the month keeps seven narrow columns, nothing
    sticks out sideways."""
    meeting = ActivityType.objects.get(code="meeting")
    for day in (14, 16, 19):
        activity_create(
            actor=warsaw.salesperson,
            type=meeting.pk,
            subject=f"Visit on the {day}th",
            start=dt.datetime(2030, 1, day, 10, tzinfo=WARSAW_WINTER),
        )
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB", has_touch=True)
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    try:
        sign_in(phone, live_server.url, warsaw.salesperson.email)
        phone.goto(f"{live_server.url}/calendar/?view={view}&date={WEEK}")
        phone.locator(".cal-event", has_text="Visit on the 14th").first.wait_for()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        event = phone.locator(".cal-event", has_text="Visit on the 14th").first.bounding_box()
        assert event["x"] >= 0 and event["x"] + event["width"] <= 390
        if view == "week":
            headings = phone.locator(".cal-allday .cal-col-day")
            assert headings.first.is_visible() and headings.count() == 7
            wednesday = phone.locator('.cal-col[data-date="2030-01-16"] .cal-event').bounding_box()
            assert wednesday["y"] > event["y"]  # the days are stacked, Monday above Wednesday
        shot(phone, f"calendar-phone-{view}")
    finally:
        context.close()


def test_resize_by_the_bottom_edge_and_a_refused_move_snaps_back(page: Any, live_server: Any, warsaw: Any) -> None:
    meeting_type = ActivityType.objects.get(code="meeting")
    long_one = activity_create(
        actor=warsaw.salesperson,
        type=meeting_type.pk,
        subject="Workshop",
        start=dt.datetime(2030, 1, 15, 9, tzinfo=WARSAW_WINTER),
    )
    doomed = activity_create(
        actor=warsaw.salesperson,
        type=meeting_type.pk,
        subject="Doomed",
        start=dt.datetime(2030, 1, 16, 9, tzinfo=WARSAW_WINTER),
    )
    sign_in(page, live_server.url, warsaw.salesperson.email)
    page.goto(f"{live_server.url}/calendar/?view=week&date={WEEK}")
    page.locator(".cal-grid.is-laid-out").wait_for()

    # Drag the bottom edge of the 09:00-10:00 workshop down by an hour.
    event = page.locator(".cal-event", has_text="Workshop")
    event.scroll_into_view_if_needed()
    box = event.bounding_box()
    hour = page.locator('.cal-col[data-date="2030-01-15"] .cal-slot').first.bounding_box()["height"] * 2
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + hour / 2, steps=5)
    page.mouse.move(x, y + hour, steps=5)
    page.mouse.up()
    page.locator("#calendar-feedback .alert-success").wait_for()
    settled(page)
    long_one.refresh_from_db()
    assert long_one.end == dt.datetime(2030, 1, 15, 11, tzinfo=WARSAW_WINTER)
    assert long_one.start == dt.datetime(2030, 1, 15, 9, tzinfo=WARSAW_WINTER)

    # Someone deletes "Doomed" meanwhile: the move is refused, said so, and the event goes back.
    settled(page)
    Activity.objects.filter(pk=doomed.pk).delete()
    page.locator("#calendar-feedback").evaluate("box => box.innerHTML = ''")
    wednesday = page.locator('.cal-col[data-date="2030-01-16"]')
    doomed_event = wednesday.locator(".cal-event", has_text="Doomed")
    drag_to(page, doomed_event, page.locator('.cal-col[data-date="2030-01-18"]'))
    page.locator("#calendar-feedback .alert-error").wait_for()
    assert "could not be moved" in page.locator("#calendar-feedback").inner_text()
    assert wednesday.locator(".cal-event", has_text="Doomed").count() == 1
    assert page.locator('.cal-col[data-date="2030-01-18"] .cal-event').count() == 0
