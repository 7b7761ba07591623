"""Activity services: planning, changing, outcomes with the next step, cancelling, deleting, types;
the cost formula; the audit trail; refusals with the exact message a person reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rapport.activities import costing, recurrence
from rapport.activities.models import Activity, ActivityStatus, ActivityType
from rapport.activities.reference import TYPES
from rapport.activities.services import (
    activity_cancel,
    activity_delete,
    activity_record_outcome,
    activity_type_create,
    activity_type_delete,
    activity_type_update,
    activity_update,
)
from rapport.activities.services.activities import (
    CANCELLED_IS_FINAL,
    END_BEFORE_START,
    NEEDS_TIME,
    ONLY_PLANNED_CAN_BE_CANCELLED,
    OUT_OF_SCOPE,
    OUTCOME_REQUIRED,
    RELATED_INCOMPLETE,
    RULE_WITHOUT_START,
    UNKNOWN_CONTACT,
    UNKNOWN_RELATED,
    UNKNOWN_TYPE,
)
from rapport.activities.services.types import TYPE_IN_USE
from rapport.core.errors import ActionNotAllowed, InvalidInput, RecordNotFound, RuleViolation
from rapport.core.models import AuditEntry, OrganisationSettings
from tests.activities.conftest import WARSAW, activity_type, plan
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_the_starting_types_are_there():
    assert list(ActivityType.objects.values_list("code", flat=True)) == [code for code, *_rest in TYPES]
    meeting = activity_type("meeting")
    assert (meeting.default_duration, meeting.outcome_required, str(meeting)) == (60, True, "Meeting")


# --- cost -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "rate", "expenses", "cost"),
    [
        (60, "60.00", "0", "60.00"),
        (90, "60.00", "12.50", "102.50"),
        (20, "100.00", "0", "33.33"),  # 33.333… rounded half up to the cent
        (1, "0.30", "0", "0.01"),  # 0.005 → 0.01
        (0, "80.00", "7.10", "7.10"),
        (45, "0.00", "0", "0.00"),
    ],
)
def test_cost_is_duration_times_rate_plus_expenses(minutes, rate, expenses, cost):
    result = costing.activity_cost(minutes=minutes, hourly_rate=Decimal(rate), expenses=Decimal(expenses))
    assert result == Decimal(cost) and isinstance(result, Decimal)


def test_cost_refuses_negative_input():
    with pytest.raises(ValueError):
        costing.activity_cost(minutes=-1, hourly_rate=Decimal("1"), expenses=Decimal("0"))


def test_an_activity_costs_its_owners_rate_in_the_company_currency(rated):
    OrganisationSettings.objects.filter(pk=1).update(company_currency_id="PLN")
    start = dt.datetime(2026, 1, 12, 9, 0, tzinfo=WARSAW)
    activity = plan(rated.salesperson, start=start, end=start + dt.timedelta(minutes=90), expenses="20.00")
    assert (activity.cost, activity.currency_id) == (Decimal("110.00"), "PLN")
    activity = activity_update(actor=rated.salesperson, activity_id=activity.pk, end=start + dt.timedelta(hours=1))
    assert activity.cost == Decimal("80.00")
    done, _next = activity_record_outcome(
        actor=rated.salesperson, activity_id=activity.pk, outcome_code="successful", expenses="5"
    )
    assert Activity.objects.get(pk=done.pk).cost == Decimal("65.00")


def test_without_an_end_a_timed_activity_lasts_its_types_default(rated):
    call = plan(rated.salesperson, type=activity_type("call").pk)
    assert call.end is not None and call.start is not None
    assert call.end - call.start == dt.timedelta(minutes=15)
    assert call.cost == Decimal("15.00")


def test_all_day_activities_span_whole_local_days_and_cost_no_time(rated):
    activity = plan(rated.salesperson, start=dt.datetime(2026, 1, 12, 15, 0, tzinfo=WARSAW), all_day=True)
    assert activity.start == dt.datetime(2026, 1, 12, 0, 0, tzinfo=WARSAW)
    assert activity.end == dt.datetime(2026, 1, 13, 0, 0, tzinfo=WARSAW)
    assert activity.cost == Decimal("0.00")


def test_naive_times_are_read_in_the_activity_zone_and_stored_in_utc(rated):
    activity = plan(rated.salesperson, start="2026-07-01T09:00", end="2026-07-01T10:00")
    stored = Activity.objects.get(pk=activity.pk)
    assert stored.time_zone == "Europe/Warsaw"
    assert stored.start == dt.datetime(2026, 7, 1, 7, 0, tzinfo=dt.UTC)


# --- rules ------------------------------------------------------------------------------------------------


def _refused(fn, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        fn(**kwargs)
    return caught.value.errors


def test_refusals_name_the_field_with_the_message(rated):
    sp = rated.salesperson
    start = dt.datetime(2026, 1, 12, 9, 0, tzinfo=WARSAW)
    assert _refused(plan, actor=sp, start=None, due_date=None) == {"start": [str(NEEDS_TIME)]}
    assert _refused(plan, actor=sp, start=start, end=start - dt.timedelta(minutes=1)) == {
        "end": [str(END_BEFORE_START)]
    }
    assert _refused(plan, actor=sp, start=None, due_date="2026-01-12", rrule="FREQ=DAILY;COUNT=2") == {
        "rrule": [str(RULE_WITHOUT_START)]
    }
    assert _refused(plan, actor=sp, rrule="FREQ=HOURLY;COUNT=2") == {"rrule": [str(recurrence.UNSUPPORTED_FREQUENCY)]}
    assert _refused(plan, actor=sp, rrule="FREQ=WEEKLY") == {"rrule": [str(recurrence.RULE_NEEDS_END)]}
    assert _refused(plan, actor=sp, related_type="lead", related_id=None) == {"related": [str(RELATED_INCOMPLETE)]}
    assert _refused(plan, actor=sp, type=0) == {"type": [str(UNKNOWN_TYPE)]}
    assert Activity.objects.count() == 0


def test_an_inactive_type_cannot_be_chosen_for_a_new_activity(rated):
    ActivityType.objects.filter(code="call").update(active=False)
    assert _refused(plan, actor=rated.salesperson, type=activity_type("call").pk) == {"type": [str(UNKNOWN_TYPE)]}


def test_the_related_record_and_contacts_must_be_visible(rated):
    hidden_lead = LeadFactory.create(owner=rated.other_salesperson)
    hidden_contact = ContactFactory.create(owner=rated.other_salesperson)
    sp = rated.salesperson
    assert _refused(plan, actor=sp, related_type="lead", related_id=hidden_lead.pk) == {
        "related": [str(UNKNOWN_RELATED)]
    }
    assert _refused(plan, actor=sp, participant_contacts=[hidden_contact.pk]) == {
        "participant_contacts": [str(UNKNOWN_CONTACT)]
    }
    own = LeadFactory.create(owner=sp)
    contact = ContactFactory.create(owner=sp)
    activity = plan(
        sp, related_type="lead", related_id=own.pk, participant_contacts=[contact.pk], participant_users=[sp.pk]
    )
    assert (activity.related_type, activity.related_id) == ("lead", own.pk)
    assert list(activity.participant_contacts.all()) == [contact]


def test_giving_the_activity_away_out_of_ones_scope_is_refused(rated):
    activity = plan(rated.salesperson)
    with pytest.raises(RuleViolation) as caught:
        activity_update(actor=rated.salesperson, activity_id=activity.pk, owner=rated.colleague.pk)
    assert caught.value.message == str(OUT_OF_SCOPE)
    assert Activity.objects.get(pk=activity.pk).owner == rated.salesperson
    # A manager may hand it over inside the team.
    moved = activity_update(actor=rated.emea_manager, activity_id=activity.pk, owner=rated.colleague.pk)
    assert moved.owner == rated.colleague


def test_others_activities_are_hidden_and_executives_cannot_write(rated):
    activity = plan(rated.salesperson)
    with pytest.raises(RecordNotFound):
        activity_update(actor=rated.colleague, activity_id=activity.pk, subject="Mine")
    with pytest.raises(ActionNotAllowed):
        activity_update(actor=rated.executive, activity_id=activity.pk, subject="Mine")
    with pytest.raises(ActionNotAllowed):
        plan(rated.executive)


# --- outcome, cancel, delete -----------------------------------------------------------------------------


def test_recording_the_outcome_can_plan_the_next_step(rated):
    account = AccountFactory.create(owner=rated.salesperson)
    meeting = plan(rated.salesperson, related_type="account", related_id=account.pk)
    done, following = activity_record_outcome(
        actor=rated.salesperson,
        activity_id=meeting.pk,
        outcome_code="follow_up",
        outcome_text="They want a quote.",
        next_activity={"type": activity_type("quote_to_prepare").pk, "subject": "Quote", "due_date": "2026-01-20"},
    )
    assert (done.status, done.outcome_code, done.outcome_text) == ("done", "follow_up", "They want a quote.")
    assert done.done_at is not None
    assert following is not None
    assert (following.related_type, following.related_id, following.owner) == ("account", account.pk, done.owner)
    assert following.due_date == dt.date(2026, 1, 20) and following.status == ActivityStatus.PLANNED


def test_a_refused_next_step_saves_nothing(rated):
    meeting = plan(rated.salesperson)
    with pytest.raises(InvalidInput) as caught:
        activity_record_outcome(
            actor=rated.salesperson,
            activity_id=meeting.pk,
            outcome_code="successful",
            next_activity={"type": activity_type("call").pk, "subject": "Call back"},
        )
    assert caught.value.errors == {"next.start": [str(NEEDS_TIME)]}
    assert Activity.objects.get(pk=meeting.pk).status == ActivityStatus.PLANNED
    assert Activity.objects.count() == 1


def test_types_that_require_an_outcome_refuse_an_empty_result(rated):
    meeting = plan(rated.salesperson)
    assert _refused(activity_record_outcome, actor=rated.salesperson, activity_id=meeting.pk) == {
        "outcome_code": [str(OUTCOME_REQUIRED)]
    }
    task = plan(rated.salesperson, type=activity_type("task").pk, start=None, due_date="2026-01-12")
    done, _ = activity_record_outcome(actor=rated.salesperson, activity_id=task.pk)
    assert done.status == "done" and done.outcome_code == ""


def test_cancelling_is_final(rated):
    activity = plan(rated.salesperson)
    cancelled = activity_cancel(actor=rated.salesperson, activity_id=activity.pk, reason="Customer ill")
    assert (cancelled.status, cancelled.outcome_text) == ("cancelled", "Customer ill")
    with pytest.raises(RuleViolation) as caught:
        activity_cancel(actor=rated.salesperson, activity_id=activity.pk)
    assert caught.value.message == str(ONLY_PLANNED_CAN_BE_CANCELLED)
    with pytest.raises(RuleViolation) as caught:
        activity_update(actor=rated.salesperson, activity_id=activity.pk, subject="Again")
    assert caught.value.message == str(CANCELLED_IS_FINAL)
    with pytest.raises(RuleViolation):
        activity_record_outcome(actor=rated.salesperson, activity_id=activity.pk, outcome_code="successful")


def test_every_change_is_in_the_audit_trail(rated):
    activity = plan(rated.salesperson)
    activity_update(actor=rated.salesperson, activity_id=activity.pk, subject="Kick-off, moved", location="Gdańsk")
    activity_record_outcome(actor=rated.salesperson, activity_id=activity.pk, outcome_code="successful")
    pk = activity.pk
    activity_delete(actor=rated.salesperson, activity_id=pk)
    entries = list(AuditEntry.objects.filter(record_type="activity", record_id=pk).order_by("id"))
    assert [e.action for e in entries] == ["create", "update", "update", "delete"]
    assert entries[1].changes["subject"] == ["Kick-off", "Kick-off, moved"]
    assert entries[2].changes["status"] == ["planned", "done"]
    assert not Activity.objects.filter(pk=pk).exists()


# --- types ------------------------------------------------------------------------------------------------


def test_only_administrators_configure_types(rated):
    with pytest.raises(ActionNotAllowed):
        activity_type_create(actor=rated.salesperson, data={"name": "Visit", "code": "visit"})
    visit = activity_type_create(
        actor=rated.admin, data={"name": "Visit", "code": "visit", "colour": "#AABBCC", "default_duration": 120}
    )
    assert (visit.colour, visit.order) == ("#aabbcc", len(TYPES))
    assert activity_type_update(actor=rated.admin, type_id=visit.pk, data={"active": False}).active is False
    errors = _refused(activity_type_update, actor=rated.admin, type_id=visit.pk, data={"colour": "red"})
    assert set(errors) == {"colour"}
    activity_type_delete(actor=rated.admin, type_id=visit.pk)
    plan(rated.salesperson)
    with pytest.raises(RuleViolation) as caught:
        activity_type_delete(actor=rated.admin, type_id=activity_type("meeting").pk)
    assert caught.value.message == str(TYPE_IN_USE)


def test_an_activity_keeps_its_link_to_a_deleted_record(rated):
    lead = LeadFactory.create(owner=rated.salesperson)
    lead_id = lead.pk
    activity = plan(rated.salesperson, related_type="lead", related_id=lead_id)
    lead.delete()
    changed = activity_update(actor=rated.salesperson, activity_id=activity.pk, subject="Still here")
    assert (changed.related_type, changed.related_id, changed.subject) == ("lead", lead_id, "Still here")
    assert _refused(activity_update, actor=rated.salesperson, activity_id=activity.pk, related_id=lead_id + 999) == {
        "related": [str(UNKNOWN_RELATED)]
    }
