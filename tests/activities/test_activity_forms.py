"""The calendar's dialogs and gestures through their endpoints: plan an activity (a slot pre-fills the
form), change it, record its outcome with the next step, cancel and delete it (asking first), and
move or resize it by dragging (`activity_move`) — with the services' refusals on the fields, never a
500, and nobody reaching an activity they may not see."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from rapport.activities.forms import rrule_text
from rapport.activities.models import Activity, ActivityStatus
from rapport.activities.services.activities import END_BEFORE_START, UNKNOWN_RELATED
from rapport.activities.services.calendar import activity_move
from rapport.core.errors import ActionNotAllowed, InvalidInput, RecordNotFound
from tests.activities.conftest import WARSAW, activity_type, plan
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "activity-dialog-body"}
WARSAW_SUMMER = dt.timezone(dt.timedelta(hours=2))


def new(**fields: Any) -> dict[str, Any]:
    data = {"type": activity_type("meeting").pk, "subject": "Demo", "start": "2026-01-14T10:00"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def errors(response: Any) -> dict[str, list[str]]:
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


# --- plan ------------------------------------------------------------------------------------------------


def test_a_slot_prefills_the_form(rated, client_for):
    client = client_for(rated.salesperson)
    form = client.get("/activities/new/?start=2026-01-14T10:30", **HTMX).context["form"]
    assert form.initial["start"] == dt.datetime(2026, 1, 14, 10, 30, tzinfo=WARSAW)
    assert "owner" not in form.fields  # only oneself to plan for
    day = client.get("/activities/new/?date=2026-01-14").context["form"]
    assert day.initial["start"].hour == 9 and not day.initial.get("all_day")
    all_day = client.get("/activities/new/?date=2026-01-14&all_day=1").context["form"]
    assert all_day.initial["all_day"] is True
    assert client.get("/activities/new/?start=yesterday-ish").status_code == 200


def test_planning_from_the_dialog(rated, client_for):
    response = client_for(rated.salesperson).post("/activities/new/", new(location="Łowicz"), **HTMX)
    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"])["activitySaved"]["message"] == "“Demo” is planned."
    activity = Activity.objects.get()
    assert activity.owner == rated.salesperson and activity.location == "Łowicz"
    assert activity.start == dt.datetime(2026, 1, 14, 10, tzinfo=WARSAW)  # read in the user's zone
    assert activity.end == dt.datetime(2026, 1, 14, 11, tzinfo=WARSAW)  # the meeting's hour


def test_planning_from_a_full_page_redirects_to_the_week(rated, client_for):
    response = client_for(rated.salesperson).post("/activities/new/", new())
    assert response.status_code == 302
    assert response["Location"].startswith("/calendar/")


def test_the_repetition_becomes_an_rrule(rated, client_for):
    client = client_for(rated.salesperson)
    client.post("/activities/new/", new(repeat="WEEKLY", repeat_interval="2", repeat_count="4"), **HTMX)
    assert Activity.objects.get().rrule == "FREQ=WEEKLY;INTERVAL=2;COUNT=4"
    assert rrule_text("MONTHLY", 1, dt.date(2026, 6, 30), None) == "FREQ=MONTHLY;UNTIL=20260630"
    assert rrule_text("", 3, None, 5) == ""


def test_a_related_record_and_participants(rated, client_for):
    account = AccountFactory.create(owner=rated.salesperson, name="Mleczarnia")
    data = new(related_type="account", related_id=str(account.pk), participant_users=[rated.colleague.pk])
    assert client_for(rated.salesperson).post("/activities/new/", data, **HTMX).status_code == 204
    activity = Activity.objects.get()
    assert (activity.related_type, activity.related_id) == ("account", account.pk)
    assert list(activity.participant_users.all()) == [rated.colleague]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"subject": ""}, "subject", "This field is required."),
        ({"start": "", "due_date": ""}, "start", "Give a start time or a due date."),
        ({"end": "2026-01-14T09:00"}, "end", str(END_BEFORE_START)),
        ({"repeat": "WEEKLY"}, "repeat_until", "Say when it stops: on a date or after a number of times."),
        ({"repeat": "DAILY", "repeat_until": "2026-02-01", "repeat_count": "3"}, "repeat_count", None),
        ({"repeat": "DAILY", "repeat_until": "2040-01-01"}, "repeat", "A rule may repeat for at most 10 years."),
        ({"repeat": "DAILY", "repeat_until": "2025-01-01"}, "repeat", None),
        ({"related_type": "account"}, "related_id", None),
        ({"related_type": "account", "related_id": "999999"}, "related_id", str(UNKNOWN_RELATED)),
        ({"related_type": "account", "related_id": "abc"}, "related_id", str(UNKNOWN_RELATED)),
        ({"type": "abc"}, "type", None),
        ({"start": "tomorrow at noon"}, "start", None),
        ({"reminder_minutes": "-5"}, "reminder_minutes", None),
        ({"participant_users": ["x"]}, "participant_users", None),
        ({"repeat": "HOURLY", "repeat_count": "2"}, "repeat", None),
    ],
)
def test_refusals_are_shown_on_the_form_and_save_nothing(rated, client_for, fields, field, message):
    client = client_for(rated.salesperson)
    response = client.post("/activities/new/", new(**fields), **HTMX)
    assert response.status_code == 200  # htmx swaps the form with its messages back into the dialog
    found = errors(response)
    assert field in found, found
    if message:
        assert message in found[field]
    assert not Activity.objects.exists()
    assert client.post("/activities/new/", new(**fields)).status_code == 422  # a full page says so too


def test_someone_elses_record_cannot_be_linked(rated, client_for):
    theirs = AccountFactory.create(owner=rated.other_salesperson)
    response = client_for(rated.salesperson).post(
        "/activities/new/", new(related_type="account", related_id=str(theirs.pk)), **HTMX
    )
    assert errors(response) == {"related_id": [str(UNKNOWN_RELATED)]}


def test_a_manager_plans_for_a_colleague_but_a_salesperson_only_for_themselves(rated, client_for):
    manager = client_for(rated.emea_manager)
    form = manager.get(f"/activities/new/?who=u{rated.colleague.pk}").context["form"]
    assert form.initial["owner"] == rated.colleague
    assert set(form.fields["owner"].queryset) == {rated.emea_manager, rated.salesperson, rated.colleague}
    manager.post("/activities/new/", new(subject="For them", owner=rated.colleague.pk), **HTMX)
    assert Activity.objects.get(subject="For them").owner == rated.colleague
    refused = manager.post("/activities/new/", new(subject="Away", owner=rated.other_salesperson.pk), **HTMX)
    assert "owner" in errors(refused)
    client_for(rated.salesperson).post("/activities/new/", new(subject="Mine", owner=rated.colleague.pk), **HTMX)
    assert Activity.objects.get(subject="Mine").owner == rated.salesperson  # no owner field for them


def test_read_only_roles_cannot_plan(rated, client_for):
    client = client_for(rated.executive)
    assert client.get("/activities/new/").status_code == 403
    assert client.post("/activities/new/", new()).status_code == 403


# --- open and change ---------------------------------------------------------------------------------


def test_changing_an_activity_keeps_a_rule_the_form_cannot_show(rated, client_for):
    series = plan(rated.salesperson, rrule="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6")
    client = client_for(rated.salesperson)
    page = client.get(f"/activities/{series.pk}/edit/", **HTMX)
    assert page.status_code == 200 and b"changes the whole series" in page.content
    data = {name: value for name, value in page.context["form"].initial.items() if value not in (None, "")}
    data.update(subject="Renamed", start="2026-01-12T09:00", end="2026-01-12T10:00", participant_users=[])
    data.pop("participant_users")
    response = client.post(f"/activities/{series.pk}/edit/", data, **HTMX)
    assert response.status_code == 204, errors(response)
    series.refresh_from_db()
    assert series.subject == "Renamed" and series.rrule == "FREQ=WEEKLY;COUNT=6;BYDAY=MO,WE"


def test_others_activities_answer_404_and_read_only_roles_see_a_disabled_form(rated, client_for):
    theirs = plan(rated.colleague, subject="Secret")
    client = client_for(rated.salesperson)
    for path in ("edit", "outcome", "cancel", "delete"):
        assert client.get(f"/activities/{theirs.pk}/{path}/").status_code == 404
        assert client.post(f"/activities/{theirs.pk}/{path}/", {"subject": "x"}).status_code == 404
    executive = client_for(rated.executive)
    page = executive.get(f"/activities/{theirs.pk}/edit/")
    assert page.status_code == 200 and all(field.disabled for field in page.context["form"].fields.values())
    assert executive.post(f"/activities/{theirs.pk}/edit/", {"subject": "x"}).status_code == 403
    assert executive.post(f"/activities/{theirs.pk}/outcome/", {}).status_code == 403
    assert Activity.objects.get(pk=theirs.pk).subject == "Secret"


# --- outcome, cancel, delete ---------------------------------------------------------------------------


def test_recording_the_outcome_and_planning_the_next_step(rated, client_for):
    account = AccountFactory.create(owner=rated.salesperson)
    meeting = plan(rated.salesperson, related_type="account", related_id=account.pk)
    data = {
        "outcome_code": "successful",
        "outcome_text": "Wants a quote",
        "plan_next": "on",
        "next_type": activity_type("call").pk,
        "next_subject": "Call about the quote",
        "next_start": "2026-01-19T11:00",
    }
    response = client_for(rated.salesperson).post(f"/activities/{meeting.pk}/outcome/", data, **HTMX)
    assert response.status_code == 204
    assert "next step is planned" in json.loads(response["HX-Trigger"])["activitySaved"]["message"]
    meeting.refresh_from_db()
    assert (meeting.status, meeting.outcome_code, meeting.outcome_text) == ("done", "successful", "Wants a quote")
    following = Activity.objects.get(subject="Call about the quote")
    assert (following.related_type, following.related_id) == ("account", account.pk)
    assert following.start == dt.datetime(2026, 1, 19, 11, tzinfo=WARSAW)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "outcome_code"),  # a meeting needs a result
        ({"outcome_code": "nonsense"}, "outcome_code"),
        ({"outcome_code": "successful", "plan_next": "on", "next_start": "2026-01-19T11:00"}, "next_subject"),
        ({"outcome_code": "successful", "plan_next": "on", "next_subject": "Next"}, "next_start"),
        ({"outcome_code": "successful", "expenses": "-3"}, "expenses"),
        ({"outcome_code": "successful", "plan_next": "on", "next_subject": "N", "next_start": "soon"}, "next_start"),
    ],
)
def test_outcome_refusals_stay_in_the_dialog(rated, client_for, data, field):
    meeting = plan(rated.salesperson)
    response = client_for(rated.salesperson).post(f"/activities/{meeting.pk}/outcome/", data, **HTMX)
    assert response.status_code == 200 and field in errors(response)
    assert Activity.objects.get(pk=meeting.pk).status == ActivityStatus.PLANNED
    assert Activity.objects.count() == 1


def test_cancel_and_delete_ask_first(rated, client_for):
    meeting = plan(rated.salesperson)
    client = client_for(rated.salesperson)
    ask = client.get(f"/activities/{meeting.pk}/cancel/", **HTMX)
    assert b"Yes, cancel it" in ask.content
    assert Activity.objects.get(pk=meeting.pk).status == ActivityStatus.PLANNED
    assert client.post(f"/activities/{meeting.pk}/cancel/", {"reason": "Ill"}, **HTMX).status_code == 204
    meeting.refresh_from_db()
    assert meeting.status == ActivityStatus.CANCELLED and meeting.outcome_text == "Ill"
    assert client.post(f"/activities/{meeting.pk}/cancel/", **HTMX).status_code == 403  # final
    assert b"Yes, delete it" in client.get(f"/activities/{meeting.pk}/delete/").content
    assert Activity.objects.filter(pk=meeting.pk).exists()
    assert client.post(f"/activities/{meeting.pk}/delete/").status_code == 302
    assert not Activity.objects.filter(pk=meeting.pk).exists()


def test_the_related_record_search_offers_visible_records_of_the_chosen_type(rated, client_for):
    AccountFactory.create(owner=rated.salesperson, name="Mleczarnia Łowicz")
    AccountFactory.create(owner=rated.other_salesperson, name="Mleczarnia Hidden")
    client = client_for(rated.salesperson)
    found = client.get("/activities/related-suggest/?related_type=account&term=mlecz")
    assert b"Mleczarnia" in found.content and b"Hidden" not in found.content
    assert b"Mleczarnia" not in client.get("/activities/related-suggest/?related_type=nonsense&term=m").content


# --- move and resize -------------------------------------------------------------------------------------


def move(client: Any, activity: Activity, **data: str) -> Any:
    return client.post("/calendar/move/", {"activity": str(activity.pk), **data})


def test_dragging_moves_the_activity_and_keeps_its_length(rated, client_for):
    meeting = plan(rated.salesperson)  # Monday 12 January 09:00 to 10:00 in Warsaw
    response = move(client_for(rated.salesperson), meeting, occurrence="2026-01-12T09:00", start="2026-01-14T13:15")
    assert response.status_code == 200 and response.json()["ok"] is True
    meeting.refresh_from_db()
    assert meeting.start == dt.datetime(2026, 1, 14, 13, 15, tzinfo=WARSAW)
    assert meeting.end == dt.datetime(2026, 1, 14, 14, 15, tzinfo=WARSAW)


def test_dragging_the_bottom_edge_changes_the_end(rated, client_for):
    meeting = plan(rated.salesperson)
    assert meeting.start is not None
    occurrence = meeting.start.isoformat()
    response = move(
        client_for(rated.salesperson), meeting, occurrence=occurrence, start=occurrence, end="2026-01-12T11:30"
    )
    assert response.json()["ok"] is True
    meeting.refresh_from_db()
    assert meeting.start == dt.datetime(2026, 1, 12, 9, tzinfo=WARSAW)
    assert meeting.end == dt.datetime(2026, 1, 12, 11, 30, tzinfo=WARSAW)


def test_moving_one_occurrence_moves_the_series_by_wall_clock_time(rated, client_for):
    """A Monday 09:00 series in Warsaw; its summer occurrence dragged to Tuesday 10:00 moves the first
    one, in winter, to Tuesday 10:00 Warsaw time as well (not 11:00, as a shift in UTC would)."""
    series = plan(rated.salesperson, start=dt.datetime(2026, 3, 2, 9, tzinfo=WARSAW), rrule="FREQ=WEEKLY;COUNT=10")
    response = move(client_for(rated.salesperson), series, occurrence="2026-04-06T09:00", start="2026-04-07T10:00")
    assert response.json() == {"ok": True, "message": response.json()["message"], "activity": series.pk}
    assert "whole series" in response.json()["message"]
    series.refresh_from_db()
    assert series.start == dt.datetime(2026, 3, 3, 10, tzinfo=WARSAW)
    assert series.rrule == "FREQ=WEEKLY;COUNT=10"


def test_a_task_with_a_due_date_moves_by_days(rated, client_for):
    task = plan(rated.salesperson, type=activity_type("task").pk, start=None, due_date="2026-01-12")
    assert move(client_for(rated.salesperson), task, start="2026-01-16").json()["ok"] is True
    assert Activity.objects.get(pk=task.pk).due_date == dt.date(2026, 1, 16)


@pytest.mark.parametrize(
    ("viewer", "data", "status"),
    [
        ("executive", {"start": "2026-01-13T09:00"}, 403),
        ("other_salesperson", {"start": "2026-01-13T09:00"}, 404),
        ("salesperson", {"start": ""}, 400),
        ("salesperson", {"start": "not a time"}, 400),
        ("salesperson", {"start": "2026-01-13T09:00", "occurrence": "garbage"}, 400),
        ("salesperson", {"start": "2026-01-12T09:00", "end": "2026-01-12T08:00"}, 400),
    ],
)
def test_refused_moves_say_why_and_change_nothing(rated, client_for, viewer, data, status):
    meeting = plan(rated.salesperson)
    response = move(client_for(getattr(rated, viewer)), meeting, **data)
    assert response.status_code == status
    assert response.json()["ok"] is False and response.json()["message"]
    assert Activity.objects.get(pk=meeting.pk).start == meeting.start


def test_a_cancelled_activity_does_not_move(rated, client_for):
    meeting = plan(rated.salesperson)
    client = client_for(rated.salesperson)
    client.post(f"/activities/{meeting.pk}/cancel/")
    response = move(client, meeting, start="2026-01-13T09:00")
    assert response.status_code == 400 and "cancelled" in response.json()["message"]


def test_an_unknown_activity_and_get_requests(rated, client_for):
    client = client_for(rated.salesperson)
    assert client.post("/calendar/move/", {"activity": "abc", "start": "2026-01-13T09:00"}).status_code == 404
    assert client.get("/calendar/move/").status_code == 405


def test_the_move_service_checks_rights_like_every_write(rated):
    meeting = plan(rated.salesperson)
    start = dt.datetime(2026, 1, 13, 9, tzinfo=WARSAW)
    with pytest.raises(ActionNotAllowed):
        activity_move(actor=rated.executive, activity_id=meeting.pk, occurrence_start=None, start=start)
    with pytest.raises(RecordNotFound):
        activity_move(actor=rated.colleague, activity_id=meeting.pk, occurrence_start=None, start=start)
    with pytest.raises(InvalidInput):
        activity_move(actor=rated.salesperson, activity_id=meeting.pk, occurrence_start=None, start=start, end=start)
    moved = activity_move(actor=rated.emea_manager, activity_id=meeting.pk, occurrence_start=None, start=start)
    assert moved.start == start  # a manager moves their team's activities
