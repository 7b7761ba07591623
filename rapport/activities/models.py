"""Activity types, activities (calls, meetings, tasks…) with their outcome and cost, and the
secret tokens of each user's internet calendar (PRODUCT §4).

An activity names the record it is about the way the audit trail does: a record type key
(`rapport.core.records`) and an id — no foreign key to any one domain app (decision 0009).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rapport.activities.expressions import no_start
from rapport.core.money import AMOUNT_DIGITS, AMOUNT_PLACES

#: the longest default duration and reminder: one week, in minutes
MAX_MINUTES = 7 * 24 * 60
COLOUR_VALIDATOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class ActivityType(models.Model):
    """A kind of activity an administrator configures: call, meeting, task…"""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    colour = models.CharField(_("colour"), max_length=7, default="#4f6bed", validators=[COLOUR_VALIDATOR])
    default_duration = models.PositiveIntegerField(
        _("default duration (minutes)"), default=30, validators=[MaxValueValidator(MAX_MINUTES)]
    )
    outcome_required = models.BooleanField(_("outcome required"), default=False)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_duration__lte=MAX_MINUTES), name="%(app_label)s_%(class)s_default_duration"
            ),
        ]

    def __str__(self) -> str:
        # The starting names are in the catalogue and read in the viewer's language; a name an
        # administrator typed has no translation and shows as typed.
        return gettext(self.name)


class RelatedType(models.TextChoices):
    """The record types an activity may be about (their `rapport.core.records` keys)."""

    LEAD = "lead", _("lead")
    ACCOUNT = "account", _("account")
    CONTACT = "contact", _("contact")
    OPPORTUNITY = "opportunity", _("opportunity")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class OutcomeCode(models.TextChoices):
    SUCCESSFUL = "successful", _("successful")
    FOLLOW_UP = "follow_up", _("follow-up needed")
    NO_ANSWER = "no_answer", _("no answer")
    LEFT_MESSAGE = "left_message", _("left a message")
    NOT_INTERESTED = "not_interested", _("not interested")
    POSTPONED = "postponed", _("postponed by the customer")
    OTHER = "other", _("other")


class Activity(models.Model):
    """One call, meeting, task… planned or done by its owner, about one lead, account, contact or
    opportunity. A recurring activity is one row with an RFC 5545 `rrule`, expanded when read."""

    type = models.ForeignKey(ActivityType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    related_type = models.CharField(_("related record type"), max_length=20, choices=RelatedType.choices, blank=True)
    related_id = models.BigIntegerField(_("related record"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="activities",
        db_index=False,  # the composite indexes below start with it
    )
    participant_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants (users)"), blank=True, related_name="+"
    )
    participant_contacts = models.ManyToManyField(
        "customers.Contact", verbose_name=_("participants (contacts)"), blank=True, related_name="+"
    )
    start = models.DateTimeField(_("start"), null=True, blank=True)
    end = models.DateTimeField(_("end"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    #: the zone the times were planned in: recurrences keep their wall-clock time in it
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    location = models.CharField(_("location"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    outcome_code = models.CharField(_("result"), max_length=20, choices=OutcomeCode.choices, blank=True)
    outcome_text = models.TextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    expenses = models.DecimalField(
        _("expenses"),
        max_digits=AMOUNT_DIGITS,
        decimal_places=AMOUNT_PLACES,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    #: duration x the owner's hourly cost rate + expenses, in `currency` (the company currency)
    cost = models.DecimalField(
        _("cost"), max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, default=Decimal("0"), editable=False
    )
    currency = models.ForeignKey(
        "core.Currency", verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    rrule = models.CharField(_("recurrence rule"), max_length=500, blank=True)
    #: when the last occurrence ends (the end itself when it does not recur): calendar ranges read it
    series_end = models.DateTimeField(null=True, blank=True, editable=False)
    reminder_minutes = models.PositiveIntegerField(
        _("reminder (minutes before)"), null=True, blank=True, validators=[MaxValueValidator(MAX_MINUTES)]
    )
    #: when the scheduler next has a reminder / an outcome prompt to send for this activity; kept by
    #: `scheduling.plan` on every save and advanced by the scheduler, NULL when nothing is due
    remind_at = models.DateTimeField(null=True, blank=True, editable=False)
    prompt_at = models.DateTimeField(null=True, blank=True, editable=False)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["start", "id"]
        indexes = [
            # One owner's activities by start (today's, an owner's list in order).
            models.Index(fields=["owner", "start", "series_end"], name="activities_owner_start_idx"),
            # A calendar: one owner's (or a team's owners') activities that end after the range
            # starts (then: that start before it ends). Around today that is the few running or
            # ahead, where "start before the range ends" would be the owner's whole history.
            models.Index(fields=["owner", "series_end", "start"], name="activities_owner_end_idx"),
            models.Index(fields=["owner", "due_date"], name="activities_owner_due_idx"),
            models.Index(fields=["start", "id"], name="activities_start_idx"),
            models.Index(fields=["related_type", "related_id", "start"], name="activities_related_idx"),
            # The scheduler's queues: only rows with something due are in them.
            models.Index(fields=["remind_at"], name="activities_remind_at_idx", condition=Q(remind_at__isnull=False)),
            models.Index(fields=["prompt_at"], name="activities_prompt_at_idx", condition=Q(prompt_at__isnull=False)),
            # The Today page: planned timed activities that have ended (waiting for an outcome) and
            # planned tasks by due date (overdue), without walking the done ones.
            models.Index(
                fields=["owner", "series_end"], name="activities_planned_end_idx", condition=Q(status="planned")
            ),
            models.Index(
                fields=["owner", "due_date"],
                name="activities_planned_task_idx",
                condition=Q(status="planned") & no_start(),  # the form the Today page's reads use
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | (Q(start__isnull=False) & Q(end__gte=F("start"))),
                name="%(app_label)s_%(class)s_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=False) | Q(due_date__isnull=False), name="%(app_label)s_%(class)s_when"
            ),
            models.CheckConstraint(
                condition=(Q(related_type="") & Q(related_id__isnull=True))
                | (~Q(related_type="") & Q(related_id__isnull=False)),
                name="%(app_label)s_%(class)s_related_pair",
            ),
            models.CheckConstraint(condition=Q(expenses__gte=0), name="%(app_label)s_%(class)s_expenses"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="%(app_label)s_%(class)s_cost"),
            models.CheckConstraint(
                condition=Q(rrule="") | Q(start__isnull=False), name="%(app_label)s_%(class)s_rrule_needs_start"
            ),
            models.CheckConstraint(
                condition=Q(reminder_minutes__isnull=True) | Q(reminder_minutes__lte=MAX_MINUTES),
                name="%(app_label)s_%(class)s_reminder",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("activities:activity_detail", args=[self.pk])

    @property
    def duration_minutes(self) -> int:
        """Minutes between start and end (0 for all-day activities and those without an end)."""
        if self.all_day or self.start is None or self.end is None:
            return 0
        return int((self.end - self.start).total_seconds() // 60)


class CalendarFeedToken(models.Model):
    """A user's internet-calendar address. The token is never stored: it is derived from `nonce`
    and the server's secret key (so the profile can show the address again), and looked up by its
    SHA-256 hash. Revoked tokens are kept, answering 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    nonce = models.CharField(max_length=64)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="%(app_label)s_%(class)s_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({'revoked' if self.revoked_at else 'active'})"


