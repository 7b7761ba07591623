"""Forms of the calendar pages: plan or change an activity, record its outcome (and plan the next step).

They only collect and shape input — a repetition chosen from three lists becomes RFC 5545 text, a
timed activity without an end gets its type's default length — and the services decide the rest
(`activity_create`, `activity_update`, `activity_record_outcome`), whose errors land on the fields.
The activity form carries the activities' custom fields as `cf_<key>`, like every record form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from rapport.activities import recurrence
from rapport.activities.models import MAX_MINUTES, Activity, ActivityType, OutcomeCode, RelatedType
from rapport.activities.selectors_calendar import calendar_users
from rapport.core import records
from rapport.core.models import User
from rapport.core.visibility import visible_to
from rapport.customers.forms import RecordForm
from rapport.customers.models import Contact
from rapport.web.widgets import RecordMultiSearchWidget, RecordSearchWidget

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
REPEAT_CHOICES = (
    ("", _("Does not repeat")),
    ("DAILY", _("Daily")),
    ("WEEKLY", _("Weekly")),
    ("MONTHLY", _("Monthly")),
)
REPEAT_FIELDS = ("repeat", "repeat_interval", "repeat_until", "repeat_count")
REPEAT_NEEDS_END = _("Say when it stops: on a date or after a number of times.")
REPEAT_ONE_END = _("Give an end date or a number of times, not both.")
NEXT_NEEDS_SUBJECT = _("Name the next step.")
NEXT_NEEDS_TIME = _("Give the next step a start or a due date.")
RELATED_NEEDS_RECORD = _("Choose the record, or no record type.")

#: service error keys → the form fields that show them
ERROR_FIELDS = {
    "rrule": "repeat",
    "related": "related_id",
    "related_type": "related_id",
    "next.type": "next_type",
    "next.subject": "next_subject",
    "next.start": "next_start",
    "next.end": "next_start",
    "next.due_date": "next_due_date",
    "next.related": "next_subject",
}


def _datetime_field(label: Any, help_text: Any = "") -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)
    return forms.DateTimeField(label=label, required=False, widget=widget, help_text=help_text)


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _types(current: ActivityType | None = None) -> Any:
    condition = Q(active=True) | Q(pk=current.pk) if current is not None else Q(active=True)
    return ActivityType.objects.filter(condition).order_by("order", "id")


class RelatedSearchWidget(RecordSearchWidget):
    """The search select of the related record: its suggestions follow the chosen record type."""

    template_name = "activities/widgets/related_search.html"

    def __init__(self, actor: User, related_type: str) -> None:
        model = records.get(related_type).model if related_type in RelatedType.values else None
        queryset = visible_to(actor, model) if model is not None else None
        super().__init__("activities:related_suggest", queryset=queryset, placeholder=str(_("Search records…")))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["suggest_url"] = reverse(self.url_name)
        return context


class ContactsSearchWidget(RecordMultiSearchWidget):
    """The participant contacts' search select: the related-record suggestions, for contacts."""

    def __init__(self, actor: User) -> None:
        queryset = visible_to(actor, Contact)
        super().__init__("activities:related_suggest", queryset=queryset, placeholder=str(_("Search contacts…")))

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["suggest_url"] = f"{reverse(self.url_name)}?related_type={RelatedType.CONTACT}"
        return context


class IdListField(forms.Field):
    """Several record ids as typed; the service checks that they exist and may be chosen."""

    def to_python(self, value: Any) -> list[str]:
        items = value if isinstance(value, list | tuple) else [value]
        return [text for text in (str(item).strip() for item in items if item is not None) if text]


def rrule_text(frequency: str, interval: int | None, until: dt.date | None, count: int | None) -> str:
    """The RFC 5545 rule the three lists describe ("" when it does not repeat)."""
    if not frequency:
        return ""
    parts = [f"FREQ={frequency}"]
    if interval and interval > 1:
        parts.append(f"INTERVAL={interval}")
    if count:
        parts.append(f"COUNT={count}")
    if until:
        parts.append(f"UNTIL={until:%Y%m%d}")
    return ";".join(parts)


def repeat_initial(activity: Activity) -> dict[str, Any]:
    """The repetition fields of a stored rule (UNTIL shown as a day in the activity's zone)."""
    if not activity.rrule:
        return {}
    parts = dict(item.partition("=")[::2] for item in activity.rrule.split(";") if "=" in item)
    initial: dict[str, Any] = {"repeat": parts.get("FREQ", ""), "repeat_interval": parts.get("INTERVAL", 1)}
    if parts.get("COUNT", "").isdigit():
        initial["repeat_count"] = int(parts["COUNT"])
    until = parts.get("UNTIL", "")
    if until:
        try:
            moment = dt.datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            initial["repeat_until"] = moment.astimezone(recurrence.zone(activity.time_zone)).date()
        except ValueError:
            pass
    return initial


