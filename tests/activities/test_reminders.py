"""Reminders before activities: in the app and by e-mail, in the owner's language and time zone, for
each occurrence of a series, exactly once however often (and by however many schedulers) the
scheduler runs; a failed e-mail is retried, and one really reaches an SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import threading
import time
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections, transaction

from rapport.activities.models import Activity, ActivityDelivery, DeliveryKind, EmailStatus
from rapport.activities.services import activity_cancel, activity_update
from rapport.activities.services import reminders as r
from rapport.core.models import Notification
from tests.activities.conftest import plan
from tests.smtp import free_port, smtp_to

pytestmark = pytest.mark.django_db

UTC = dt.UTC
#: 12 January next year, 09:00 UTC (10:00 in Warsaw): always ahead, always winter time
START = dt.datetime(dt.date.today().year + 1, 1, 12, 9, 0, tzinfo=UTC)
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def tick(at: dt.datetime) -> r.TickResult:
    return r.scheduler_tick(now=at)


def reminded(activity: Activity) -> list[ActivityDelivery]:
    return list(ActivityDelivery.objects.filter(activity=activity, kind=DeliveryKind.REMINDER).order_by("id"))


@pytest.fixture
def meeting(rated):
    """The salesperson's meeting at START, with a reminder 30 minutes before."""
    return plan(rated.salesperson, subject="Budget review", start=START, reminder_minutes=30, location="Room 4")


# --- when, and how often ---------------------------------------------------------------------------------


def test_a_reminder_waits_for_its_moment_then_goes_once(meeting):
    assert meeting.remind_at == START - dt.timedelta(minutes=30)
    assert tick(START - dt.timedelta(minutes=31)).reminders == 0

    first = tick(START - dt.timedelta(minutes=29))
    again = tick(START - dt.timedelta(minutes=28))

    assert (first.reminders, first.emails_sent, again.reminders, again.emails_sent) == (1, 1, 0, 0)
    assert Notification.objects.filter(recipient=meeting.owner).count() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [meeting.owner.email]
    [delivery] = reminded(meeting)
    assert (delivery.occurrence_start, delivery.email_status, delivery.email_attempts) == (START, EmailStatus.SENT, 1)
    meeting.refresh_from_db()
    assert meeting.remind_at is None  # nothing more to remind of


def test_claiming_the_same_reminder_twice_gives_it_to_one(meeting):
    claim = dict(
        activity=meeting, occurrence_start=START, kind=DeliveryKind.REMINDER, recipient=meeting.owner, with_email=True
    )
    with transaction.atomic():
        first = r.delivery_claim(**claim)
        second = r.delivery_claim(**claim)  # the savepoint keeps the transaction usable
        assert Activity.objects.filter(pk=meeting.pk).exists()
    assert first is not None and second is None
    assert len(reminded(meeting)) == 1


def test_replanning_after_a_reminder_does_not_send_it_again(meeting):
    tick(START - dt.timedelta(minutes=20))
    activity_update(actor=meeting.owner, activity_id=meeting.pk, subject="Budget review (2)")  # plans afresh
    meeting.refresh_from_db()
    assert meeting.remind_at == START - dt.timedelta(minutes=30)  # due again on paper…

    assert tick(START - dt.timedelta(minutes=19)).reminders == 0  # …but the delivery table says no
    assert len(reminded(meeting)) == 1 and len(mail.outbox) == 1
    meeting.refresh_from_db()
    assert meeting.remind_at is None


def test_each_occurrence_of_a_series_is_reminded_once(rated):
    daily = plan(rated.salesperson, start=START, rrule="FREQ=DAILY;COUNT=3", reminder_minutes=15)
    days = [START + dt.timedelta(days=n) for n in range(3)]
    for day in days:
        tick(day - dt.timedelta(minutes=10))
        tick(day - dt.timedelta(minutes=5))  # a second tick changes nothing
    assert [d.occurrence_start for d in reminded(daily)] == days
    assert len(mail.outbox) == 3
    daily.refresh_from_db()
    assert daily.remind_at is None


