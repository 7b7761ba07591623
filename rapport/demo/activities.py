"""Demo activities: the calls, meetings, tasks… of Meridian's salespeople, written by `bulk.RowWriter`.

Every activity is about a seeded record (lead, account, contact or opportunity) and belongs to that
record's owner, in the owner's time zone and working hours (weekdays, 08:00 to 18:00). What a calendar
shows is dense where people look, thin where they do not:

- the last 90 days: about ten activities per working day per salesperson, nearly all done (with an
  outcome), some cancelled, a few still planned (waiting for an outcome);
- the year ahead: planned ones, many in the next two weeks, fewer further out, some with reminders,
  a few recurring (weekly or daily, with an end);
- the rest: older history, years back, done or cancelled.

One salesperson (`FEED_EMAIL`, the benchmark's user) has a full calendar: about `FEED_EVENTS` of
their activities fall in the internet calendar's window (90 days back, a year ahead).

With a budget smaller than that (the small demo), the days around today are filled first, then the
rest of the window, then history. Costs follow `costing.activity_cost` (duration x the owner's hourly
rate + expenses); `remind_at` / `prompt_at` of planned activities are set by `scheduling.plan`, as
the services do on every save, so the scheduler treats seeded activities like typed ones. No audit
entries are written, as for the other bulk-loaded rows.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from rapport.activities import recurrence, scheduling
from rapport.activities.models import Activity, ActivityDelivery, ActivityStatus, ActivityType, OutcomeCode
from rapport.core.models import RoleCode, User
from rapport.core.money import CENT, company_currency
from rapport.demo.bulk import RowWriter, next_id, reset_sequences

Progress = Callable[[str, int, int], None]

ACTIVITY_COLUMNS = (
    "id", "type_id", "subject", "description", "related_type", "related_id", "owner_id", "start", "end",
    "due_date", "all_day", "time_zone", "location", "status", "outcome_code", "outcome_text", "done_at",
    "expenses", "cost", "currency_id", "rrule", "series_end", "reminder_minutes", "remind_at", "prompt_at",
    "created_by_id", "created_at", "updated_at",
)  # fmt: skip

#: the benchmark's salesperson (bench/measure.py) and how many of their activities the feed window holds
FEED_EMAIL = "sales.pl@demo.rapport.local"
FEED_EVENTS = 5_000
RECENT_DAYS = 90
AHEAD_DAYS = 365
#: older history spreads over this many days before the recent window
HISTORY_DAYS = 8 * 365
#: activities per working day per salesperson: in the last 90 days, and ahead (by days from today)
PAST_PER_DAY = (7, 13)
AHEAD_PER_DAY = ((14, 6.0), (60, 3.0), (AHEAD_DAYS, 0.7))
#: users in other roles (executives, marketing…) do this share of a salesperson's activities
OTHER_ROLE_SHARE = 0.1
#: the days on both sides of today that a small budget fills first
NEAR_DAYS = 14
BATCH_SIZE = 10_000
#: records sampled per record type to hang activities on (their owners own the activities)
POOL_PER_TYPE = 40_000
_LOOKUP_CHUNK = 500

#: type code → weight, the share of tasks with a due date only, subjects
TYPE_WEIGHTS = {
    "call": 30,
    "email": 18,
    "meeting": 15,
    "task": 12,
    "follow_up": 13,
    "quote_to_prepare": 7,
    "presentation": 5,
}
SUBJECTS = {
    "call": ("Discovery call", "Follow-up call", "Call about the quote", "Check-in call", "Call back",
             "Call about the delivery date", "Qualification call", "Call about the renewal"),
    "email": ("Send the brochure", "Send the price list", "E-mail the minutes", "Send references",
              "Answer technical questions", "Send the contract draft"),
    "meeting": ("Site visit", "Quarterly review", "Kick-off meeting", "Technical meeting", "Negotiation meeting",
                "Meeting with procurement", "Lunch with the plant manager"),
    "task": ("Prepare the offer", "Update the account plan", "Check the credit limit", "Book the demo unit",
             "Prepare the visit", "Update the forecast"),
    "follow_up": ("Follow up on the offer", "Follow up after the visit", "Follow up on the trial",
                  "Follow up on the trade fair"),
    "quote_to_prepare": ("Quote for spare parts", "Quote for the service contract", "Quote for the upgrade",
                         "Revised quote"),
    "presentation": ("Product presentation", "Presentation to the board", "Solution presentation",
                     "Webinar for the engineers"),
}  # fmt: skip
DUE_ONLY_SHARE = {"task": 0.6, "quote_to_prepare": 0.5, "email": 0.2}
MEETING_LOCATIONS = ("Customer site", "Video call", "Our office", "Trade fair booth", "Plant, meeting room 2")
OUTCOMES = {
    "call": ((OutcomeCode.SUCCESSFUL, 35), (OutcomeCode.FOLLOW_UP, 20), (OutcomeCode.NO_ANSWER, 20),
             (OutcomeCode.LEFT_MESSAGE, 15), (OutcomeCode.NOT_INTERESTED, 7), (OutcomeCode.POSTPONED, 3)),
    "default": ((OutcomeCode.SUCCESSFUL, 60), (OutcomeCode.FOLLOW_UP, 25), (OutcomeCode.POSTPONED, 8),
                (OutcomeCode.NOT_INTERESTED, 4), (OutcomeCode.OTHER, 3)),
}  # fmt: skip
OUTCOME_TEXTS = {
    OutcomeCode.SUCCESSFUL: ("Agreed on the next step.", "They will send the specification.",
                             "Good meeting; the offer is expected by Friday.", "Order confirmed verbally."),
    OutcomeCode.FOLLOW_UP: ("Call again next week.", "Needs the technical data sheet first.",
                            "Waiting for their budget approval."),
    OutcomeCode.NO_ANSWER: ("", "No answer; try in the afternoon."),
    OutcomeCode.LEFT_MESSAGE: ("Left a voicemail.", "Message left with the assistant."),
    OutcomeCode.NOT_INTERESTED: ("Not interested this year.", "They chose a competitor."),
    OutcomeCode.POSTPONED: ("Postponed by the customer.", "Moved to next month."),
    OutcomeCode.OTHER: ("See the notes.",),
}  # fmt: skip
RELATED_WEIGHTS = (("opportunity", 35), ("account", 25), ("contact", 20), ("lead", 20))
REMINDERS = (10, 15, 30, 60, 1_440)


@dataclass(frozen=True)
class _Type:
    pk: int
    code: str
    minutes: int


@dataclass(frozen=True)
class _Owner:
    pk: int
    zone: dt.tzinfo
    zone_name: str
    rate: Decimal
    records: tuple[tuple[str, int], ...]
    weight: float


@dataclass
class SeedActivitiesResult:
    activities: int
    seconds: float


def _record_models() -> dict[str, type[models.Model]]:
    from rapport.customers.models import Account, Contact
    from rapport.leads.models import Lead
    from rapport.pipeline.models import Opportunity

    return {"lead": Lead, "account": Account, "contact": Contact, "opportunity": Opportunity}


def clear_activities() -> None:
    """Delete every activity (plain DELETEs: millions of rows, no signals), with their deliveries
    and participants."""
    quote = connection.ops.quote_name
    tables = [
        ActivityDelivery._meta.db_table,
        Activity.participant_users.through._meta.db_table,
        Activity.participant_contacts.through._meta.db_table,
        Activity._meta.db_table,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {quote(table)}")


class ActivitySeeder:
    """Generates the demo's activities from the shared generator (`rng`), relative to `now`."""

    def __init__(self, *, rng: random.Random, now: dt.datetime, progress: Progress | None = None) -> None:
        self.rng = rng
        self.now = now
        self.today = now.astimezone(dt.UTC).date()
        self.progress = progress or (lambda stage, done, total: None)
        self.currency = company_currency()

    # --- who and what ------------------------------------------------------------------------------------

    def _types(self) -> list[tuple[_Type, int]]:
        types = {t.code: t for t in ActivityType.objects.filter(active=True)}
        if not types:
            from rapport.activities.reference import ensure_activity_types

            ensure_activity_types()
            types = {t.code: t for t in ActivityType.objects.filter(active=True)}
        weighted = []
        for code, kind in types.items():
            weighted.append((_Type(kind.pk, code, kind.default_duration), TYPE_WEIGHTS.get(code, 3)))
        return sorted(weighted, key=lambda item: item[0].pk)

    def _sample(self, model: type[models.Model]) -> list[tuple[int, int]]:
        """Up to POOL_PER_TYPE (id, owner id) of the model's records, drawn at random."""
        bounds = model._default_manager.aggregate(low=models.Min("pk"), high=models.Max("pk"))
        if bounds["low"] is None:
            return []
        low, high = int(bounds["low"]), int(bounds["high"])
        if high - low + 1 <= POOL_PER_TYPE * 2:
            return list(model._default_manager.order_by("pk").values_list("pk", "owner_id")[:POOL_PER_TYPE])
        ids = sorted({self.rng.randint(low, high) for _ in range(POOL_PER_TYPE)})
        found: list[tuple[int, int]] = []
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            chunk = ids[start : start + _LOOKUP_CHUNK]
            found += list(model._default_manager.filter(pk__in=chunk).order_by("pk").values_list("pk", "owner_id"))
        return found

    def _owners(self) -> list[_Owner]:
        by_owner: dict[int, list[tuple[str, int]]] = {}
        for record_type, model in _record_models().items():
            for pk, owner_id in self._sample(model):
                if owner_id is not None:
                    by_owner.setdefault(owner_id, []).append((record_type, pk))
        owners = []
        for user in User.objects.filter(is_active=True).order_by("pk"):
            records = by_owner.get(user.pk, [])
            sells = user.role_id in (RoleCode.SALESPERSON, RoleCode.SALES_MANAGER)
            if not records and not sells:
                continue
            try:
                zone: dt.tzinfo = zoneinfo.ZoneInfo(user.time_zone)
                zone_name = user.time_zone
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone, zone_name = dt.UTC, "UTC"
            owners.append(
                _Owner(
                    pk=user.pk,
                    zone=zone,
                    zone_name=zone_name,
                    rate=user.hourly_cost_rate or Decimal(0),
                    records=tuple(records),
                    weight=1.0 if sells else OTHER_ROLE_SHARE,
                )
            )
        self.feed_owner = User.objects.filter(email=FEED_EMAIL).values_list("pk", flat=True).first()
        return owners

    # --- how many on which day --------------------------------------------------------------------------

    def _window_plan(self, owners: list[_Owner]) -> list[tuple[int, dt.date, int, int]]:
        """(tier, day, owner id, count) for the last RECENT_DAYS and the next AHEAD_DAYS days;
        tier 0 is near today (filled first), 1 the rest of the recent past, 2 the rest ahead."""
        rng = self.rng
        plan: list[tuple[int, dt.date, int, int]] = []
        first = self.today - dt.timedelta(days=RECENT_DAYS)
        days = [first + dt.timedelta(days=n) for n in range(RECENT_DAYS + AHEAD_DAYS + 1)]
        workdays = [d for d in days if d.weekday() < 5]
        for owner in owners:
            counts: dict[dt.date, float] = {}
            for day in workdays:
                offset = (day - self.today).days
                if offset < 0:
                    wanted = rng.uniform(*PAST_PER_DAY)
                else:
                    wanted = next(per_day for limit, per_day in AHEAD_PER_DAY if offset <= limit)
                    wanted *= rng.uniform(0.6, 1.4)
                counts[day] = wanted * owner.weight
            if owner.pk == self.feed_owner:
                # The benchmark's salesperson: a full calendar, FEED_EVENTS in the feed's window.
                past = [d for d in workdays if d < self.today]
                ahead = [d for d in workdays if d >= self.today]
                past_total = sum(counts[d] for d in past)
                per_ahead = max(0.0, (FEED_EVENTS - past_total) / max(1, len(ahead)))
                for day in ahead:
                    counts[day] = per_ahead * rng.uniform(0.8, 1.2)
                scale = FEED_EVENTS / max(1.0, sum(counts.values()))
                counts = {d: c * scale for d, c in counts.items()}
            for day, wanted in counts.items():
                offset = (day - self.today).days
                tier = 0 if -NEAR_DAYS <= offset <= NEAR_DAYS else (1 if offset < 0 else 2)
                count = int(wanted) + (1 if rng.random() < wanted - int(wanted) else 0)
                if count:
                    plan.append((tier, day, owner.pk, count))
        return plan

    @staticmethod
    def _fit(
        plan: list[tuple[int, dt.date, int, int]], budget: int, rng: random.Random
    ) -> list[tuple[dt.date, int, int]]:
        """The plan cut to the budget, tier by tier (a tier that does not fit is thinned evenly)."""
        kept: list[tuple[dt.date, int, int]] = []
        left = budget
        for tier in (0, 1, 2):
            rows = [(day, owner, count) for t, day, owner, count in plan if t == tier]
            total = sum(count for _day, _owner, count in rows)
            if total <= left:
                kept += rows
                left -= total
                continue
            share = left / total if total else 0
            for day, owner, count in rows:
                wanted = count * share
                thinned = min(left, int(wanted) + (1 if rng.random() < wanted - int(wanted) else 0))
                if thinned:
                    kept.append((day, owner, thinned))
                    left -= thinned
            break
        return kept

    # --- rows -----------------------------------------------------------------------------------------

    def seed(self, total: int) -> int:
        """Add `total` activities; returns how many were written."""
        if total <= 0:
            return 0
        rng = self.rng
        self.types = self._types()
        owners = self._owners()
        if not self.types or not owners:
            return 0
        self.type_total = sum(weight for _t, weight in self.types)
        self.owners = {o.pk: o for o in owners}
        window = self._fit(self._window_plan(owners), total, rng)
        history = total - sum(count for _day, _owner, count in window)
        self.writer = RowWriter(Activity, ACTIVITY_COLUMNS)
        self.next_pk = next_id(Activity)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self.total = total
        # Oldest first, so ids grow with time as they would have.
        weights = [o.weight for o in owners]
        history_days = [
            self.today - dt.timedelta(days=RECENT_DAYS + 1 + n)
            for n in range(HISTORY_DAYS)
            if (self.today - dt.timedelta(days=RECENT_DAYS + 1 + n)).weekday() < 5
        ]
        history_days.reverse()
        if history > 0:
            per_day = history / len(history_days)
            made = 0
            for index, day in enumerate(history_days):
                count = round(per_day * (index + 1)) - made
                made += count
                for owner in rng.choices(owners, weights=weights, k=count):
                    self._row(owner, day)
                self._flush_if_full()
        window.sort(key=lambda item: (item[0], item[1]))
        for day, owner_pk, count in window:
            owner = self.owners[owner_pk]
            for _ in range(count):
                self._row(owner, day)
            self._flush_if_full()
        self._flush()
        reset_sequences(Activity)
        return self.written

    def _flush_if_full(self) -> None:
        if len(self.rows) >= BATCH_SIZE:
            self._flush()

    def _flush(self) -> None:
        if not self.rows:
            return
        with transaction.atomic():
            self.writer.insert(self.rows)
        self.written += len(self.rows)
        self.rows = []
        self.progress("activities", self.written, self.total)

    def _pick_type(self) -> _Type:
        point = self.rng.random() * self.type_total
        for kind, weight in self.types:
            point -= weight
            if point < 0:
                return kind
        return self.types[-1][0]

    def _row(self, owner: _Owner, day: dt.date) -> None:
        rng = self.rng
        now = self.now
        kind = self._pick_type()
        if owner.records:
            related_type, related_id = owner.records[int(rng.random() * len(owner.records))]
        else:
            related_type, related_id = "", None
        subject = rng.choice(SUBJECTS.get(kind.code, ("Activity",)))
        due_only = rng.random() < DUE_ONLY_SHARE.get(kind.code, 0.0)
        start: dt.datetime | None = None
        end: dt.datetime | None = None
        due_date: dt.date | None = None
        minutes = 0
        location = ""
        if due_only:
            due_date = day
            over = dt.datetime.combine(day, dt.time(17), tzinfo=owner.zone) < now
        else:
            quarter = rng.randint(32, 70)  # 08:00 … 17:30, in quarters of an hour
            local = dt.datetime(day.year, day.month, day.day, quarter // 4, quarter % 4 * 15, tzinfo=owner.zone)
            start = local.astimezone(dt.UTC)
            minutes = max(5, int(kind.minutes * rng.choice((0.5, 1, 1, 1, 1.5, 2))))
            end = start + dt.timedelta(minutes=minutes)
            over = end < now
            if kind.code in ("meeting", "presentation"):
                location = rng.choice(MEETING_LOCATIONS)
        recent = (self.today - day).days <= RECENT_DAYS
        roll = rng.random()
        if over:
            # Most are done; a few were cancelled; recent ones may still wait for an outcome.
            if roll < (0.06 if recent else 0.004):
                status = ActivityStatus.PLANNED
            elif roll < (0.13 if recent else 0.07):
                status = ActivityStatus.CANCELLED
            else:
                status = ActivityStatus.DONE
        else:
            status = ActivityStatus.CANCELLED if roll < 0.03 else ActivityStatus.PLANNED
        expenses = Decimal(0)
        travels = kind.code in ("meeting", "presentation") and location not in ("Video call", "Our office")
        if travels and rng.random() < 0.5:
            expenses = Decimal(rng.randint(2, 60) * 5)
        outcome_code = ""
        outcome_text = ""
        done_at: dt.datetime | None = None
        if status == ActivityStatus.DONE:
            outcome_code = self._outcome(kind.code)
            outcome_text = rng.choice(OUTCOME_TEXTS[OutcomeCode(outcome_code)])
            if end is not None:
                done_at = end + dt.timedelta(minutes=rng.randint(0, 240))
            else:
                done_at = dt.datetime(day.year, day.month, day.day, rng.randint(9, 17), tzinfo=owner.zone)
            done_at = min(done_at, now)
        rrule = ""
        if (
            start is not None
            and status == ActivityStatus.PLANNED
            and not over
            and kind.code in ("meeting", "call")
            and rng.random() < 0.01
        ):
            rrule = rng.choice(("FREQ=WEEKLY;COUNT=", "FREQ=WEEKLY;INTERVAL=2;COUNT=", "FREQ=DAILY;COUNT="))
            rrule += str(rng.randint(3, 12))
        reminder = None
        ahead = status == ActivityStatus.PLANNED and not over
        if start is not None and rng.random() < (0.4 if ahead else 0.1):
            reminder = rng.choice(REMINDERS)
        series_end = None
        remind_at = prompt_at = None
        if start is not None:
            series_end = end or start
            if rrule or status == ActivityStatus.PLANNED:
                draft = Activity(
                    start=start,
                    end=end,
                    rrule=rrule,
                    time_zone=owner.zone_name,
                    status=status,
                    reminder_minutes=reminder,
                )
                if rrule:
                    series_end = recurrence.series_end(draft)
                scheduling.plan(draft, now)
                remind_at, prompt_at = draft.remind_at, draft.prompt_at
        time_cost = (Decimal(minutes) * owner.rate / 60).quantize(CENT, rounding=ROUND_HALF_UP)
        cost = time_cost + expenses.quantize(CENT, rounding=ROUND_HALF_UP)
        anchor = start or dt.datetime(day.year, day.month, day.day, 8, tzinfo=owner.zone)
        created = min(now, anchor - dt.timedelta(minutes=rng.randint(30, 30 * 1_440)))
        updated = max(created, done_at or created)
        self.rows.append(
            (
                self.next_pk,
                kind.pk,
                subject,
                "",
                related_type,
                related_id,
                owner.pk,
                start,
                end,
                due_date,
                False,
                owner.zone_name,
                location,
                status,
                outcome_code,
                outcome_text,
                done_at,
                expenses,
                cost,
                self.currency,
                rrule,
                series_end,
                reminder,
                remind_at,
                prompt_at,
                owner.pk,
                created,
                updated,
            )
        )
        self.next_pk += 1

    def _outcome(self, code: str) -> str:
        choices = OUTCOMES.get(code, OUTCOMES["default"])
        point = self.rng.random() * sum(weight for _c, weight in choices)
        for outcome, weight in choices:
            point -= weight
            if point < 0:
                return str(outcome)
        return str(choices[-1][0])


def seed_activities(*, total: int, seed: int, now: dt.datetime | None = None, progress: Progress | None = None) -> int:
    """Add `total` demo activities to a database that holds the demo company; returns how many."""
    moment = (now or timezone.now()).replace(second=0, microsecond=0)
    # Its own generator, derived from the seed: adding activities to a database seeded earlier
    # draws the same ones as seeding everything at once.
    rng = random.Random(f"activities-{seed}")
    return ActivitySeeder(rng=rng, now=moment, progress=progress).seed(total)
