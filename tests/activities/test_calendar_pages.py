"""The calendar pages: each view shows the occurrences of the chosen calendar (me, a colleague, a team)
as far as the viewer's scope reaches, recurring activities expanded, tasks in the all-day row, times
in the viewer's zone; someone outside the scope is a 404; the week and month read in a fixed number
of queries however many events they show."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rapport.activities.models import Activity
from rapport.activities.selectors_calendar import shift, view_days
from tests.activities.conftest import WARSAW, activity_type, plan

pytestmark = pytest.mark.django_db

MONDAY = "2026-01-12"
VIEWS = ("day", "week", "month", "year", "agenda")


def page(client: Any, **params: str) -> Any:
    query = "&".join(f"{key}={value}" for key, value in {"date": MONDAY, **params}.items())
    return client.get(f"/calendar/?{query}")


def subjects(response: Any) -> set[str]:
    """The activities the page draws (every occurrence of every day it shows)."""
    assert response.status_code == 200
    if response.context["view"] == "agenda":
        return {event.activity.subject for _day, events in response.context["agenda"] for event in events}
    return {event.activity.subject for day in response.context["days"] for event in day.events}


@pytest.fixture
def diaries(rated: Any) -> dict[str, Activity]:
    """One Monday 09:00 (Warsaw) meeting each, named after its owner."""
    return {
        name: plan(getattr(rated, name), subject=name)
        for name in ("salesperson", "colleague", "emea_manager", "other_salesperson")
    }


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_shows_my_own_activities_only(rated, diaries, client_for, view):
    response = page(client_for(rated.salesperson), view=view)
    assert subjects(response) == {"salesperson"}
    assert response.context["nav_section"] == "calendar"


@pytest.mark.parametrize(
    ("viewer", "who", "sees"),
    [
        ("emea_manager", "colleague", {"colleague"}),
        ("emea_manager", "salesperson", {"salesperson"}),
        ("executive", "other_salesperson", {"other_salesperson"}),
        ("admin", "colleague", {"colleague"}),
    ],
)
@pytest.mark.parametrize("view", ("week", "month"))
def test_a_colleagues_calendar_within_the_viewers_scope(rated, diaries, client_for, viewer, who, sees, view):
    colleague = getattr(rated, who)
    assert subjects(page(client_for(getattr(rated, viewer)), view=view, who=f"u{colleague.pk}")) == sees


@pytest.mark.parametrize(
    ("viewer", "who"),
    [
        ("salesperson", "colleague"),
        ("colleague", "salesperson"),
        ("salesperson", "emea_manager"),
        ("emea_manager", "other_salesperson"),
        ("other_salesperson", "salesperson"),
    ],
)
def test_a_colleague_outside_the_scope_is_a_404(rated, diaries, client_for, viewer, who):
    response = page(client_for(getattr(rated, viewer)), view="week", who=f"u{getattr(rated, who).pk}")
    assert response.status_code == 404
    assert who.encode() not in response.content


def test_team_calendars_follow_the_scope(rated, diaries, client_for):
    manager = client_for(rated.emea_manager)
    assert subjects(page(manager, who=f"t{rated.emea.pk}")) == {"salesperson", "colleague", "emea_manager"}
    assert subjects(page(manager, who=f"t{rated.poland.pk}")) == {"salesperson", "colleague"}
    assert page(manager, who=f"t{rated.americas.pk}").status_code == 404
    # A salesperson sees only their own activities: no team calendar to open.
    assert page(client_for(rated.salesperson), who=f"t{rated.poland.pk}").status_code == 404
    executive = page(client_for(rated.executive), who=f"t{rated.company.pk}")
    assert subjects(executive) == {"salesperson", "colleague", "emea_manager", "other_salesperson"}


def test_the_selector_lists_only_people_and_teams_in_scope(rated, diaries, client_for):
    alone = page(client_for(rated.salesperson))
    assert alone.context["people"] == [] and alone.context["teams"] == []
    manager = page(client_for(rated.emea_manager))
    assert {u.pk for u in manager.context["people"]} == {rated.salesperson.pk, rated.colleague.pk}
    assert {t.pk for t in manager.context["teams"]} == {rated.emea.pk, rated.poland.pk}
    assert f'value="u{rated.colleague.pk}"'.encode() in manager.content
    assert f'value="u{rated.other_salesperson.pk}"'.encode() not in manager.content


@pytest.mark.parametrize("who", ["x", "u", "uabc", "u-1", "t", "t99999999999999999999", "u99999999", "me;drop"])
def test_bad_calendar_names_are_404s_not_errors(rated, client_for, who):
    assert page(client_for(rated.emea_manager), who=who).status_code == 404


@pytest.mark.parametrize(
    ("param", "value"), [("view", "fortnight"), ("date", "2026-13-45"), ("date", "soon"), ("page", "x")]
)
def test_bad_parameters_fall_back_rather_than_fail(rated, diaries, client_for, param, value):
    response = client_for(rated.salesperson).get(f"/calendar/?{param}={value}")
    assert response.status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/calendar/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- what is drawn where ---------------------------------------------------------------------------


def test_recurring_activities_are_expanded_in_the_range(rated, client_for):
    plan(rated.salesperson, subject="Weekly sync", rrule="FREQ=WEEKLY;COUNT=5")
    client = client_for(rated.salesperson)
    month = page(client, view="month")
    days = [day.date for day in month.context["days"] for event in day.events]
    # The grid runs from Monday 29 December to Sunday 1 February: the 12th, 19th and 26th.
    assert days == [dt.date(2026, 1, 12), dt.date(2026, 1, 19), dt.date(2026, 1, 26)]
    later = page(client, view="week", date="2026-02-04")
    (event,) = [e for day in later.context["days"] for e in day.events]
    assert event.recurring and event.start.date() == dt.date(2026, 2, 2)
    assert b"moves the whole series" in later.content
    assert subjects(page(client, view="week", date="2026-02-16")) == set()


def test_tasks_and_all_day_activities_sit_in_the_all_day_row(rated, client_for):
    plan(rated.salesperson, subject="Send the offer", type=activity_type("task").pk, start=None, due_date="2026-01-14")
    plan(
        rated.salesperson,
        subject="Trade fair",
        start=dt.datetime(2026, 1, 15, tzinfo=WARSAW),
        end=dt.datetime(2026, 1, 17, tzinfo=WARSAW),
        all_day=True,
    )
    plan(rated.salesperson, subject="Call", start=dt.datetime(2026, 1, 13, 11, 30, tzinfo=WARSAW))
    response = page(client_for(rated.salesperson), view="week")
    by_day = {day.date.day: day for day in response.context["days"]}
    assert [e.activity.subject for e in by_day[14].all_day] == ["Send the offer"]
    assert [e.activity.subject for e in by_day[15].all_day] == ["Trade fair"]
    assert [e.activity.subject for e in by_day[16].all_day] == ["Trade fair"]
    assert by_day[17].all_day == []
    (call,) = by_day[13].timed
    # Without an end it lasts its type's default duration (a meeting: an hour).
    assert (call.top, call.bottom) == (11 * 60 + 30, 11 * 60 + 30 + activity_type("meeting").default_duration)


def test_times_are_shown_in_the_viewers_zone(rated, diaries, client_for):
    """The salesperson's 09:00 in Warsaw is 08:00 for a manager who reads in UTC."""
    rated.emea_manager.time_zone = "UTC"
    rated.emea_manager.save()
    mine = page(client_for(rated.salesperson), view="day")
    (event,) = mine.context["days"][0].timed
    assert event.top == 9 * 60 and b"09:00" in mine.content
    theirs = page(client_for(rated.emea_manager), view="day", who=f"u{rated.salesperson.pk}")
    (event,) = theirs.context["days"][0].timed
    assert event.top == 8 * 60 and b"08:00" in theirs.content


