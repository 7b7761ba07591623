"""The scheduler's deliveries: reminders before activities (in the app and by e-mail) and prompts
to record the outcome after them — each sent once, however many schedulers run.

Exactly once rests on one rule: **whoever inserts the `ActivityDelivery` row sends it.** The row's
unique (activity, occurrence, kind) makes the database pick one winner among racing schedulers
(PostgreSQL makes the second insert wait for the first transaction and then fail; SQLite serialises
the writers). The in-app notification is written in the same transaction as the claim, so both exist
or neither does. The e-mail cannot be part of a transaction: it is sent after the claim commits, by
whoever takes its lease (`email_claimed_until`, set by one conditional UPDATE); a failure is logged,
recorded on the row and tried again on a later tick, up to EMAIL_MAX_ATTEMPTS, then marked failed —
visible in the admin, never lost silently. Only a crash between the SMTP server accepting the
message and the row being marked sent can send it twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from rapport.activities import scheduling
from rapport.activities.models import Activity, ActivityDelivery, DeliveryKind, EmailStatus
from rapport.activities.recurrence import Occurrence, zone
from rapport.core import periodic
from rapport.core.models import User
from rapport.core.services.notifications import notify

logger = logging.getLogger(__name__)

#: the `MAILERS` entry reminders go through
MAILER = "default"
#: activities (or e-mails) handled per step of a tick; the rest wait for the next tick
BATCH = 500
EMAIL_MAX_ATTEMPTS = 8
#: how long one sender holds an e-mail before another may try (an SMTP timeout is far shorter)
EMAIL_LEASE = dt.timedelta(minutes=5)
#: wait this long times the attempts made before trying a failed e-mail again
EMAIL_RETRY_AFTER = dt.timedelta(minutes=1)


@dataclass
class TickResult:
    """What one scheduler tick did (the command prints it; tests read it)."""

    reminders: int = 0
    prompts: int = 0
    emails_sent: int = 0
    emails_failed: int = 0
    errors: int = 0
    other: dict[str, int] = field(default_factory=dict)  # the other apps' periodic work (`core.periodic`)

    def __bool__(self) -> bool:
        done = (self.reminders, self.prompts, self.emails_sent, self.emails_failed, self.errors)
        return any(done) or any(self.other.values())


# --- the claim ---------------------------------------------------------------------------------------


def delivery_claim(
    *, activity: Activity, occurrence_start: dt.datetime, kind: str, recipient: User, with_email: bool
) -> ActivityDelivery | None:
    """Insert the delivery row, or None when someone (another scheduler, an earlier tick) has it.
    Called inside the caller's transaction; the savepoint keeps that transaction usable."""
    try:
        with transaction.atomic():
            return ActivityDelivery.objects.create(
                activity=activity,
                occurrence_start=occurrence_start,
                kind=kind,
                recipient=recipient,
                email_status=EmailStatus.PENDING if with_email else EmailStatus.NONE,
            )
    except IntegrityError:
        return None


# --- words, in the recipient's language and zone -------------------------------------------------------


def _when(occurrence: Occurrence) -> str:
    local = timezone.localtime(occurrence.start)
    if occurrence.activity.all_day:
        return formats.date_format(local.date(), "DATE_FORMAT")
    return formats.date_format(local, "DATETIME_FORMAT")


@contextmanager
def as_recipient(user: User) -> Iterator[None]:
    """Words and times as the recipient reads them: their language, their time zone."""
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone(user.time_zone)):
        yield


def reminder_message(occurrence: Occurrence) -> str:
    activity = occurrence.activity
    return gettext("Reminder: %(subject)s (%(type)s), %(when)s") % {
        "subject": activity.subject,
        "type": activity.type,
        "when": _when(occurrence),
    }


def prompt_message(occurrence: Occurrence) -> str:
    return gettext("How did it go? Record the outcome of %(subject)s (%(when)s).") % {
        "subject": occurrence.activity.subject,
        "when": _when(occurrence),
    }


