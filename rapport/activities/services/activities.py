"""Every write on an activity: plan it, change it, record its outcome (and plan the next step in
the same call), cancel it, delete it. Each recomputes the cost (`costing.activity_cost`), writes the
audit trail and re-checks, after saving, that the actor still sees the activity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy

from rapport.activities import costing, recurrence, scheduling
from rapport.activities.models import Activity, ActivityStatus, ActivityType, OutcomeCode, RelatedType
from rapport.core import audit, customfields, records
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import User
from rapport.core.money import company_currency
from rapport.core.services._common import CANNOT_BE_SET, full_clean_or_raise
from rapport.core.visibility import access, is_visible, require, visible_to

OUT_OF_SCOPE = gettext_lazy(
    "After this change you would no longer see the activity; ask your manager to assign it instead."
)
UNKNOWN_TYPE = gettext_lazy("Choose an active activity type.")
UNKNOWN_OWNER = gettext_lazy("The owner must be an active user.")
UNKNOWN_USER = gettext_lazy("Choose existing, active users.")
UNKNOWN_CONTACT = gettext_lazy("Choose contacts you can see.")
UNKNOWN_RELATED = gettext_lazy("Choose a lead, account, contact or opportunity you can see.")
RELATED_INCOMPLETE = gettext_lazy("Give both the type and the id of the related record, or neither.")
NEEDS_TIME = gettext_lazy("Give a start time or a due date.")
END_BEFORE_START = gettext_lazy("The end must not be before the start.")
END_WITHOUT_START = gettext_lazy("An activity with an end needs a start.")
RULE_WITHOUT_START = gettext_lazy("A repeating activity needs a start time.")
NOT_A_TIME = gettext_lazy("Enter a date and time, e.g. 2026-03-02T09:00.")
NOT_A_DATE = gettext_lazy("Enter a date as YYYY-MM-DD.")
NOT_AN_AMOUNT = gettext_lazy("Enter an amount that is not negative, e.g. 12.50.")
UNKNOWN_ZONE = gettext_lazy("Choose a time zone such as Europe/Warsaw.")
CANCELLED_IS_FINAL = gettext_lazy("A cancelled activity cannot be changed.")
ONLY_PLANNED_CAN_BE_CANCELLED = gettext_lazy("Only a planned activity can be cancelled.")
OUTCOME_REQUIRED = gettext_lazy("Activities of this type need a result.")
UNKNOWN_OUTCOME = gettext_lazy("Choose one of: %(choices)s.")

ACTIVITY_FIELDS = (
    "type",
    "subject",
    "description",
    "related_type",
    "related_id",
    "owner",
    "participant_users",
    "participant_contacts",
    "start",
    "end",
    "due_date",
    "all_day",
    "time_zone",
    "location",
    "expenses",
    "rrule",
    "reminder_minutes",
)
#: what the audit trail follows (custom fields are added by the record type)
AUDIT_FIELDS = (
    "type",
    "subject",
    "description",
    "related_type",
    "related_id",
    "owner",
    "participant_users",
    "participant_contacts",
    "start",
    "end",
    "due_date",
    "all_day",
    "location",
    "status",
    "outcome_code",
    "outcome_text",
    "expenses",
    "cost",
    "rrule",
    "reminder_minutes",
)


# --- values ------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _moment(field: str, value: Any, zone: dt.tzinfo) -> dt.datetime | None:
    """An aware datetime (a naive one is read in the activity's zone), stored in UTC."""
    if value in (None, ""):
        return None
    moment = value if isinstance(value, dt.datetime) else None
    if moment is None and isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    if moment is None:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
        if moment is None:
            day = _day(field, value, NOT_A_TIME)
            moment = dt.datetime.combine(day, dt.time()) if day else None
    if moment is None:
        raise InvalidInput({field: [str(NOT_A_TIME)]})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC)


def _day(field: str, value: Any, message: Any = NOT_A_DATE) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        day = parse_date(str(value).strip())
    except ValueError:
        day = None
    if day is None:
        raise InvalidInput({field: [str(message)]})
    return day


