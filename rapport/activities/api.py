"""`/api/v1/activities` (with outcomes, cancelling and the expanded calendar), `/api/v1/activity-types`
(writable by administrators) and `/api/v1/users/me/calendar-feed`: schemas in (`api_schemas`), the
services and selectors, schemas out."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from rapport.activities import selectors, services
from rapport.activities.api_schemas import (
    MAX_ID,
    ActivityCancelIn,
    ActivityFilters,
    ActivityIn,
    ActivityOut,
    ActivityOutcomeIn,
    ActivityOutcomeOut,
    ActivityPatch,
    ActivityTypeIn,
    ActivityTypeOut,
    ActivityTypePatch,
    CalendarFeedOut,
    CalendarFilters,
    OccurrenceOut,
)
from rapport.activities.models import Activity, ActivityType
from rapport.core.api_support import ListOut, actor_of
from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.listing import paginate
from rapport.core.models import Team, User

activities_router = Router(tags=["activities"])
activity_types_router = Router(tags=["activities"])
calendar_feed_router = Router(tags=["activities"])

CANNOT_BE_EMPTY = gettext_lazy("This field cannot be empty.")
NOT_AN_ID = gettext_lazy("Enter a user id or me.")
NOT_NULL = ("type", "subject", "owner", "all_day", "time_zone", "description", "location", "expenses")
TYPE_NOT_NULL = ("name", "code", "colour", "default_duration", "outcome_required", "active", "order")
CALENDAR_LIMIT = 5000


def _refuse_nulls(fields: dict[str, Any], names: tuple[str, ...]) -> None:
    empty = [name for name in names if name in fields and fields[name] is None]
    if empty:
        raise InvalidInput({name: [str(CANNOT_BE_EMPTY)] for name in empty})


def _service_fields(data: dict[str, Any]) -> dict[str, Any]:
    """`related: {type, id}` → the service's `related_type` + `related_id`."""
    if "related" in data:
        related = data.pop("related")
        data["related_type"] = related["type"] if related else ""
        data["related_id"] = related["id"] if related else None
    if data.get("rrule") is None and "rrule" in data:
        data["rrule"] = ""
    return data


def _as_stored(activity: Activity) -> Activity:
    """The saved activity read back with its participants (the service checked the rights)."""
    stored: Activity = selectors.with_participants(Activity.objects.all()).get(pk=activity.pk)
    return stored


def _create_fields(payload: ActivityIn) -> tuple[dict[str, Any], dict[str, Any]]:
    data = payload.dict()
    custom = data.pop("custom_fields")
    fields = {k: v for k, v in _service_fields(data).items() if v is not None or k == "related_id"}
    return fields, custom


# --- activities --------------------------------------------------------------------------------------


@activities_router.get("", response=ListOut[ActivityOut], summary="List activities")
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]) -> dict[str, Any]:
    params = {k: v for k, v in filters.dict(exclude={"page", "limit"}).items() if v is not None}
    params.update({k: v for k, v in request.GET.items() if k.startswith("cf_")})
    queryset = selectors.ACTIVITY_LIST.apply(actor_of(request), params)
    page = paginate(queryset, filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@activities_router.post("", response={201: ActivityOut}, summary="Plan or log an activity")
def create_activity(request: HttpRequest, payload: ActivityIn) -> Status[Activity]:
    fields, custom = _create_fields(payload)
    activity = services.activity_create(actor=actor_of(request), custom_fields=custom, **fields)
    return Status(201, _as_stored(activity))


@activities_router.get(
    "/calendar",
    response=list[OccurrenceOut],
    summary="The schedule: every occurrence in a range, recurring activities expanded",
    description="For you, a colleague (`owner`) or a team (`team`), as far as your visibility reaches; a "
    "colleague you may not see shows nothing. At most 5,000 occurrences.",
)
def activity_calendar(request: HttpRequest, filters: Query[CalendarFilters]) -> list[dict[str, Any]]:
    actor = actor_of(request)
    errors: dict[str, list[str]] = {}
    bounds = {}
    for name, end_of_day in (("start", False), ("end", True)):
        try:
            bounds[name] = selectors.moment(getattr(filters, name), end_of_day=end_of_day)
        except ValidationError as exc:
            errors[name] = [str(m) for m in exc.messages]
    owners = None
    if filters.owner:
        if filters.owner == "me":
            owners = [actor.pk]
        elif filters.owner.isdigit() and 0 < int(filters.owner) <= MAX_ID:
            owners = [int(filters.owner)]
        else:
            errors["owner"] = [str(NOT_AN_ID)]
    if errors:
        raise InvalidInput(errors)
    team_path = None
    if filters.team is not None:
        team_path = Team.objects.filter(pk=filters.team).values_list("path", flat=True).first() or "/-/"
    found = selectors.calendar(
        actor=actor, start=bounds["start"], end=bounds["end"], owners=owners, team_path=team_path
    )
    return [
        {"activity": o.activity.pk, "start": o.start, "end": o.end, "recurring": o.recurring}
        for o in found[:CALENDAR_LIMIT]
    ]


@activities_router.get("/{int:activity_id}", response=ActivityOut, summary="Get an activity")
def get_activity(request: HttpRequest, activity_id: int) -> Activity:
    return selectors.activity_get(actor=actor_of(request), activity_id=activity_id)


@activities_router.patch("/{int:activity_id}", response=ActivityOut, summary="Change an activity")
def update_activity(request: HttpRequest, activity_id: int, payload: ActivityPatch) -> Activity:
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, NOT_NULL)
    custom = data.pop("custom_fields", None)
    activity = services.activity_update(
        actor=actor_of(request), activity_id=activity_id, custom_fields=custom, **_service_fields(data)
    )
    return _as_stored(activity)