def reminder_email(delivery: ActivityDelivery) -> EmailMessage:
    """The reminder e-mail to the activity's owner, in their language and time zone."""
    activity = delivery.activity
    occurrence = Occurrence(activity, delivery.occurrence_start, _occurrence_end(activity, delivery.occurrence_start))
    with as_recipient(delivery.recipient):
        context = {
            "activity": activity,
            "recipient": delivery.recipient,
            "when": _when(occurrence),
            "url": settings.RAPPORT_BASE_URL + activity.get_absolute_url(),
            "ics_url": settings.RAPPORT_BASE_URL + reverse("activities:activity_ics", args=[activity.pk]),
        }
        subject = reminder_message(occurrence)
        body = render_to_string("activities/email/reminder.txt", context)
    return EmailMessage(subject=" ".join(subject.split())[:200], body=body, to=[delivery.recipient.email])


def _occurrence_end(activity: Activity, start: dt.datetime) -> dt.datetime | None:
    if activity.start is None or activity.end is None:
        return None
    return start + (activity.end - activity.start)


def outcome_url(activity: Activity) -> str:
    """Where the owner records the outcome (the activity's own address while that page is missing)."""
    try:
        return reverse("activities:activity_outcome", args=[activity.pk])
    except NoReverseMatch:
        return activity.get_absolute_url()


# --- one activity's reminder and prompt ---------------------------------------------------------------


def _recipient(activity: Activity) -> User | None:
    owner = activity.owner
    return owner if owner.is_active else None


def _move_on(activity: Activity, field: str, planned: dt.datetime | None, following: dt.datetime | None) -> None:
    # Conditional: an edit saved meanwhile has planned afresh, and wins.
    Activity.objects.filter(pk=activity.pk, **{field: planned}).update(**{field: following})


@transaction.atomic
def activity_remind(*, activity_id: int, now: dt.datetime) -> ActivityDelivery | None:
    """Send the reminder due for this activity, if any, and plan the next one."""
    activity = Activity.objects.select_related("owner", "type").filter(pk=activity_id).first()
    if activity is None or activity.remind_at is None or activity.remind_at > now:
        return None
    planned = activity.remind_at
    delivery = None
    upcoming = scheduling.first_starting(activity, now - scheduling.REMINDER_LATE)
    if scheduling.wants_reminder(activity) and upcoming is not None:
        if scheduling.reminder_moment(activity, upcoming) <= now:
            delivery = _deliver_reminder(activity, upcoming)
            following = scheduling.next_remind_at(activity, now, after=upcoming)
        else:  # planned too early (the activity moved): wait for the right moment
            following = scheduling.reminder_moment(activity, upcoming)
    else:
        following = None
    _move_on(activity, "remind_at", planned, following)
    return delivery


def _deliver_reminder(activity: Activity, occurrence: Occurrence) -> ActivityDelivery | None:
    recipient = _recipient(activity)
    if recipient is None:
        return None
    delivery = delivery_claim(
        activity=activity,
        occurrence_start=occurrence.start,
        kind=DeliveryKind.REMINDER,
        recipient=recipient,
        with_email=bool(recipient.email),
    )
    if delivery is not None:
        with as_recipient(recipient):
            notify(recipient=recipient, message=reminder_message(occurrence), url=activity.get_absolute_url())
    return delivery


@transaction.atomic
def activity_prompt_outcome(*, activity_id: int, now: dt.datetime) -> ActivityDelivery | None:
    """Ask the owner for the outcome of the latest ended occurrence, once, and plan the next ask."""
    activity = Activity.objects.select_related("owner", "type").filter(pk=activity_id).first()
    if activity is None or activity.prompt_at is None or activity.prompt_at > now:
        return None
    planned = activity.prompt_at
    delivery = None
    ended = scheduling.last_ended(activity, now) if scheduling.wants_prompt(activity) else None
    recipient = _recipient(activity)
    if ended is not None and recipient is not None and scheduling.ends(ended) >= now - scheduling.PROMPT_LOOKBACK:
        delivery = delivery_claim(
            activity=activity,
            occurrence_start=ended.start,
            kind=DeliveryKind.OUTCOME_PROMPT,
            recipient=recipient,
            with_email=False,
        )
        if delivery is not None:
            with as_recipient(recipient):
                notify(recipient=recipient, message=prompt_message(ended), url=outcome_url(activity))
    _move_on(activity, "prompt_at", planned, scheduling.next_prompt_at(activity, now, since=now))
    return delivery


