"""The shapes `/api/v1/activities`, `/api/v1/activity-types` and `/api/v1/users/me/calendar-feed`
read and write.

Times are ISO 8601 with an offset (stored in UTC; a time without an offset is read in the
activity's `time_zone`). Money travels as decimal strings, in the company currency (`currency`).
`related` names the record an activity is about: `{"type": "lead" | "account" | "contact" |
"opportunity", "id": …}`. `ActivityIn`, `ActivityPatch` and `ActivityOut` get this installation's
activity custom fields in the live OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from rapport.activities.models import MAX_MINUTES, Activity, ActivityStatus, OutcomeCode, RelatedType
from rapport.core.money import AMOUNT_DIGITS, AMOUNT_PLACES

MAX_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)]
Minutes = Annotated[int, Field(ge=0, le=MAX_MINUTES)]
IdList = Annotated[list[RecordId], Field(max_length=200)]
COLOUR = r"^#[0-9a-fA-F]{6}$"

RRULE_HELP = (
    "RFC 5545 RRULE text: FREQ=DAILY, WEEKLY or MONTHLY, ending with COUNT or UNTIL "
    "(e.g. `FREQ=WEEKLY;BYDAY=MO;COUNT=10`). Expanded in the activity's `time_zone`."
)
START_HELP = "ISO 8601; without an offset it is read in `time_zone`. Give a start or a `due_date`."
END_HELP = "Left out: start + the type's default duration. All-day activities end at midnight."


class RelatedRef(Schema):
    type: RelatedType
    id: RecordId


class RelatedOut(Schema):
    type: RelatedType
    id: int


class ParticipantsOut(Schema):
    users: list[int]
    contacts: list[int]


class OutcomeOut(Schema):
    code: OutcomeCode | None = Field(None, description="The result; null when only marked done.")
    text: str
    done_at: dt.datetime | None


class ActivityOut(Schema):
    id: int
    type: int = Field(..., alias="type_id", description="An id of `GET /activity-types`.")
    subject: str
    description: str
    start: dt.datetime | None
    end: dt.datetime | None
    due_date: dt.date | None
    all_day: bool
    time_zone: str
    location: str
    status: ActivityStatus
    owner: int = Field(..., alias="owner_id")
    related: RelatedOut | None = Field(None, description="The lead, account, contact or opportunity it is about.")
    participants: ParticipantsOut
    outcome: OutcomeOut | None = Field(None, description="Set once the activity is done.")
    expenses: Decimal
    cost: Decimal = Field(..., description="Duration x the owner's hourly cost rate + expenses.")
    currency: str = Field(..., alias="currency_id", description="Of `cost` and `expenses`: the company currency.")
    rrule: str | None = Field(None, description=RRULE_HELP)
    reminder_minutes: int | None
    custom_fields: dict[str, Any] = Field(default_factory=dict, alias="custom")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_related(activity: Activity) -> dict[str, Any] | None:
        if not activity.related_type or activity.related_id is None:
            return None
        return {"type": activity.related_type, "id": activity.related_id}

    @staticmethod
    def resolve_participants(activity: Activity) -> dict[str, list[int]]:
        return {
            "users": sorted(u.pk for u in activity.participant_users.all()),
            "contacts": sorted(c.pk for c in activity.participant_contacts.all()),
        }

    @staticmethod
    def resolve_outcome(activity: Activity) -> dict[str, Any] | None:
        if activity.status != ActivityStatus.DONE:
            return None
        return {"code": activity.outcome_code or None, "text": activity.outcome_text, "done_at": activity.done_at}

    @staticmethod
    def resolve_rrule(activity: Activity) -> str | None:
        return activity.rrule or None


class ActivityIn(Schema):
    type: RecordId = Field(..., description="An active activity type.")
    subject: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    related: RelatedRef | None = None
    owner: RecordId | None = Field(None, description="A user id; default: you.")
    participant_users: IdList = Field(default_factory=list)
    participant_contacts: IdList = Field(default_factory=list)
    start: dt.datetime | None = Field(None, description=START_HELP)
    end: dt.datetime | None = Field(None, description=END_HELP)
    due_date: dt.date | None = None
    all_day: bool = False
    time_zone: str | None = Field(None, max_length=64, description="IANA zone; default: the owner's.")
    location: str = Field("", max_length=300)
    expenses: Amount = Decimal("0")
    rrule: str = Field("", max_length=500, description=RRULE_HELP)
    reminder_minutes: Minutes | None = None
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class ActivityPatch(Schema):
    type: RecordId | None = None
    subject: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    related: RelatedRef | None = Field(None, description="null: about no record.")
    owner: RecordId | None = None
    participant_users: IdList | None = Field(None, description="Replaces the list.")
    participant_contacts: IdList | None = Field(None, description="Replaces the list.")
    start: dt.datetime | None = Field(None, description=START_HELP)
    end: dt.datetime | None = None
    due_date: dt.date | None = None
    all_day: bool | None = None
    time_zone: str | None = Field(None, max_length=64)
    location: str | None = Field(None, max_length=300)
    expenses: Amount | None = None
    rrule: str | None = Field(None, max_length=500, description=RRULE_HELP + " null or empty: no repetition.")
    reminder_minutes: Minutes | None = None
    custom_fields: dict[str, Any] | None = None


class ActivityOutcomeIn(Schema):
    code: OutcomeCode | None = Field(None, description="The result; required for types that require an outcome.")
    text: str = Field("", max_length=10_000)
    expenses: Amount | None = Field(None, description="Replaces the expenses (decimal string).")
    next: ActivityIn | None = Field(None, description="The next step, created in the same call.")


class ActivityOutcomeOut(Schema):
    activity: ActivityOut
    next: ActivityOut | None


class ActivityCancelIn(Schema):
    reason: str = Field("", max_length=10_000)


class ActivityFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Words in the subject.")
    owner: str | None = Field(None, description="A user id, or `me`.")
    team: int | None = Field(None, description="Owner's team, including sub-teams.")
    type: int | None = None
    status: ActivityStatus | None = None
    related_type: RelatedType | None = None
    related_id: int | None = None
    start_from: str | None = Field(None, max_length=40, description="Happening on or after (date or date-time).")
    start_to: str | None = Field(None, max_length=40, description="Starting on or before (a date: that whole day).")
    ordering: str | None = Field(None, description="start, due_date, subject, created, updated; prefix - to reverse.")
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


class OccurrenceOut(Schema):
    activity: int = Field(..., description="The activity's id.")
    start: dt.datetime
    end: dt.datetime | None
    recurring: bool


class CalendarFilters(Schema):
    start: str = Field(..., max_length=40, description="Date or date-time (a date: from its midnight).")
    end: str = Field(..., max_length=40, description="Date or date-time (a date: up to its end).")
    owner: str | None = Field(None, description="A user id, or `me`; default: everyone you see.")
    team: int | None = Field(None, description="The members of a team, including sub-teams.")


class ActivityTypeOut(Schema):
    id: int
    name: str
    code: str
    colour: str
    default_duration: int = Field(..., description="Minutes.")
    outcome_required: bool
    active: bool
    order: int

    @staticmethod
    def resolve_name(activity_type: Any) -> str:
        return str(activity_type)


class ActivityTypeIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field(..., min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    colour: str = Field("#4f6bed", pattern=COLOUR)
    default_duration: Minutes = 30
    outcome_required: bool = False
    active: bool = True
    order: int | None = Field(None, ge=0, le=100_000)


class ActivityTypePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    colour: str | None = Field(None, pattern=COLOUR)
    default_duration: Minutes | None = None
    outcome_required: bool | None = None
    active: bool | None = None
    order: int | None = Field(None, ge=0, le=100_000)


class CalendarFeedOut(Schema):
    url: str = Field(..., description="The secret address of your internet calendar (iCalendar).")
