"""The lead sources and qualification criteria an installation starts with (added once, when
missing; an administrator may rename, reorder or deactivate them afterwards)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop, override, pgettext_lazy

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
    (
        "budget",
        pgettext_lazy("qualification criterion", "Budget"),
        gettext_noop("The buyer has money set aside for this."),
    ),
    (
        "authority",
        pgettext_lazy("qualification criterion", "Authority"),
        gettext_noop("We talk to the person who decides, or reach them."),
    ),
    (
        "need",
        pgettext_lazy("qualification criterion", "Need"),
        gettext_noop("A need our products answer is identified."),
    ),
    (
        "timeline",
        pgettext_lazy("qualification criterion", "Timeline"),
        gettext_noop("The buyer means to decide within a known time."),
    ),
]


def ensure_lead_reference_data(**_kwargs: Any) -> None:
    for position, (code, name) in enumerate(SOURCES):
        LeadSource.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    with override(None):  # stored as the English msgid; shown translated (QualificationCriterion.__str__)
        criteria = [(key, str(name), description) for key, name, description in CRITERIA]
    for position, (key, name, description) in enumerate(criteria):
        QualificationCriterion.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "position": position}
        )