# --- e-mail ---------------------------------------------------------------------------------------------


def _email_free(now: dt.datetime) -> Q:
    return Q(email_status=EmailStatus.PENDING) & (Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lte=now))


def delivery_send_email(*, delivery_id: int, now: dt.datetime | None = None) -> bool | None:
    """Send a delivery's e-mail if no one else holds it: True sent, False failed, None not ours."""
    moment = now or timezone.now()
    taken = ActivityDelivery.objects.filter(_email_free(moment), pk=delivery_id).update(
        email_claimed_until=moment + EMAIL_LEASE, email_attempts=F("email_attempts") + 1
    )
    if not taken:
        return None
    delivery = ActivityDelivery.objects.select_related("activity__type", "activity__owner", "recipient").get(
        pk=delivery_id
    )
    try:
        reminder_email(delivery).send(using=MAILER)
    except Exception as exc:  # any failure of the mail server or of rendering: retried, not lost
        _email_failed(delivery, exc, moment)
        return False
    ActivityDelivery.objects.filter(pk=delivery_id).update(
        email_status=EmailStatus.SENT, email_sent_at=timezone.now(), email_claimed_until=None, email_error=""
    )
    return True


def _email_failed(delivery: ActivityDelivery, exc: Exception, now: dt.datetime) -> None:
    final = delivery.email_attempts >= EMAIL_MAX_ATTEMPTS
    logger.error(
        "Reminder e-mail %s to %s failed (attempt %s%s): %s",
        delivery.pk,
        delivery.recipient.email,
        delivery.email_attempts,
        ", giving up" if final else ", will retry",
        exc,
        exc_info=exc,
    )
    ActivityDelivery.objects.filter(pk=delivery.pk).update(
        email_status=EmailStatus.FAILED if final else EmailStatus.PENDING,
        email_claimed_until=None if final else now + EMAIL_RETRY_AFTER * delivery.email_attempts,
        email_error=f"{type(exc).__name__}: {exc}"[:500],
    )


# --- a tick -----------------------------------------------------------------------------------------------


def _due(field: str, now: dt.datetime) -> list[int]:
    return list(Activity.objects.filter(**{f"{field}__lte": now}).order_by(field).values_list("pk", flat=True)[:BATCH])


def _each(ids: list[int], handle: Callable[..., ActivityDelivery | None], now: dt.datetime, result: TickResult) -> int:
    """Run `handle` for each activity; one that fails is logged and left due for the next tick."""
    done = 0
    for activity_id in ids:
        try:
            if handle(activity_id=activity_id, now=now) is not None:
                done += 1
        except Exception:
            result.errors += 1
            logger.exception("Scheduler: activity %s failed in %s; it stays due", activity_id, handle)
    return done


def send_due_emails(now: dt.datetime, result: TickResult) -> None:
    pending = ActivityDelivery.objects.filter(_email_free(now)).order_by("email_claimed_until", "id")
    for delivery_id in pending.values_list("pk", flat=True)[:BATCH]:
        outcome = delivery_send_email(delivery_id=delivery_id, now=now)
        if outcome is True:
            result.emails_sent += 1
        elif outcome is False:
            result.emails_failed += 1


def scheduler_tick(*, now: dt.datetime | None = None) -> TickResult:
    """One pass of the time-based work: due reminders, due outcome prompts, the e-mails owed (new ones
    and earlier failures whose wait is over), then what other apps registered (`core.periodic`)."""
    moment = now or timezone.now()
    result = TickResult()
    result.reminders = _each(_due("remind_at", moment), activity_remind, moment, result)
    result.prompts = _each(_due("prompt_at", moment), activity_prompt_outcome, moment, result)
    try:
        send_due_emails(moment, result)
    except Exception:
        result.errors += 1
        logger.exception("Scheduler: sending e-mails failed; they stay pending")
    result.other, failed = periodic.run_all(moment)
    result.errors += failed
    return result
