"""The lead sources and qualification criteria an installation starts with (added once, when
missing; an administrator may rename, reorder or deactivate them afterwards)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from rapport.leads.models import LeadSource, QualificationCriterion

SOURCES = [
    ("campaign", gettext_noop("Campaign")),
    ("purchased_list", gettext_noop("Purchased list")),
    ("web_form", gettext_noop("Web form")),
    ("referral", gettext_noop("Referral")),
    ("event", gettext_noop("Event")),
    ("own_prospecting", gettext_noop("Own prospecting")),
    ("partner", gettext_noop("Partner")),
]
CRITERIA = [
    ("budget", gettext_noop("Budget"), gettext_noop("The buyer has money set aside for this.")),
    ("authority", gettext_noop("Authority"), gettext_noop("We talk to the person who decides, or reach them.")),
    ("need", gettext_noop("Need"), gettext_noop("A need our products answer is identified.")),
    ("timeline", gettext_noop("Timeline"), gettext_noop("The buyer means to decide within a known time.")),
]


def ensure_lead_reference_data(**_kwargs: Any) -> None:
    for position, (code, name) in enumerate(SOURCES):
        LeadSource.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    for position, (key, name, description) in enumerate(CRITERIA):
        QualificationCriterion.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "position": position}
        )
