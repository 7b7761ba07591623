"""The HTML of one calendar event, written in Python.

A team's week or month draws a thousand events or more; through an `{% include %}` each, rendering
them was most of the page's time (0.6 s of 0.7 s for the company's week, profiled). The markup is the
one the template had, with every value escaped (`format_html`); the edit address is reversed once
per page. `calendar.js` reads the data attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

if TYPE_CHECKING:
    from rapport.activities.views_calendar import Event

_PLACEHOLDER = 987654321


class EventHtml:
    """Writes the events of one page (the viewer's rights and whether it shows a team are fixed)."""

    def __init__(self, *, can_edit: bool, is_team: bool) -> None:
        self.can_edit = can_edit
        self.is_team = is_team
        self.edit_url = reverse("activities:activity_edit", args=[_PLACEHOLDER])
        self.repeats = gettext("Repeats")
        self.done = gettext("Done:")
        self.cancelled = gettext("Cancelled:")
        self.type_names: dict[int, str] = {}

    def __call__(self, event: Event) -> SafeString:
        activity = event.activity
        planned = activity.status == "planned"
        movable = self.can_edit and planned
        classes = f"cal-event cal-type-{activity.type_id} {event.css_status}"
        classes += " is-all-day" if event.all_day else ""
        classes += " is-recurring" if event.recurring else ""
        position = "" if event.all_day else format_html(' data-top="{}" data-bottom="{}"', event.top, event.bottom)
        flags = (" data-movable" if movable else "") + (" data-recurring" if event.recurring else "")
        title = f"{self._type_name(activity)} · {activity.subject}" + (
            f" · {activity.location}" if activity.location else ""
        )
        return format_html(
            '<a class="{}" href="{}" data-dialog data-activity="{}" data-occurrence="{}"{}{} title="{}">{}'
            '<span class="cal-event-subject">{}{}{}</span>{}{}</a>',
            classes,
            self.edit_url.replace(str(_PLACEHOLDER), str(activity.pk)),
            activity.pk,
            event.occurrence_key,
            position,
            mark_safe(flags),  # fixed attribute names, no value
            title,
            self._time(event),
            format_html('<span class="cal-repeat" title="{}">↻</span> ', self.repeats) if event.recurring else "",
            self._status_word(activity.status),
            activity.subject,
            format_html('<span class="cal-event-owner">{}</span>', event.owner.get_short_name())
            if self.is_team and event.owner
            else "",
            mark_safe('<span class="cal-resize" aria-hidden="true"></span>') if movable and not event.all_day else "",
        )

    def _type_name(self, activity: object) -> str:
        type_id = activity.type_id  # type: ignore[attr-defined]
        if type_id not in self.type_names:
            self.type_names[type_id] = str(activity.type)  # type: ignore[attr-defined]
        return self.type_names[type_id]

    @staticmethod
    def _time(event: Event) -> SafeString | str:
        if event.all_day or not event.start:
            return ""
        end = f"\u2013{timezone.localtime(event.end):%H:%M}" if event.end else ""  # an en dash
        start = f"{timezone.localtime(event.start):%H:%M}"
        return format_html('<span class="cal-event-time">{}{}</span> ', start, end)  # a space, as before the subject

    def _status_word(self, status: str) -> SafeString | str:
        word = {"done": self.done, "cancelled": self.cancelled}.get(status)
        return format_html('<span class="visually-hidden">{} </span>', word) if word else ""