def _amount(field: str, value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput({field: [str(NOT_AN_AMOUNT)]}) from exc
    if not number.is_finite() or number < 0 or number >= Decimal(10) ** 16:
        raise InvalidInput({field: [str(NOT_AN_AMOUNT)]})
    return number.quantize(Decimal("0.01"))


def _ids(value: Any) -> list[int]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list | tuple | set) else str(value).split(",")
    result: list[int] = []
    for item in items:
        pk = item.pk if isinstance(item, models.Model) else item
        try:
            number = int(str(pk).strip())
        except ValueError:
            return [-1]
        result.append(number)
    return list(dict.fromkeys(result))


def _type(value: Any, current: ActivityType | None) -> ActivityType:
    if isinstance(value, ActivityType) and (value.active or value == current):
        return value
    pk = value.pk if isinstance(value, ActivityType) else value
    found = None
    if str(pk).isdigit():
        found = ActivityType.objects.filter(pk=int(str(pk))).first()
    elif isinstance(pk, str) and pk:
        found = ActivityType.objects.filter(code=pk.strip()).first()
    if found is None or not (found.active or (current is not None and found.pk == current.pk)):
        raise InvalidInput({"type": [str(UNKNOWN_TYPE)]})
    return found


def _owner(value: Any) -> User:
    pk = value.pk if isinstance(value, User) else value
    try:
        return User.objects.get(pk=int(str(pk)), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"owner": [str(UNKNOWN_OWNER)]}) from exc


def check_related(actor: User, related_type: str, related_id: int | None) -> None:
    """The related record exists and the actor sees it (one generic check for every record type)."""
    if not related_type and related_id is None:
        return
    if not related_type or related_id is None:
        raise InvalidInput({"related": [str(RELATED_INCOMPLETE)]})
    if related_type not in RelatedType.values or not 0 < related_id < 2**63:
        raise InvalidInput({"related": [str(UNKNOWN_RELATED)]})
    model = records.get(related_type).model
    if not visible_to(actor, model).filter(pk=related_id).exists():
        raise InvalidInput({"related": [str(UNKNOWN_RELATED)]})


# --- shared steps --------------------------------------------------------------------------------------


def _apply(actor: User, activity: Activity, changes: Mapping[str, Any]) -> dict[str, list[int]]:
    """Set the submitted values; participants are returned (set after the row is saved)."""
    unknown = [name for name in changes if name not in ACTIVITY_FIELDS]
    if unknown:
        raise InvalidInput({name: [str(CANNOT_BE_SET)] for name in unknown})
    if "time_zone" in changes:
        name = _text(changes["time_zone"]) or actor.time_zone
        if recurrence.zone(name) is dt.UTC and name != "UTC":
            raise InvalidInput({"time_zone": [str(UNKNOWN_ZONE)]})
        activity.time_zone = name
    zone = recurrence.zone(activity.time_zone)
    participants: dict[str, list[int]] = {}
    for name, value in changes.items():
        match name:
            case "type":
                activity.type = _type(value, activity.type if activity.type_id else None)
            case "owner":
                activity.owner = _owner(value)
            case "related_type":
                activity.related_type = _text(value)
            case "related_id":
                activity.related_id = None if value in (None, "") else _related_id(value)
            case "start" | "end":
                setattr(activity, name, _moment(name, value, zone))
            case "due_date":
                activity.due_date = _day(name, value)
            case "all_day":
                activity.all_day = bool(value)
            case "expenses":
                activity.expenses = _amount(name, value)
            case "reminder_minutes":
                activity.reminder_minutes = None if value in (None, "") else value
            case "participant_users" | "participant_contacts":
                participants[name] = _ids(value)
            case "subject" | "description" | "location" | "rrule":
                setattr(activity, name, _text(value))
    return participants