def test_an_evening_meeting_over_midnight_is_drawn_on_both_days(rated, client_for):
    plan(
        rated.salesperson,
        subject="Night shift",
        start=dt.datetime(2026, 1, 13, 22, tzinfo=WARSAW),
        end=dt.datetime(2026, 1, 14, 2, tzinfo=WARSAW),
    )
    days = {d.date.day: d for d in page(client_for(rated.salesperson), view="week").context["days"]}
    assert [(e.top, e.bottom) for e in days[13].timed] == [(22 * 60, 24 * 60)]
    assert [(e.top, e.bottom) for e in days[14].timed] == [(0, 2 * 60)]


def test_types_are_coloured_and_slots_link_to_a_prefilled_form(rated, diaries, client_for):
    response = page(client_for(rated.salesperson), view="week")
    meeting = activity_type("meeting")
    assert f".cal-type-{meeting.pk} {{ --type: {meeting.colour}; }}".encode() in response.content
    assert b'href="/activities/new/?start=2026-01-14T10:30&amp;who=me"' in response.content
    assert b"data-movable" in response.content


def test_read_only_viewers_get_neither_slots_nor_drag_handles(rated, diaries, client_for):
    response = page(client_for(rated.executive), view="week", who=f"u{rated.salesperson.pk}")
    assert subjects(response) == {"salesperson"}
    assert b"cal-slot" not in response.content and b"data-movable" not in response.content


def test_the_year_counts_each_days_activities(rated, client_for):
    plan(rated.salesperson, subject="Daily", rrule="FREQ=DAILY;COUNT=3")
    response = page(client_for(rated.salesperson), view="year")
    january = response.context["months"][0]
    counts = {day: count for week in january.weeks for day, count, inside in week if inside and count}
    assert counts == {dt.date(2026, 1, 12): 1, dt.date(2026, 1, 13): 1, dt.date(2026, 1, 14): 1}


