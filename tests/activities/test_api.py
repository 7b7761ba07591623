"""`/api/v1/activities`, `/api/v1/activity-types` and `/api/v1/users/me/calendar-feed`: the contract
other clients rely on, filters, outcome with the next step, refusals as problem details."""

from __future__ import annotations

import datetime as dt

import pytest

from rapport.activities.models import Activity, ActivityType, CalendarFeedToken
from rapport.activities.services.activities import NEEDS_TIME, OUTCOME_REQUIRED
from tests.activities.conftest import activity_type, plan
from tests.api.conftest import assert_problem
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db

CONTRACT = {
    "id",
    "type",
    "subject",
    "start",
    "end",
    "all_day",
    "status",
    "owner",
    "related",
    "outcome",
    "cost",
    "rrule",
}


def test_create_and_get_follow_the_contract(rated, api_for):
    api = api_for(rated.salesperson)
    lead = LeadFactory.create(owner=rated.salesperson)
    contact = ContactFactory.create(owner=rated.salesperson)
    response = api.post(
        "activities",
        {
            "type": activity_type("meeting").pk,
            "subject": "Demo",
            "related": {"type": "lead", "id": lead.pk},
            "start": "2026-03-16T09:00:00+01:00",
            "end": "2026-03-16T10:30:00+01:00",
            "participant_contacts": [contact.pk],
            "expenses": "12.50",
            "rrule": "FREQ=WEEKLY;COUNT=3",
            "reminder_minutes": 15,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body.keys() >= CONTRACT
    assert body["type"] == activity_type("meeting").pk
    assert body["related"] == {"type": "lead", "id": lead.pk}
    assert body["status"] == "planned" and body["outcome"] is None
    assert body["cost"] == "102.50" and body["currency"] == "EUR"
    assert body["rrule"] == "FREQ=WEEKLY;COUNT=3"
    assert dt.datetime.fromisoformat(body["start"]) == dt.datetime(2026, 3, 16, 8, 0, tzinfo=dt.UTC)
    assert body["time_zone"] == "Europe/Warsaw" and body["all_day"] is False
    assert body["participants"] == {"users": [], "contacts": [contact.pk]}
    assert body["owner"] == rated.salesperson.pk
    assert api.get(f"activities/{body['id']}").json() == body


def test_patch_delete_and_refusals(rated, api_for):
    api = api_for(rated.salesperson)
    activity = plan(rated.salesperson)
    body = api.patch(f"activities/{activity.pk}", {"subject": "Moved", "related": None, "rrule": None}).json()
    assert body["subject"] == "Moved" and body["related"] is None and body["rrule"] is None
    assert_problem(api.patch(f"activities/{activity.pk}", {"subject": None}), 422, {"subject"})
    assert_problem(api.patch(f"activities/{activity.pk}", {"end": "2020-01-01T00:00:00Z"}), 422, {"end"})
    problem = assert_problem(
        api.post("activities", {"type": activity_type("call").pk, "subject": "No time"}), 422, {"start"}
    )
    assert problem["errors"]["start"] == [str(NEEDS_TIME)]
    assert_problem(api.post("activities", {"type": 99999, "subject": "X", "due_date": "2026-01-01"}), 422, {"type"})
    assert api.delete(f"activities/{activity.pk}").status_code == 204
    assert_problem(api.get(f"activities/{activity.pk}"), 404)


def test_outcome_with_the_next_step(rated, api_for):
    api = api_for(rated.salesperson)
    meeting = plan(rated.salesperson)
    problem = assert_problem(api.post(f"activities/{meeting.pk}/outcome", {"text": "Fine"}), 422, {"outcome_code"})
    assert problem["errors"]["outcome_code"] == [str(OUTCOME_REQUIRED)]
    response = api.post(
        f"activities/{meeting.pk}/outcome",
        {
            "code": "follow_up",
            "text": "Send the offer.",
            "next": {"type": activity_type("follow_up").pk, "subject": "Call back", "start": "2026-01-19T10:00"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["activity"]["status"] == "done"
    assert body["activity"]["outcome"]["code"] == "follow_up"
    assert body["activity"]["outcome"]["text"] == "Send the offer."
    assert body["next"]["subject"] == "Call back" and body["next"]["status"] == "planned"
    refused = api.post(
        f"activities/{body['next']['id']}/outcome",
        {"code": "successful", "next": {"type": activity_type("call").pk, "subject": "No time"}},
    )
    assert_problem(refused, 422, {"next.start"})
    assert Activity.objects.get(pk=body["next"]["id"]).status == "planned"


def test_cancel(rated, api_for):
    api = api_for(rated.salesperson)
    activity = plan(rated.salesperson)
    assert api.post(f"activities/{activity.pk}/cancel", {"reason": "Ill"}).json()["status"] == "cancelled"
    assert_problem(api.post(f"activities/{activity.pk}/cancel", {}), 409)


def test_list_filters(rated, api_for):
    lead = LeadFactory.create(owner=rated.salesperson)
    call = plan(
        rated.salesperson,
        type=activity_type("call").pk,
        related_type="lead",
        related_id=lead.pk,
        start=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC),
    )
    weekly = plan(rated.salesperson, start=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), rrule="FREQ=WEEKLY;COUNT=10")
    theirs = plan(rated.colleague, start=dt.datetime(2026, 2, 3, 9, tzinfo=dt.UTC))
    api = api_for(rated.emea_manager)

    def ids(**params) -> list[int]:
        body = api.get("activities", **params).json()
        assert body["count"] == len(body["items"])
        return [item["id"] for item in body["items"]]

    assert ids() == [weekly.pk, call.pk, theirs.pk]
    assert ids(owner=rated.colleague.pk) == [theirs.pk]
    assert ids(type=activity_type("call").pk) == [call.pk]
    assert ids(related_type="lead", related_id=lead.pk) == [call.pk]
    # The weekly series started in January but still happens in February.
    assert ids(start_from="2026-02-02", start_to="2026-02-02") == [weekly.pk, call.pk]
    assert ids(start_from="2026-03-20") == []
    assert ids(status="planned", ordering="-start") == [theirs.pk, call.pk, weekly.pk]
    assert_problem(api.get("activities", start_from="yesterday"), 422, {"start_from"})
    assert_problem(api.get("activities", ordering="colour"), 422, {"ordering"})
    assert api_for(rated.salesperson).get("activities", owner=rated.colleague.pk).json() == {"items": [], "count": 0}


def test_calendar_expands_occurrences(rated, api_for):
    plan(rated.salesperson, start=dt.datetime(2026, 3, 16, 9, tzinfo=dt.UTC), rrule="FREQ=DAILY;COUNT=5")
    body = api_for(rated.emea_manager).get(
        "activities/calendar", start="2026-03-17", end="2026-03-18", owner=rated.salesperson.pk
    )
    assert [item["start"][:10] for item in body.json()] == ["2026-03-17", "2026-03-18"]
    assert api_for(rated.colleague).get("activities/calendar", start="2026-03-01", end="2026-03-31").json() == []
    assert_problem(api_for(rated.colleague).get("activities/calendar", start="x", end="y"), 422, {"start", "end"})


def test_activity_types_are_read_by_all_and_written_by_administrators(rated, api_for):
    items = api_for(rated.salesperson).get("activity-types").json()
    assert [t["code"] for t in items][:3] == ["call", "meeting", "task"]
    assert {"id", "name", "code", "colour", "default_duration", "outcome_required"} <= items[0].keys()
    assert_problem(api_for(rated.salesperson).post("activity-types", {"name": "Visit", "code": "visit"}), 403)
    admin = api_for(rated.admin)
    created = admin.post("activity-types", {"name": "Visit", "code": "visit", "colour": "#112233"})
    assert created.status_code == 201, created.content
    visit = created.json()
    assert admin.patch(f"activity-types/{visit['id']}", {"outcome_required": True}).json()["outcome_required"]
    assert_problem(admin.patch(f"activity-types/{visit['id']}", {"colour": "blue"}), 422, {"colour"})
    assert admin.delete(f"activity-types/{visit['id']}").status_code == 204
    assert not ActivityType.objects.filter(code="visit").exists()


def test_the_calendar_feed_address_and_its_regeneration(rated, api_for):
    api = api_for(rated.salesperson)
    first = api.get("users/me/calendar-feed").json()["url"]
    assert first.startswith("http://testserver/calendar/cal_") and first.endswith(".ics")
    assert api.get("users/me/calendar-feed").json()["url"] == first  # shown again, not re-issued
    token = first.rsplit("/", 1)[1].removesuffix(".ics")
    assert not CalendarFeedToken.objects.filter(key_hash__contains=token).exists()
    assert token not in str(list(CalendarFeedToken.objects.values()))  # only a hash and a nonce are kept
    second = api.post("users/me/calendar-feed").json()["url"]
    assert second != first
    assert api.get("users/me/calendar-feed").json()["url"] == second
    assert CalendarFeedToken.objects.filter(user=rated.salesperson, revoked_at__isnull=True).count() == 1


def test_custom_fields_on_activities(rated, api_for):
    from rapport.core.services.customfields import custom_field_create

    custom_field_create(actor=rated.admin, record_type="activity", key="km", label="Kilometres", field_type="number")
    api = api_for(rated.salesperson)
    body = {"type": activity_type("meeting").pk, "subject": "Visit", "due_date": "2026-01-12"}
    created = api.post("activities", {**body, "custom_fields": {"km": "12,5"}}).json()
    assert created["custom_fields"] == {"km": "12.5"}
    assert_problem(api.post("activities", {**body, "custom_fields": {"km": "far"}}), 422, {"custom_fields.km"})
    assert [a["id"] for a in api.get("activities", cf_km="12.5").json()["items"]] == [created["id"]]
