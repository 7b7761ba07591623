"""Reads of activities; each starts from what the actor may see (`visible_to`).

`calendar` is the schedule: every occurrence of the visible activities of some owners (oneself, a
colleague, a team — as far as the viewer's scope reaches) in a range, recurring ones expanded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, F, Prefetch, Q, QuerySet, Sum
from django.db.models.lookups import IsNull, LessThan
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from rapport.activities.expressions import Unindexed
from rapport.activities.ical import FeedRow
from rapport.activities.models import Activity, ActivityStatus, RelatedType
from rapport.activities.recurrence import Occurrence, occurrences
from rapport.core.listing import Filter, ListSpec
from rapport.core.models import User
from rapport.core.visibility import access, visible_to
from rapport.customers.models import Contact

NOT_A_MOMENT = _("Enter a date (YYYY-MM-DD) or a date and time (ISO 8601).")


def moment(raw: Any, *, end_of_day: bool = False) -> dt.datetime:
    """An aware datetime from an ISO date or date-time; a date (or naive time) is read in the current
    zone, and as the end of that day when `end_of_day`."""
    if isinstance(raw, dt.datetime):
        value: dt.datetime | None = raw
    elif isinstance(raw, dt.date):
        value = None
        day: dt.date | None = raw
    else:
        text = str(raw).strip()
        try:
            value = parse_datetime(text) if "T" in text or " " in text else None
            day = None if value is not None else parse_date(text)
        except ValueError as exc:
            raise ValidationError(NOT_A_MOMENT) from exc
        if value is None and day is None:
            raise ValidationError(NOT_A_MOMENT)
    if value is None:
        assert day is not None
        value = dt.datetime.combine(day + dt.timedelta(days=1 if end_of_day else 0), dt.time())
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def overlapping(range_start: dt.datetime, range_end: dt.datetime) -> Q:
    """Activities with an occurrence in [start, end): timed ones by their first start and the end of
    their last occurrence, tasks by their due date (in the current zone). For reading many, use
    `happening`: the two halves of this OR are better read by an index each."""
    return _timed(range_start, range_end) | _due(range_start, range_end)


def _timed(range_start: dt.datetime, range_end: dt.datetime) -> Q:
    start = Unindexed(F("start"), output_field=DateTimeField())
    return Q(LessThan(start, range_end), series_end__gte=range_start)


def _due(range_start: dt.datetime, range_end: dt.datetime) -> Q:
    zone = timezone.get_current_timezone()
    first_day = range_start.astimezone(zone).date()
    last_day = (range_end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    start = Unindexed(F("start"), output_field=DateTimeField())
    return Q(IsNull(start, True), due_date__gte=first_day, due_date__lte=last_day)


def window_parts(range_start: dt.datetime, range_end: dt.datetime) -> tuple[Q, Q]:
    """`overlapping` as its two halves (timed, tasks), to be read apart."""
    return _timed(range_start, range_end), _due(range_start, range_end)


def happening(queryset: QuerySet[Any], range_start: dt.datetime, range_end: dt.datetime) -> QuerySet[Any]:
    """The activities of `queryset` with an occurrence in [start, end), as one UNION ALL of two reads:
    timed ones through (owner, series_end, start) — around today few activities end after the
    range starts, whereas every old one starts before it ends — and tasks through (owner,
    due_date). Both engines plan an OR of the two badly at millions of rows (a scan of each
    owner's whole history). The result can still be ordered by field name, not filtered further."""
    timed_part, due_part = window_parts(range_start, range_end)
    timed = queryset.filter(timed_part).order_by()
    due = queryset.filter(due_part).order_by()
    # No ORDER BY unless the caller asks (the model's default would otherwise apply to the UNION,
    # and SQLite would walk the start index in order to merge the halves).
    return timed.union(due, all=True).order_by()


class _StartRange(Filter):
    """`start_from` / `start_to`: activities that happen (any occurrence) after / before a moment."""

    def condition(self, raw: str, actor: User) -> Q:
        if self.kind == "date_from":
            at = moment(raw)
            zone = timezone.get_current_timezone()
            return Q(series_end__gte=at) | Q(start__isnull=True, due_date__gte=at.astimezone(zone).date())
        at = moment(raw, end_of_day=True)
        zone = timezone.get_current_timezone()
        return Q(start__lt=at) | Q(start__isnull=True, due_date__lte=at.astimezone(zone).date())


def with_participants(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Participants' ids, two queries for any number of activities."""
    return queryset.prefetch_related(
        Prefetch("participant_users", queryset=User.objects.only("id")),
        Prefetch("participant_contacts", queryset=Contact.objects.only("id")),
    )


ACTIVITY_LIST = ListSpec(
    model=Activity,
    record_type="activity",
    filters=(
        Filter("q", "subject", "text"),
        Filter("owner", "owner_id", "owner"),
        Filter("team", "owner__team", "team"),
        Filter("type", "type_id"),
        Filter("status", "status", "choice", choices=tuple(ActivityStatus.values)),
        Filter("related_type", "related_type", "choice", choices=tuple(RelatedType.values)),
        Filter("related_id", "related_id"),
        _StartRange("start_from", "start", "date_from"),
        _StartRange("start_to", "start", "date_to"),
    ),
    orderings={
        "start": ("start", "due_date"),
        "due_date": ("due_date",),
        "subject": ("subject",),
        "created": ("created_at",),
        "updated": ("updated_at",),
    },
    default_ordering="start",
    prefetch=with_participants,
)


def activity_get(*, actor: User, activity_id: Any) -> Activity:
    activity: Activity = access(actor, Activity, activity_id, queryset=with_participants(visible_to(actor, Activity)))
    return activity


def calendar(
    *,
    actor: User,
    start: dt.datetime,
    end: dt.datetime,
    owners: Iterable[int] | None = None,
    team_path: str | None = None,
    include_cancelled: bool = True,
    defer: Iterable[str] = (),
) -> list[Occurrence]:
    """Every occurrence in [start, end) of the activities the actor sees, of these owners (default:
    all the actor sees), earliest first. A colleague outside the actor's scope shows nothing.
    `defer`: columns the caller will not read (a team's month is thousands of rows)."""
    queryset = visible_to(actor, Activity).select_related("type").defer(*defer)
    if owners is not None:
        queryset = queryset.filter(owner_id__in=list(owners))
    if team_path is not None:
        queryset = queryset.filter(owner__team__path__startswith=team_path)
    if not include_cancelled:
        queryset = queryset.exclude(status=ActivityStatus.CANCELLED)
    zone = timezone.get_current_timezone()
    found: list[Occurrence] = []
    # No ORDER BY: the occurrences are sorted below.
    for activity in happening(queryset, start, end):
        if activity.start is None:
            assert activity.due_date is not None
            day = dt.datetime.combine(activity.due_date, dt.time(), tzinfo=zone).astimezone(dt.UTC)
            found.append(Occurrence(activity, day, None))
        else:
            found.extend(occurrences(activity, start, end))
    found.sort(key=lambda o: (o.start, o.activity.pk))
    return found


#: what the internet calendar writes of an activity, in `ical.FeedRow`'s order
FEED_COLUMNS = (
    "id", "type_id", "type__name", "subject", "description", "related_type", "related_id", "start", "end",
    "due_date", "all_day", "time_zone", "location", "status", "outcome_code", "outcome_text", "rrule",
    "reminder_minutes", "created_at", "updated_at",
)  # fmt: skip


def feed_rows(*, user: User, start: dt.datetime, end: dt.datetime) -> list[FeedRow]:
    """The user's own activities happening in the range, earliest first, as the internet calendar
    reads them: plain rows (a feed has thousands; a model instance for each cost a third of the
    response)."""
    mine = visible_to(user, Activity).filter(owner=user).values_list(*FEED_COLUMNS)
    return [FeedRow(*row) for row in happening(mine, start, end).order_by("start", "due_date", "id")]


def related_activities(*, actor: User, record_type: str, record_id: int) -> QuerySet[Activity]:
    return visible_to(actor, Activity).filter(related_type=record_type, related_id=record_id)


def spent_on(*, record_type: str, record_ids: Iterable[int]) -> dict[tuple[int | None, str], Decimal]:
    """(record id, currency) → the cost of the done activities about those records (any owner:
    what pursuing a deal cost does not depend on who looks)."""
    rows = (
        Activity.objects.filter(related_type=record_type, related_id__in=list(record_ids), status=ActivityStatus.DONE)
        .values("related_id", "currency_id")
        .annotate(total=Sum("cost"))
        .order_by()
    )
    return {(row["related_id"], row["currency_id"]): row["total"] or Decimal("0") for row in rows}