def test_a_series_keeps_its_local_hour_across_the_clock_change(rated):
    # Weekly at 09:00 Warsaw time from the Monday before summer time starts (the last Sunday of
    # March): 08:00 UTC that day, 07:00 UTC the Monday after.
    march_31 = dt.date(START.year, 3, 31)
    change = march_31 - dt.timedelta(days=(march_31.weekday() + 1) % 7)
    first = dt.datetime.combine(change - dt.timedelta(days=6), dt.time(8, 0), tzinfo=UTC)
    weekly = plan(rated.salesperson, start=first, rrule="FREQ=WEEKLY;COUNT=3", reminder_minutes=60)
    tick(first - dt.timedelta(minutes=59))
    weekly.refresh_from_db()
    second = dt.datetime.combine(change + dt.timedelta(days=1), dt.time(7, 0), tzinfo=UTC)
    assert weekly.remind_at == second - dt.timedelta(minutes=60)


def test_a_reminder_too_late_to_matter_is_skipped(meeting):
    result = tick(START + dt.timedelta(minutes=11))  # the scheduler was down until after the start
    assert result.reminders == 0 and reminded(meeting) == []
    meeting.refresh_from_db()
    assert meeting.remind_at is None


def test_a_late_but_useful_reminder_still_goes(meeting):
    assert tick(START + dt.timedelta(minutes=5)).reminders == 1


def test_cancelled_and_done_activities_are_not_reminded(rated, meeting):
    activity_cancel(actor=meeting.owner, activity_id=meeting.pk)
    meeting.refresh_from_db()
    assert (meeting.remind_at, meeting.prompt_at) == (None, None)
    assert tick(START - dt.timedelta(minutes=10)).reminders == 0


def test_a_moved_activity_is_reminded_at_its_new_time(meeting):
    later = START + dt.timedelta(hours=2)
    activity_update(actor=meeting.owner, activity_id=meeting.pk, start=later, end=later + dt.timedelta(hours=1))
    assert tick(START - dt.timedelta(minutes=10)).reminders == 0
    assert tick(later - dt.timedelta(minutes=10)).reminders == 1
    assert [d.occurrence_start for d in reminded(meeting)] == [later]


def test_an_inactive_owner_gets_nothing(meeting):
    meeting.owner.is_active = False
    meeting.owner.save()
    assert tick(START - dt.timedelta(minutes=10)).reminders == 0
    assert mail.outbox == []


# --- words ------------------------------------------------------------------------------------------------


def test_the_reminder_speaks_the_owners_language_and_time(meeting):
    meeting.owner.language = "pl"
    meeting.owner.save()
    tick(START - dt.timedelta(minutes=10))
    [notification] = Notification.objects.filter(recipient=meeting.owner)
    assert notification.message.startswith("Przypomnienie: Budget review")
    assert "10:00" in notification.message  # 09:00 UTC is 10:00 in Warsaw in January
    assert notification.url == meeting.get_absolute_url()
    [message] = mail.outbox
    assert message.subject == notification.message
    assert f"{settings.RAPPORT_BASE_URL}/activities/{meeting.pk}/" in message.body
    assert "Room 4" in message.body and "Gdzie:" in message.body


# --- e-mail failures ---------------------------------------------------------------------------------------


def test_a_failed_email_is_logged_and_retried_on_a_later_tick(meeting, settings, caplog):
    settings.MAILERS = smtp_to(free_port())  # nothing listens there
    at = START - dt.timedelta(minutes=20)
    first = tick(at)
    [delivery] = reminded(meeting)
    assert (first.reminders, first.emails_failed, delivery.email_status) == (1, 1, EmailStatus.PENDING)
    assert delivery.email_attempts == 1 and "ConnectionRefusedError" in delivery.email_error
    assert "will retry" in caplog.text
    assert Notification.objects.filter(recipient=meeting.owner).count() == 1  # the in-app one is there

    assert tick(at + dt.timedelta(seconds=30)).emails_failed == 0  # still waiting before the retry

    settings.MAILERS = LOCMEM
    retried = tick(at + dt.timedelta(minutes=2))
    again = tick(at + dt.timedelta(minutes=3))
    delivery.refresh_from_db()
    assert (retried.emails_sent, again.emails_sent, delivery.email_status) == (1, 0, EmailStatus.SENT)
    assert (delivery.email_attempts, delivery.email_error) == (2, "")
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=meeting.owner).count() == 1


