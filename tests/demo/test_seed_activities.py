"""Demo activities: every row valid and about a seeded record of its owner; calendars dense around
today (the benchmark's salesperson with about 5,000 events in the feed), history years back; and
`seed_demo --add-activities` for a database seeded earlier."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from rapport.activities import recurrence, scheduling
from rapport.activities.costing import activity_cost
from rapport.activities.models import Activity, ActivityStatus
from rapport.activities.selectors import overlapping
from rapport.activities.views import feed_window
from rapport.core.models import RoleCode, User
from rapport.demo import seed as demo
from rapport.demo.activities import FEED_EMAIL, FEED_EVENTS, RECENT_DAYS, clear_activities, seed_activities
from tests.demo.conftest import ACCOUNTS, CONTACTS, LEADS, OPPORTUNITIES, SEED

MODELS = {
    "lead": "rapport.leads.models.Lead",
    "account": "rapport.customers.models.Account",
    "contact": "rapport.customers.models.Contact",
    "opportunity": "rapport.pipeline.models.Opportunity",
}


def _model(path: str):
    module, name = path.rsplit(".", 1)
    return getattr(__import__(module, fromlist=[name]), name)


def test_add_activities_needs_the_demo_company(db):
    # (First in the module: the other tests share a seeded company.)
    with pytest.raises(CommandError, match="demo company"):
        call_command("seed_demo", add_activities=10, stdout=io.StringIO())


def test_the_small_demo_gets_activities_in_proportion_and_every_row_is_valid(seeded_once, db):
    expected = demo.default_activities(accounts=ACCOUNTS, contacts=CONTACTS, leads=LEADS, opportunities=OPPORTUNITIES)
    assert f"{expected:,} activities" in seeded_once
    activities = list(Activity.objects.select_related("owner"))
    assert len(activities) == expected
    for activity in activities:
        activity.full_clean()  # fields, foreign keys and the table's check constraints
    by_type: dict[str, set[int]] = {}
    for activity in activities:
        assert activity.related_type in MODELS and activity.related_id is not None
        by_type.setdefault(activity.related_type, set()).add(activity.related_id)
    owners = {}
    for record_type, ids in by_type.items():
        model = _model(MODELS[record_type])
        found = dict(model.objects.filter(pk__in=ids).values_list("pk", "owner_id"))
        assert set(found) == ids, f"{record_type}: activities about records that do not exist"
        owners[record_type] = found
    # Each activity belongs to its record's owner, in their time zone; the cost is as the services compute it.
    for activity in activities:
        assert activity.owner_id == owners[activity.related_type][activity.related_id]
        assert activity.time_zone == activity.owner.time_zone
        assert activity.cost == activity_cost(
            minutes=activity.duration_minutes, hourly_rate=activity.owner.hourly_cost_rate, expenses=activity.expenses
        )
    # The small demo fills the days around today first.
    now = timezone.now()
    near = [a for a in activities if a.start and abs((a.start - now).days) <= 14]
    assert len(near) > 0.6 * len(activities)
    assert {a.status for a in activities} == {ActivityStatus.DONE, ActivityStatus.PLANNED, ActivityStatus.CANCELLED}


def test_calendars_are_dense_around_today_and_history_goes_back_years(seeded_once, db):
    clear_activities()
    now = timezone.now().replace(second=0, microsecond=0)
    total = 48_000
    assert seed_activities(total=total, seed=SEED, now=now) == total
    assert Activity.objects.count() == total
    sales = User.objects.filter(role_id=RoleCode.SALESPERSON)
    # The last 90 days: about ten a working day per salesperson.
    since = now - dt.timedelta(days=RECENT_DAYS)
    workdays = sum(1 for n in range(RECENT_DAYS) if (now - dt.timedelta(days=n + 1)).weekday() < 5)
    recent = Counter(
        Activity.objects.filter(owner__in=sales, start__gte=since, start__lt=now)
        .exclude(owner__email=FEED_EMAIL)
        .values_list("owner_id", flat=True)
    )
    assert recent and all(6 * workdays <= n <= 14 * workdays for n in recent.values()), recent
    # The benchmark's salesperson: about FEED_EVENTS activities in the feed's window.
    start, end = feed_window(now)
    feed = Activity.objects.filter(owner__email=FEED_EMAIL).filter(overlapping(start, end)).count()
    assert 0.9 * FEED_EVENTS <= feed <= 1.1 * FEED_EVENTS
    # History: done or cancelled, years back; hardly anything left planned there.
    old = Activity.objects.filter(start__lt=now - dt.timedelta(days=RECENT_DAYS + 1))
    assert old.count() > 0.1 * total
    assert old.filter(start__lt=now - dt.timedelta(days=3 * 365)).exists()
    assert old.filter(status=ActivityStatus.PLANNED).count() < 0.02 * old.count()
    # Ahead: planned, some cancelled, none done; reminders on some; a few recurring series.
    ahead = Activity.objects.filter(start__gt=now)
    assert not ahead.filter(status=ActivityStatus.DONE).exists()
    assert ahead.filter(status=ActivityStatus.CANCELLED).exists()
    assert 0.2 < ahead.filter(reminder_minutes__isnull=False).count() / ahead.count() < 0.6
    series = list(Activity.objects.exclude(rrule=""))
    assert 0 < len(series) < 0.01 * total
    for activity in series:
        assert activity.start is not None
        assert recurrence.normalise(activity.rrule, activity.start, activity.time_zone) == activity.rrule
        assert activity.series_end == recurrence.series_end(activity)
    # Done ones carry an outcome; planned ones the scheduler's moments, as a save would set them.
    done = Activity.objects.filter(status=ActivityStatus.DONE)
    assert not done.filter(outcome_code="").exists() and not done.filter(done_at__isnull=True).exists()
    for activity in Activity.objects.filter(status=ActivityStatus.PLANNED, start__isnull=False).order_by("?")[:300]:
        remind_at, prompt_at = activity.remind_at, activity.prompt_at
        scheduling.plan(activity, now)
        assert (activity.remind_at, activity.prompt_at) == (remind_at, prompt_at)
    assert Activity.objects.filter(remind_at__isnull=False).exists()
    # Due-date-only tasks, some overdue.
    assert Activity.objects.filter(start__isnull=True, status=ActivityStatus.PLANNED, due_date__lt=now.date()).exists()


def test_add_activities_to_a_demo_seeded_earlier(seeded_once, db):
    present = Activity.objects.count()
    out = io.StringIO()
    call_command("seed_demo", add_activities=present, stdout=out)
    assert "nothing to add" in out.getvalue()
    with pytest.raises(CommandError, match="--replace-activities"):
        call_command("seed_demo", add_activities=present + 10, stdout=io.StringIO())
    call_command("seed_demo", add_activities=900, replace_activities=True, stdout=io.StringIO())
    assert Activity.objects.count() == 900
    clear_activities()
    call_command("seed_demo", add_activities=700, stdout=io.StringIO())
    assert Activity.objects.count() == 700
