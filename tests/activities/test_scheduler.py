"""The periodic scheduler: outcome prompts after activities end (once, not before, not for done or
cancelled ones), failures kept for the next tick, and the command (`--once`, the loop, SIGTERM)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rapport.activities import scheduling
from rapport.activities.models import Activity, ActivityDelivery, DeliveryKind
from rapport.activities.services import activity_cancel, activity_create, activity_record_outcome
from rapport.activities.services import reminders as r
from rapport.core.models import Notification
from tests.activities.conftest import activity_type, plan

pytestmark = pytest.mark.django_db

UTC = dt.UTC
START = dt.datetime(dt.date.today().year + 1, 1, 12, 9, 0, tzinfo=UTC)
END = START + dt.timedelta(hours=1)
ROOT = Path(__file__).resolve().parents[2]


def tick(at: dt.datetime) -> r.TickResult:
    return r.scheduler_tick(now=at)


def prompts(activity: Activity) -> list[ActivityDelivery]:
    return list(ActivityDelivery.objects.filter(activity=activity, kind=DeliveryKind.OUTCOME_PROMPT).order_by("id"))


@pytest.fixture
def meeting(rated):
    return plan(rated.salesperson, subject="Budget review", start=START, end=END)


# --- outcome prompts ----------------------------------------------------------------------------------


def test_the_owner_is_asked_for_the_outcome_once_after_the_end(meeting):
    assert meeting.prompt_at == END
    assert tick(END - dt.timedelta(minutes=1)).prompts == 0  # not before it ends

    assert tick(END + dt.timedelta(minutes=1)).prompts == 1
    assert tick(END + dt.timedelta(minutes=2)).prompts == 0  # not twice
    [prompt] = prompts(meeting)
    assert (prompt.occurrence_start, prompt.recipient, prompt.email_status) == (START, meeting.owner, "none")
    [notification] = Notification.objects.filter(recipient=meeting.owner)
    assert "Budget review" in notification.message
    assert notification.url == f"/activities/{meeting.pk}/outcome/"  # straight to the outcome dialog
    meeting.refresh_from_db()
    assert meeting.prompt_at is None


@pytest.mark.parametrize("closing", ["done", "cancelled"])
def test_no_prompt_for_done_or_cancelled_activities(meeting, closing):
    if closing == "done":
        activity_record_outcome(actor=meeting.owner, activity_id=meeting.pk, outcome_code="successful")
    else:
        activity_cancel(actor=meeting.owner, activity_id=meeting.pk)
    assert tick(END + dt.timedelta(minutes=5)).prompts == 0
    assert prompts(meeting) == []


def test_closed_between_planning_and_the_tick_is_not_prompted(meeting):
    Activity.objects.filter(pk=meeting.pk).update(status="done")  # prompt_at still set, e.g. by an import
    assert tick(END + dt.timedelta(minutes=5)).prompts == 0
    meeting.refresh_from_db()
    assert meeting.prompt_at is None


def test_any_type_is_prompted_not_only_those_requiring_an_outcome(rated):
    email = plan(rated.salesperson, type=activity_type("email").pk, start=START, end=END)
    assert not email.type.outcome_required
    assert tick(END + dt.timedelta(minutes=1)).prompts == 1


def test_tasks_with_only_a_due_date_are_not_prompted(rated):
    task = plan(rated.salesperson, type=activity_type("task").pk, due_date=START.date())
    assert (task.remind_at, task.prompt_at) == (None, None)


def test_each_occurrence_of_a_series_is_prompted_and_a_long_pause_only_the_latest(meeting):
    daily = plan(meeting.owner, start=START, end=END, rrule="FREQ=DAILY;COUNT=5")
    tick(END + dt.timedelta(minutes=1))
    tick(END + dt.timedelta(days=1, minutes=1))
    tick(END + dt.timedelta(days=3, minutes=1))  # the scheduler missed day 2: only day 3 is asked about
    assert [p.occurrence_start for p in prompts(daily)] == [START + dt.timedelta(days=n) for n in (0, 1, 3)]
    daily.refresh_from_db()
    assert daily.prompt_at == END + dt.timedelta(days=4)


def test_an_activity_entered_after_the_fact_is_prompted_but_not_an_old_one(rated):
    now = dt.datetime.now(UTC)
    recent = plan(rated.salesperson, start=now - dt.timedelta(hours=3), end=now - dt.timedelta(hours=2))
    old = plan(rated.salesperson, start=now - dt.timedelta(days=30), end=now - dt.timedelta(days=30, hours=-1))
    assert old.prompt_at is None
    assert tick(now).prompts == 1
    assert [p.activity_id for p in ActivityDelivery.objects.all()] == [recent.pk]


def test_a_prompt_for_a_deactivated_owner_is_dropped(meeting):
    meeting.owner.is_active = False
    meeting.owner.save()
    assert tick(END + dt.timedelta(minutes=1)).prompts == 0
    assert Notification.objects.count() == 0


# --- failures stay due ----------------------------------------------------------------------------------


def test_a_failing_activity_is_logged_and_tried_again_next_tick(meeting, monkeypatch, caplog):
    real = r.activity_prompt_outcome
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database hiccup")
        return real(**kwargs)

    monkeypatch.setattr(r, "activity_prompt_outcome", flaky)
    first = tick(END + dt.timedelta(minutes=1))
    assert (first.prompts, first.errors) == (0, 1)
    assert "stays due" in caplog.text and "database hiccup" in caplog.text
    meeting.refresh_from_db()
    assert meeting.prompt_at == END  # still due

    second = tick(END + dt.timedelta(minutes=2))
    assert (second.prompts, second.errors) == (1, 0)


def test_one_failing_activity_does_not_hold_up_the_others(rated, monkeypatch):
    a = plan(rated.salesperson, subject="A", start=START, end=END)
    b = plan(rated.salesperson, subject="B", start=START, end=END)
    real = r.activity_prompt_outcome

    def failing_for_a(*, activity_id, now):
        if activity_id == a.pk:
            raise RuntimeError("broken row")
        return real(activity_id=activity_id, now=now)

    monkeypatch.setattr(r, "activity_prompt_outcome", failing_for_a)
    result = tick(END + dt.timedelta(minutes=1))
    assert (result.prompts, result.errors) == (1, 1)
    assert [p.activity_id for p in ActivityDelivery.objects.all()] == [b.pk]


def test_planning_follows_the_activity_through_its_life(rated):
    activity = activity_create(
        actor=rated.salesperson, type=activity_type("call").pk, subject="Call", start=START, reminder_minutes=10
    )
    assert activity.remind_at == START - dt.timedelta(minutes=10)
    assert activity.prompt_at == activity.end
    scheduling.plan(activity, now=START + dt.timedelta(minutes=11))  # too late to remind
    assert activity.remind_at is None and activity.prompt_at == activity.end


# --- the command ----------------------------------------------------------------------------------------


def test_once_runs_one_tick(meeting, monkeypatch):
    monkeypatch.setattr(r.timezone, "now", lambda: END + dt.timedelta(minutes=1))
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "outcome prompts 1" in out.getvalue()
    assert len(prompts(meeting)) == 1


def test_the_loop_stops_cleanly_on_sigterm(meeting, monkeypatch):
    ticks = {"n": 0}
    real = r.scheduler_tick

    def counting(**kwargs):
        ticks["n"] += 1
        return real(**kwargs)

    monkeypatch.setattr("rapport.activities.management.commands.run_scheduler.scheduler_tick", counting)
    before = signal.getsignal(signal.SIGTERM)

    def terminate_once_listening() -> None:
        # Only once the command handles SIGTERM: the default action would end the test run.
        deadline = time.monotonic() + 20
        while signal.getsignal(signal.SIGTERM) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # into the wait between ticks
        os.kill(os.getpid(), signal.SIGTERM)

    sender = threading.Thread(target=terminate_once_listening)
    sender.start()
    out = StringIO()
    call_command("run_scheduler", "--interval", "30", stdout=out)  # returns once SIGTERM arrives
    sender.join()
    assert ticks["n"] >= 1
    assert "Scheduler stopped." in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) == before  # handlers put back


def test_a_failing_tick_is_logged_and_the_loop_goes_on(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("no database")

    monkeypatch.setattr("rapport.activities.management.commands.run_scheduler.scheduler_tick", broken)
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert "errors 1" in out.getvalue() and "no database" in caplog.text


def test_the_interval_must_be_positive():
    with pytest.raises(CommandError):
        call_command("run_scheduler", "--once", "--interval", "0")


def test_make_run_starts_the_scheduler_beside_the_worker():
    script = (ROOT / "scripts/run").read_text()
    assert "manage.py run_scheduler" in script and "manage.py db_worker" in script
    assert "$scheduler_pid" in script.split("cleanup() {")[1].split("}")[0]  # stopped with the rest
    subprocess.run(["bash", "-n", str(ROOT / "scripts/run")], check=True)
