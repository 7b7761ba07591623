"""Reads of leads; each starts from what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from rapport.core.listing import Filter, ListSpec
from rapport.core.models import User
from rapport.core.visibility import access, visible_to
from rapport.leads.models import Lead, LeadStatus, QualificationCriterion, Tag


def _with_tags(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))


LEAD_LIST = ListSpec(
    model=Lead,
    record_type="lead",
    search_index=Lead.search_index,
    filters=(
        Filter("owner", "owner_id", "owner"),
        Filter("team", "owner__team", "team"),
        Filter("status", "status", "choice", tuple(LeadStatus.values)),
        Filter("source", "source_id"),
        Filter("territory", "territory_id"),
        Filter("tag", "tags__name", "text_exact"),
        Filter("need_identified", "need_identified", "bool"),
        Filter("score_min", "score", "int_min"),
        Filter("score_max", "score", "int_max"),
        Filter("country", "country", "text"),
        Filter("company", "company", "text"),
        Filter("campaign", "campaign", "text"),
        Filter("created_after", "created_at", "date_from"),
        Filter("created_before", "created_at", "date_to"),
    ),
    orderings={
        "created": ("created_at",),
        "updated": ("updated_at",),
        "name": ("last_name", "first_name"),
        "company": ("company",),
        "score": ("score",),
        "status": ("status", "-created_at"),
        "owner": ("owner__first_name", "owner__last_name", "-created_at"),
        "country": ("country", "-created_at"),
    },
    default_ordering="-created",
    select_related=("owner", "source"),
    prefetch=_with_tags,
)


def lead_get(*, actor: User, lead_id: Any) -> Lead:
    """One lead the actor may see, with what its page and the API show."""
    lead: Lead = access(
        actor,
        Lead,
        lead_id,
        queryset=_with_tags(
            visible_to(actor, Lead).select_related(
                "owner",
                "source",
                "territory",
                "estimated_value_currency",
                "created_by",
                "converted_by",
                "converted_account",
                "converted_contact",
                "web_form",
            )
        ),
    )
    return lead


def qualification_checklist(lead: Lead) -> list[tuple[QualificationCriterion, bool]]:
    """The active criteria in order, each with whether the lead meets it."""
    met = lead.qualification or {}
    return [(c, bool(met.get(c.key))) for c in QualificationCriterion.objects.filter(active=True)]