def test_an_email_that_keeps_failing_is_marked_failed_not_lost(meeting, settings, caplog):
    settings.MAILERS = smtp_to(free_port())
    at = START - dt.timedelta(minutes=20)
    for attempt in range(r.EMAIL_MAX_ATTEMPTS + 2):
        tick(at + dt.timedelta(hours=attempt))
    [delivery] = reminded(meeting)
    assert (delivery.email_status, delivery.email_attempts) == (EmailStatus.FAILED, r.EMAIL_MAX_ATTEMPTS)
    assert "giving up" in caplog.text


def test_an_email_held_by_another_sender_is_left_alone(meeting):
    claim = dict(
        activity=meeting, occurrence_start=START, kind=DeliveryKind.REMINDER, recipient=meeting.owner, with_email=True
    )
    delivery = r.delivery_claim(**claim)
    assert delivery is not None
    now = START - dt.timedelta(minutes=20)
    ActivityDelivery.objects.filter(pk=delivery.pk).update(email_claimed_until=now + dt.timedelta(minutes=1))
    assert r.delivery_send_email(delivery_id=delivery.pk, now=now) is None
    assert mail.outbox == []


# --- a real SMTP server on loopback ------------------------------------------------------------------------


def test_the_reminder_email_reaches_a_real_smtp_server(meeting, smtp_server):
    meeting.owner.language = "pl"
    meeting.owner.save()
    result = tick(START - dt.timedelta(minutes=25))
    assert result.emails_sent == 1
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [meeting.owner.email]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["To"] == meeting.owner.email
    assert message["Subject"].startswith("Przypomnienie: Budget review") and "10:00" in message["Subject"]
    body = message.get_content()
    assert f"{settings.RAPPORT_BASE_URL}/activities/{meeting.pk}/" in body
    assert ActivityDelivery.objects.get(activity=meeting).email_status == EmailStatus.SENT


# --- racing schedulers (PostgreSQL: two connections) --------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads with their own connections need a server database"
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_claim_racing_another_waits_and_loses(meeting):
    claim = dict(
        activity=meeting, occurrence_start=START, kind=DeliveryKind.REMINDER, recipient=meeting.owner, with_email=True
    )
    results: dict[str, Any] = {}
    first_claimed, release = threading.Event(), threading.Event()

    def first() -> None:
        with transaction.atomic():
            results["first"] = r.delivery_claim(**claim)
            first_claimed.set()
            release.wait(5)  # hold the transaction open while the second one tries
        connections.close_all()

    def second() -> None:
        first_claimed.wait(5)
        started = time.monotonic()
        results["second"] = r.delivery_claim(**claim)
        results["waited"] = time.monotonic() - started
        connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    release.set()
    for thread in threads:
        thread.join(10)
    assert results["first"] is not None and results["second"] is None
    assert results["waited"] >= 0.3  # it waited for the first transaction, then lost
    assert ActivityDelivery.objects.filter(activity=meeting).count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_each_reminder_once(rated):
    activities = [plan(rated.salesperson, subject=f"Call {n}", start=START, reminder_minutes=30) for n in range(20)]
    barrier = threading.Barrier(2)
    results: list[r.TickResult] = []

    def scheduler() -> None:
        barrier.wait(5)
        results.append(tick(START - dt.timedelta(minutes=10)))
        connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(result.reminders for result in results) == 20
    assert sum(result.errors for result in results) == 0
    assert ActivityDelivery.objects.filter(activity__in=activities).count() == 20
    assert Notification.objects.filter(recipient=rated.salesperson).count() == 20
    assert len(mail.outbox) == 20
