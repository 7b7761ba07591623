"""Django's admin for lead tables: a fallback for operators. People use Rapport's own pages, which
keep the audit trail, scores and visibility rules; changes made here bypass them."""

from __future__ import annotations

from django.contrib import admin

from rapport.leads.models import (
    AssignmentRule,
    Lead,
    LeadSource,
    QualificationCriterion,
    ScoringRule,
    Tag,
    WebForm,
    WebFormSubmission,
)


@admin.register(LeadSource)
class LeadSourceAdmin(admin.ModelAdmin[LeadSource]):
    list_display = ("name", "code", "position", "active")
    list_filter = ("active",)
    search_fields = ("name", "code")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    search_fields = ("name",)


@admin.register(QualificationCriterion)
class QualificationCriterionAdmin(admin.ModelAdmin[QualificationCriterion]):
    list_display = ("name", "key", "position", "active")
    list_filter = ("active",)


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin[Lead]):
    list_display = ("last_name", "first_name", "company", "status", "source", "owner", "score", "created_at")
    list_filter = ("status", "source", "need_identified")
    search_fields = ("last_name", "first_name", "company", "email")
    list_select_related = ("source", "owner")
    autocomplete_fields = ("owner", "territory", "tags")
    readonly_fields = (
        "score",
        "web_form",
        "import_job",
        "converted_at",
        "converted_by",
        "converted_account",
        "converted_contact",
        "converted_opportunity_id",
        "created_by",
        "created_at",
        "updated_at",
    )


@admin.register(ScoringRule)
class ScoringRuleAdmin(admin.ModelAdmin[ScoringRule]):
    list_display = ("name", "field", "operator", "value", "points", "position", "active")
    list_filter = ("active",)


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin[AssignmentRule]):
    list_display = ("name", "position", "country", "source", "assign_to_user", "assign_to_team", "active")
    list_filter = ("active", "team_strategy")


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin[WebForm]):
    list_display = ("name", "source", "campaign", "owner", "active")
    list_filter = ("active",)


@admin.register(WebFormSubmission)
class WebFormSubmissionAdmin(admin.ModelAdmin[WebFormSubmission]):
    list_display = ("form", "at", "accepted", "lead")
    list_filter = ("accepted",)
    readonly_fields = ("form", "client", "at", "accepted", "lead")