@activities_router.delete("/{int:activity_id}", response={204: None}, summary="Delete an activity")
def delete_activity(request: HttpRequest, activity_id: int) -> Status[None]:
    services.activity_delete(actor=actor_of(request), activity_id=activity_id)
    return Status(204, None)


@activities_router.post(
    "/{int:activity_id}/outcome",
    response=ActivityOutcomeOut,
    summary="Record the outcome (the activity is done), and plan the next step in the same call",
    description="`next` is created about the same record and for the same owner unless it says otherwise; "
    "when it is refused (`errors` names `next.<field>`) nothing is saved.",
)
def record_outcome(request: HttpRequest, activity_id: int, payload: ActivityOutcomeIn) -> dict[str, Any]:
    following: dict[str, Any] | None = None
    custom = None
    if payload.next is not None:
        following, custom = _create_fields(payload.next)
        following["custom_fields"] = custom
    activity, created = services.activity_record_outcome(
        actor=actor_of(request),
        activity_id=activity_id,
        outcome_code=payload.code or "",
        outcome_text=payload.text,
        expenses=payload.expenses,
        next_activity=following,
    )
    return {"activity": _as_stored(activity), "next": _as_stored(created) if created else None}


@activities_router.post("/{int:activity_id}/cancel", response=ActivityOut, summary="Cancel a planned activity")
def cancel_activity(request: HttpRequest, activity_id: int, payload: ActivityCancelIn) -> Activity:
    activity = services.activity_cancel(actor=actor_of(request), activity_id=activity_id, reason=payload.reason)
    return _as_stored(activity)


# --- activity types ------------------------------------------------------------------------------------


def _type(type_id: int) -> ActivityType:
    if not 0 < type_id <= MAX_ID:
        raise RecordNotFound()
    try:
        return ActivityType.objects.get(pk=type_id)
    except ActivityType.DoesNotExist as exc:
        raise RecordNotFound() from exc


@activity_types_router.get("", response=list[ActivityTypeOut], summary="List activity types")
def list_activity_types(request: HttpRequest, active: bool | None = None) -> QuerySet[ActivityType]:
    actor_of(request)
    queryset = ActivityType.objects.all()
    return queryset.filter(active=active) if active is not None else queryset


@activity_types_router.post("", response={201: ActivityTypeOut}, summary="Add an activity type (administrators)")
def create_activity_type(request: HttpRequest, payload: ActivityTypeIn) -> Status[ActivityType]:
    activity_type = services.activity_type_create(actor=actor_of(request), data=payload.dict())
    return Status(201, activity_type)


@activity_types_router.get("/{int:type_id}", response=ActivityTypeOut, summary="Get an activity type")
def get_activity_type(request: HttpRequest, type_id: int) -> ActivityType:
    actor_of(request)
    return _type(type_id)


@activity_types_router.patch(
    "/{int:type_id}", response=ActivityTypeOut, summary="Change an activity type (administrators)"
)
def update_activity_type(request: HttpRequest, type_id: int, payload: ActivityTypePatch) -> ActivityType:
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, TYPE_NOT_NULL)
    return services.activity_type_update(actor=actor_of(request), type_id=type_id, data=data)


@activity_types_router.delete(
    "/{int:type_id}", response={204: None}, summary="Delete an activity type no activity uses (administrators)"
)
def delete_activity_type(request: HttpRequest, type_id: int) -> Status[None]:
    services.activity_type_delete(actor=actor_of(request), type_id=type_id)
    return Status(204, None)


# --- my internet calendar --------------------------------------------------------------------------------


def _feed_url(request: HttpRequest, token: str) -> dict[str, str]:
    return {"url": request.build_absolute_uri(reverse("activities:calendar_feed", args=[token]))}


@calendar_feed_router.get("", response=CalendarFeedOut, summary="The secret address of my internet calendar")
def get_calendar_feed(request: HttpRequest) -> dict[str, str]:
    actor: User = actor_of(request)
    return _feed_url(request, services.feed_token(actor=actor))


@calendar_feed_router.post(
    "", response=CalendarFeedOut, summary="A new address for my internet calendar (the old one stops working)"
)
def regenerate_calendar_feed(request: HttpRequest) -> dict[str, str]:
    return _feed_url(request, services.feed_token_regenerate(actor=actor_of(request)))