def test_the_agenda_is_paginated(rated, client_for):
    plan(rated.salesperson, subject="Stand-up", rrule="FREQ=DAILY;COUNT=60")
    client = client_for(rated.salesperson)
    first = page(client, view="agenda")
    assert first.context["agenda_total"] == 60 and first.context["agenda_pages"] == 2
    assert sum(len(events) for _day, events in first.context["agenda"]) == 50
    second = page(client, view="agenda", page="2")
    assert sum(len(events) for _day, events in second.context["agenda"]) == 10
    assert page(client, view="agenda", page="99").context["agenda_page"] == 2


def test_an_htmx_reload_gets_only_the_calendar_body(rated, diaries, client_for):
    response = client_for(rated.salesperson).get(
        f"/calendar/?view=week&date={MONDAY}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="calendar"
    )
    assert response.status_code == 200
    assert b"<html" not in response.content and b"cal-grid" in response.content


@pytest.mark.parametrize(
    ("view", "first", "after_last"),
    [
        ("day", "2026-01-14", "2026-01-15"),
        ("week", "2026-01-12", "2026-01-19"),
        ("month", "2025-12-29", "2026-02-02"),
        ("year", "2026-01-01", "2027-01-01"),
    ],
)
def test_view_ranges(view, first, after_last):
    assert view_days(view, dt.date(2026, 1, 14)) == (dt.date.fromisoformat(first), dt.date.fromisoformat(after_last))


def test_navigation_steps():
    assert shift("month", dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert shift("month", dt.date(2026, 1, 15), -1) == dt.date(2025, 12, 15)
    assert shift("year", dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)
    assert shift("week", dt.date(2026, 1, 14), -1) == dt.date(2026, 1, 7)


# --- query counts ------------------------------------------------------------------------------------

#: session, user, role rights, team paths, the team, people, teams, activities (with their types), the
#: legend's types, the unread notifications: pinned, so that an N+1 (owners, types, participants) fails here.
WEEK_QUERIES = 10
MONTH_QUERIES = 10


@pytest.fixture
def busy_team(rated: Any) -> None:
    """A team week with many events: 40 single ones and 6 daily series for each of two salespeople."""
    for owner in (rated.salesperson, rated.colleague):
        for index in range(40):
            plan(
                owner,
                subject=f"Visit {index}",
                start=dt.datetime(2026, 1, 12 + index % 7, 8 + index % 9, tzinfo=WARSAW),
            )
        for index in range(6):
            plan(
                owner,
                subject=f"Series {index}",
                rrule="FREQ=DAILY;COUNT=40",
                start=dt.datetime(2026, 1, 1, 7 + index, tzinfo=WARSAW),
            )


@pytest.mark.parametrize(("view", "limit"), [("week", WEEK_QUERIES), ("month", MONTH_QUERIES)])
def test_the_team_calendar_reads_in_a_fixed_number_of_queries(
    rated, busy_team, client_for, django_assert_max_num_queries, view, limit
):
    client = client_for(rated.emea_manager)
    page(client, view=view, who=f"t{rated.emea.pk}")  # the session and caches warm up
    with django_assert_max_num_queries(limit):
        response = page(client, view=view, who=f"t{rated.emea.pk}")
    shown = sum(len(day.events) for day in response.context["days"])
    assert shown >= (2 * (40 + 6 * 7) if view == "week" else 2 * (40 + 6 * 32))


def test_the_calendar_speaks_polish(rated, diaries, client_for):
    rated.salesperson.language = "pl"
    rated.salesperson.save()
    content = page(client_for(rated.salesperson), view="week").content.decode()
    assert "Kalendarz" in content and "Tydzień" in content and "Mój kalendarz" in content
    assert "Kliknij wolne pole" in content


def test_an_all_day_activity_keeps_its_days_for_a_viewer_in_another_zone(rated, client_for):
    plan(rated.salesperson, subject="Trade fair", start=dt.datetime(2026, 1, 15, tzinfo=WARSAW), all_day=True)
    rated.emea_manager.time_zone = "America/New_York"
    rated.emea_manager.save()
    response = page(client_for(rated.emea_manager), view="week", who=f"u{rated.salesperson.pk}")
    assert [day.date.day for day in response.context["days"] if day.all_day] == [15]


@pytest.mark.parametrize("view", ("week", "month", "agenda"))
def test_hostile_subjects_and_places_are_shown_as_text(rated, client_for, view):
    plan(
        rated.salesperson,
        subject='<script>alert("x")</script>',
        location='" onmouseover="alert(1)',
        start=dt.datetime(2026, 1, 13, 10, 0, tzinfo=WARSAW),
    )
    html = page(client_for(rated.salesperson), view=view).content.decode()
    assert '<script>alert("x")</script>' not in html and 'onmouseover="alert' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    if view != "agenda":  # the agenda's own column gives the time
        assert '<span class="cal-event-time">10:00' in html  # Warsaw time, for a Warsaw viewer