class DeliveryKind(models.TextChoices):
    REMINDER = "reminder", _("reminder")
    OUTCOME_PROMPT = "outcome_prompt", _("outcome prompt")


class EmailStatus(models.TextChoices):
    NONE = "none", _("no e-mail")
    PENDING = "pending", _("to send")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class ActivityDelivery(models.Model):
    """One reminder or outcome prompt sent about one occurrence of an activity.

    The row is the claim: it is inserted before anything is sent, and the unique (activity,
    occurrence, kind) lets only one scheduler win, however many run. Its e-mail is sent after the
    claim commits and tracked here (attempts, last error), so a failed send is retried, not lost."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    occurrence_start = models.DateTimeField(_("occurrence"))
    kind = models.CharField(_("kind"), max_length=20, choices=DeliveryKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    email_status = models.CharField(_("e-mail"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.NONE)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    #: a sender holds the e-mail until then; after it, another tick may try again
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True)
    email_error = models.CharField(_("last e-mail error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("reminder or prompt sent")
        verbose_name_plural = _("reminders and prompts sent")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "occurrence_start", "kind"], name="%(app_label)s_%(class)s_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["email_claimed_until"],
                name="activities_email_pending_idx",
                condition=Q(email_status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.activity_id} @ {self.occurrence_start:%Y-%m-%d %H:%M}"