def _related_id(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise InvalidInput({"related": [str(UNKNOWN_RELATED)]}) from exc


def _fill_times(activity: Activity, changes: Mapping[str, Any]) -> None:
    """All-day activities span whole local days; a timed one without an end lasts its type's default."""
    zone = recurrence.zone(activity.time_zone)
    if activity.start is not None and activity.all_day:
        local = activity.start.astimezone(zone)
        first = dt.datetime.combine(local.date(), dt.time(), tzinfo=zone)
        last_day = activity.end.astimezone(zone) if activity.end is not None else None
        days = 1
        if last_day is not None and last_day > local:
            days = max(1, (last_day.date() - local.date()).days + (0 if last_day.time() == dt.time() else 1))
        activity.start = first.astimezone(dt.UTC)
        activity.end = dt.datetime.combine(local.date() + dt.timedelta(days=days), dt.time(), tzinfo=zone).astimezone(
            dt.UTC
        )
    elif activity.start is not None and activity.end is None and "end" not in changes:
        activity.end = activity.start + dt.timedelta(minutes=activity.type.default_duration)


def _check(actor: User, activity: Activity, *, related_changed: bool = True) -> None:
    errors: dict[str, list[str]] = {}
    if activity.start is None and activity.due_date is None:
        errors["start"] = [str(NEEDS_TIME)]
    if activity.end is not None and activity.start is None:
        errors["end"] = [str(END_WITHOUT_START)]
    elif activity.end is not None and activity.start is not None and activity.end < activity.start:
        errors["end"] = [str(END_BEFORE_START)]
    if activity.rrule and activity.start is None:
        errors["rrule"] = [str(RULE_WITHOUT_START)]
    elif activity.rrule and activity.start is not None:
        try:
            activity.rrule = recurrence.normalise(activity.rrule, activity.start, activity.time_zone)
        except recurrence.RuleError as exc:
            errors["rrule"] = [str(exc)]
    if errors:
        raise InvalidInput(errors)
    if related_changed:  # an activity keeps its link when the record was deleted since (decision 0009)
        check_related(actor, activity.related_type, activity.related_id)
    full_clean_or_raise(
        activity,
        exclude=["custom", "created_by", "type", "owner", "currency", "related_type", "related_id", "cost"],
    )


def compute_cost(activity: Activity) -> None:
    """The activity's cost from its duration, its owner's current rate and its expenses."""
    activity.cost = costing.activity_cost(
        minutes=activity.duration_minutes, hourly_rate=activity.owner.hourly_cost_rate, expenses=activity.expenses
    )
    activity.currency_id = company_currency()


def _participants(actor: User, activity: Activity, participants: Mapping[str, list[int]]) -> None:
    if "participant_users" in participants:
        ids = participants["participant_users"]
        users = list(User.objects.filter(pk__in=[i for i in ids if 0 < i < 2**63], is_active=True))
        if len(users) != len(ids):
            raise InvalidInput({"participant_users": [str(UNKNOWN_USER)]})
        activity.participant_users.set(users)
    if "participant_contacts" in participants:
        from rapport.customers.models import Contact

        ids = participants["participant_contacts"]
        wanted = [i for i in ids if 0 < i < 2**63]
        # a contact already taking part may stay though the actor does not see it; a new one must be visible
        kept = activity.participant_contacts.filter(pk__in=wanted).values("pk")
        chosen = Q(pk__in=visible_to(actor, Contact).filter(pk__in=wanted).values("pk")) | Q(pk__in=kept)
        contacts = list(Contact.objects.filter(chosen))
        if len(contacts) != len(ids):
            raise InvalidInput({"participant_contacts": [str(UNKNOWN_CONTACT)]})
        activity.participant_contacts.set(contacts)


def _save(actor: User, activity: Activity) -> None:
    compute_cost(activity)
    activity.series_end = recurrence.series_end(activity)
    scheduling.plan(activity)  # the next reminder and outcome prompt follow every change
    activity.save()
    if not is_visible(actor, activity):
        raise RuleViolation(str(OUT_OF_SCOPE))


def editable_activity(actor: User, activity_id: Any, action: str = "edit") -> Activity:
    queryset = visible_to(actor, Activity).select_related("type", "owner")
    return access(actor, Activity, activity_id, action, queryset=queryset.select_for_update(of=("self",)))  # type: ignore[arg-type]


# --- use cases -------------------------------------------------------------------------------------------


@transaction.atomic
def activity_create(*, actor: User, custom_fields: Mapping[str, Any] | None = None, **fields: Any) -> Activity:
    """Plan (or log) an activity; the owner is the actor unless another is given, its time zone
    the owner's. Without an end a timed activity lasts its type's default duration."""
    require(actor, "create", "activity")
    activity = Activity(owner=actor, created_by=actor, time_zone=actor.time_zone)
    if "type" not in fields or fields["type"] in (None, ""):
        raise InvalidInput({"type": [str(UNKNOWN_TYPE)]})
    if "owner" in fields and fields["owner"] not in (None, "") and "time_zone" not in fields:
        activity.time_zone = _owner(fields["owner"]).time_zone
    participants = _apply(actor, activity, {k: v for k, v in fields.items() if v is not None or k == "related_id"})
    _fill_times(activity, fields)
    activity.custom = customfields.clean_values("activity", custom_fields, existing={}, partial=False)
    _check(actor, activity)
    _save(actor, activity)
    _participants(actor, activity, participants)
    audit.log_create(actor, activity)
    return activity


@transaction.atomic
def activity_update(
    *, actor: User, activity_id: Any, custom_fields: Mapping[str, Any] | None = None, **changes: Any
) -> Activity:
    """Change an activity (not a cancelled one); the cost follows the new duration and expenses."""
    activity = editable_activity(actor, activity_id)
    if activity.status == ActivityStatus.CANCELLED:
        raise RuleViolation(str(CANCELLED_IS_FINAL))
    before = audit.snapshot(activity)
    related = (activity.related_type, activity.related_id)
    participants = _apply(actor, activity, changes)
    if {"start", "end", "all_day"} & changes.keys():
        _fill_times(activity, changes)
    if custom_fields is not None:
        activity.custom = customfields.clean_values("activity", custom_fields, existing=activity.custom, partial=True)
    _check(actor, activity, related_changed=related != (activity.related_type, activity.related_id))
    _save(actor, activity)
    _participants(actor, activity, participants)
    audit.log_update(actor, activity, before)
    return activity


@transaction.atomic
def activity_record_outcome(
    *,
    actor: User,
    activity_id: Any,
    outcome_code: str = "",
    outcome_text: str = "",
    expenses: Any = None,
    next_activity: Mapping[str, Any] | None = None,
) -> tuple[Activity, Activity | None]:
    """Mark an activity done with its result, and optionally plan the next step in the same call.

    The next activity is about the same record, belongs to the same owner and carries the same
    custom values unless it says otherwise (a required activity field is then already answered: the
    dialog's next step has no custom fields of its own). Types that require an outcome refuse an
    empty result; nothing is saved then."""
    activity = editable_activity(actor, activity_id)
    if activity.status == ActivityStatus.CANCELLED:
        raise RuleViolation(str(CANCELLED_IS_FINAL))
    code = _text(outcome_code)
    if code and code not in OutcomeCode.values:
        raise InvalidInput({"outcome_code": [str(UNKNOWN_OUTCOME % {"choices": ", ".join(OutcomeCode.values)})]})
    if activity.type.outcome_required and not code:
        raise InvalidInput({"outcome_code": [str(OUTCOME_REQUIRED)]})
    before = audit.snapshot(activity)
    activity.outcome_code = code
    activity.outcome_text = _text(outcome_text)
    if expenses is not None:
        activity.expenses = _amount("expenses", expenses)
    activity.status = ActivityStatus.DONE
    activity.done_at = timezone.now()
    _save(actor, activity)
    audit.log_update(actor, activity, before)
    following = None
    if next_activity:
        fields = dict(next_activity)
        custom = {**(activity.custom or {}), **(fields.pop("custom_fields", None) or {})}
        if "related_type" not in fields and "related_id" not in fields:
            fields.update(related_type=activity.related_type, related_id=activity.related_id)
        fields.setdefault("owner", activity.owner_id)
        try:
            following = activity_create(actor=actor, custom_fields=custom, **fields)
        except InvalidInput as exc:
            exc.errors = {f"next.{key}": messages for key, messages in exc.errors.items()}
            raise
    return activity, following


@transaction.atomic
def activity_cancel(*, actor: User, activity_id: Any, reason: str = "") -> Activity:
    """Cancel a planned activity; it stays in the calendar feed as cancelled, costs nothing more."""
    activity = editable_activity(actor, activity_id)
    if activity.status != ActivityStatus.PLANNED:
        raise RuleViolation(str(ONLY_PLANNED_CAN_BE_CANCELLED))
    before = audit.snapshot(activity)
    activity.status = ActivityStatus.CANCELLED
    if reason.strip():
        activity.outcome_text = reason.strip()
    _save(actor, activity)
    audit.log_update(actor, activity, before)
    return activity


@transaction.atomic
def activity_delete(*, actor: User, activity_id: Any) -> None:
    activity = editable_activity(actor, activity_id, "delete")
    before = audit.snapshot(activity)
    audit.log_delete(actor, activity, before)
    activity.delete()
