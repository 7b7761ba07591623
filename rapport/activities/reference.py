"""The activity types an installation starts with (added once, when missing; an administrator may
rename, recolour, reorder or deactivate them afterwards)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from rapport.activities.models import ActivityType

#: code, name (stored as the English msgid, shown translated), colour, default minutes, outcome required
TYPES = [
    ("call", gettext_noop("Call"), "#2f80ed", 15, True),
    ("meeting", gettext_noop("Meeting"), "#27ae60", 60, True),
    ("task", gettext_noop("Task"), "#828282", 30, False),
    ("email", gettext_noop("E-mail"), "#9b51e0", 10, False),
    ("presentation", gettext_noop("Presentation"), "#f2994a", 90, True),
    ("quote_to_prepare", gettext_noop("Quote to prepare"), "#eb5757", 60, False),
    ("follow_up", gettext_noop("Follow-up"), "#f2c94c", 15, True),
]


def ensure_activity_types(**_kwargs: Any) -> None:
    for order, (code, name, colour, minutes, outcome_required) in enumerate(TYPES):
        ActivityType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "colour": colour,
                "default_duration": minutes,
                "outcome_required": outcome_required,
                "order": order,
            },
        )