class ActivityForm(RecordForm):
    """Plan or change an activity. `owners` are the people the actor may plan for (a colleague's or
    a team's calendar); with only the actor, the owner is not asked. Participant contacts are chosen
    among those the actor sees."""

    record_type = "activity"
    instance: Activity | None

    type = forms.ModelChoiceField(label=_("Type"), queryset=ActivityType.objects.none(), empty_label=None)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), empty_label=None, required=False)
    related_type = forms.ChoiceField(
        label=_("About"),
        choices=[("", _("No record")), *[(key, capfirst(label)) for key, label in RelatedType.choices]],
        required=False,
    )
    related_id = forms.CharField(label=_("Record"), required=False)
    start = _datetime_field(_("Start"))
    end = _datetime_field(_("End"), help_text=_("Empty: the type's usual length."))
    all_day = forms.BooleanField(label=_("All day"), required=False)
    due_date = _date_field(_("Due date"))
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    reminder_minutes = forms.IntegerField(
        label=_("Reminder (minutes before)"), min_value=0, max_value=MAX_MINUTES, required=False
    )
    participant_users = forms.ModelMultipleChoiceField(
        label=_("Participants"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    participant_contacts = IdListField(label=_("Participating contacts"), required=False)
    repeat = forms.ChoiceField(label=_("Repeat"), choices=REPEAT_CHOICES, required=False)
    repeat_interval = forms.IntegerField(label=_("Every"), min_value=1, max_value=366, initial=1, required=False)
    repeat_until = _date_field(_("Until"))
    repeat_count = forms.IntegerField(label=_("Times"), min_value=1, max_value=recurrence.MAX_COUNT, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, actor: User, instance: Activity | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs["initial"] = {**self._initial_from(instance), **kwargs.get("initial", {})}
        super().__init__(*args, actor=actor, instance=instance, **kwargs)
        type_field = self.fields["type"]
        type_field.queryset = _types(instance.type if instance is not None else None)  # type: ignore[attr-defined]
        self._owner_choices(actor, instance)
        users = User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")
        self.fields["participant_users"].queryset = users  # type: ignore[attr-defined]
        related_type = str(self.data.get("related_type", "") if self.is_bound else self.initial.get("related_type", ""))
        self.fields["related_id"].widget = RelatedSearchWidget(actor, related_type)
        self.fields["participant_contacts"].widget = ContactsSearchWidget(actor)

    def _owner_choices(self, actor: User, instance: Activity | None) -> None:
        owners = calendar_users(actor)
        if instance is not None:
            owners = User.objects.filter(Q(pk__in=owners.values("pk")) | Q(pk=instance.owner_id)).order_by(
                "first_name", "last_name", "email"
            )
        field = self.fields["owner"]
        field.queryset = owners  # type: ignore[attr-defined]
        if instance is None and not self.initial.get("owner"):
            field.initial = actor.pk
        if instance is None and not owners.exclude(pk=actor.pk).exists():
            del self.fields["owner"]  # only oneself: nothing to choose

    @staticmethod
    def _initial_from(activity: Activity) -> dict[str, Any]:
        return {
            "type": activity.type_id,
            "subject": activity.subject,
            "owner": activity.owner_id,
            "related_type": activity.related_type,
            "related_id": activity.related_id or "",
            "all_day": activity.all_day,
            "start": activity.start,
            "end": activity.end,
            "due_date": activity.due_date,
            "location": activity.location,
            "participant_users": [user.pk for user in activity.participant_users.all()],
            "participant_contacts": [contact.pk for contact in activity.participant_contacts.all()],
            "reminder_minutes": activity.reminder_minutes,
            "description": activity.description,
            **repeat_initial(activity),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("repeat"):
            has_until, has_count = bool(data.get("repeat_until")), bool(data.get("repeat_count"))
            if has_until and has_count:
                self.add_error("repeat_count", REPEAT_ONE_END)
            elif not has_until and not has_count:
                self.add_error("repeat_until", REPEAT_NEEDS_END)
        if data.get("related_type") and not str(data.get("related_id") or "").strip():
            self.add_error("related_id", RELATED_NEEDS_RECORD)
        activity_type = data.get("type")
        start, end = data.get("start"), data.get("end")
        if start and not end and not data.get("all_day") and activity_type is not None:
            # the form shows the end it will save; the services would pick the same on create
            data["end"] = start + dt.timedelta(minutes=activity_type.default_duration)
        return data

    def standard_bound_fields(self) -> list[forms.BoundField]:
        """The activity's own fields (the custom ones are shown apart)."""
        return [self[name] for name in self.fields if not name.startswith("cf_")]

    def _contact_ids(self) -> list[str]:
        """The chosen contacts, and those already taking part whom the actor does not see: the dialog
        never showed them, so it cannot have taken them off."""
        chosen = list(self.cleaned_data.get("participant_contacts") or [])
        if self.instance is not None:
            hidden = self.instance.participant_contacts.exclude(pk__in=visible_to(self.actor, Contact).values("pk"))
            chosen += [str(pk) for pk in hidden.values_list("pk", flat=True) if str(pk) not in chosen]
        return chosen

    def repeat_changed(self) -> bool:
        return self.instance is None or any(name in self.changed_data for name in REPEAT_FIELDS)

    def service_values(self) -> dict[str, Any]:
        """The fields as the services take them."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "type": data["type"].pk,
            "subject": data["subject"],
            "related_type": data.get("related_type") or "",
            "related_id": (str(data.get("related_id") or "").strip() or None) if data.get("related_type") else None,
            "all_day": bool(data.get("all_day")),
            "start": data.get("start"),
            "end": data.get("end"),
            "due_date": data.get("due_date"),
            "location": data.get("location", ""),
            "participant_users": [user.pk for user in data.get("participant_users") or []],
            "participant_contacts": self._contact_ids(),
            "reminder_minutes": data.get("reminder_minutes"),
            "description": data.get("description", ""),
        }
        if "owner" in self.fields and data.get("owner") is not None:
            values["owner"] = data["owner"].pk
        if self.repeat_changed():
            values["rrule"] = rrule_text(
                data.get("repeat", ""), data.get("repeat_interval"), data.get("repeat_until"), data.get("repeat_count")
            )
        return values


def initial_for_slot(*, start: dt.datetime | None, day: dt.date | None, all_day: bool = False) -> dict[str, Any]:
    """What a click on a free slot pre-fills: its time (day and week views) or its day (month view,
    09:00 — a working morning — unless the click was on the all-day row)."""
    if start is not None:
        return {"start": timezone.localtime(start)}
    if day is not None and all_day:
        return {"all_day": True, "start": timezone.make_aware(dt.datetime.combine(day, dt.time()))}
    if day is not None:
        return {"start": timezone.make_aware(dt.datetime.combine(day, dt.time(9)))}
    return {}


class OutcomeForm(forms.Form):
    """Mark an activity done with its result, and optionally plan the next step in the same dialog."""

    outcome_code = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *OutcomeCode.choices], required=False)
    outcome_text = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    expenses = forms.DecimalField(label=_("Expenses"), min_value=0, max_digits=18, decimal_places=2, required=False)
    plan_next = forms.BooleanField(label=_("Plan the next step"), required=False)
    next_type = forms.ModelChoiceField(
        label=_("Next step: type"), queryset=ActivityType.objects.none(), required=False, empty_label=None
    )
    next_subject = forms.CharField(label=_("Next step: subject"), max_length=200, required=False)
    next_start = _datetime_field(_("Next step: start"))
    next_due_date = _date_field(_("Next step: due date"))

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        initial = {
            "outcome_code": activity.outcome_code,
            "outcome_text": activity.outcome_text,
            "expenses": activity.expenses or None,
            "next_type": activity.type_id if activity.type.active else None,
        }
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["next_type"].queryset = _types()  # type: ignore[attr-defined]
        if activity.type.outcome_required:
            self.fields["outcome_code"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("plan_next"):
            if not (data.get("next_subject") or "").strip():
                self.add_error("next_subject", NEXT_NEEDS_SUBJECT)
            if not data.get("next_start") and not data.get("next_due_date"):
                self.add_error("next_start", NEXT_NEEDS_TIME)
        return data

    def next_activity(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("plan_next"):
            return None
        following: dict[str, Any] = {"type": data["next_type"].pk if data.get("next_type") else None}
        following["subject"] = data["next_subject"]
        if data.get("next_start"):
            following["start"] = data["next_start"]
        if data.get("next_due_date"):
            following["due_date"] = data["next_due_date"]
        return following

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "outcome_code": data.get("outcome_code", ""),
            "outcome_text": data.get("outcome_text", ""),
            "expenses": data.get("expenses"),
            "next_activity": self.next_activity(),
        }
