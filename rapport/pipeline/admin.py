"""Django's admin for the pipeline: a fallback for operators, mostly to read. Opportunities are
changed on Rapport's own pages (every move goes through the stage gate and the stage history);
the stage history is never changed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rapport.pipeline.models import Opportunity, Pipeline, Stage, StageChange


class StageInline(admin.TabularInline[Stage, Pipeline]):
    model = Stage
    extra = 0
    fields = ("name", "order", "probability", "kind", "forecast_category", "stuck_after_days")


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin[Pipeline]):
    list_display = ("name", "position", "active")
    list_filter = ("active",)
    inlines = (StageInline,)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin[Opportunity]):
    """Read-only: a change here would skip the gate, the history and the audit trail."""

    list_display = ("name", "account", "owner", "stage", "amount_amount", "amount_currency", "close_date")
    list_filter = ("pipeline", "stage", "forecast_category")
    search_fields = ("name",)
    list_select_related = ("account", "owner", "stage", "amount_currency")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin[StageChange]):
    """The immutable stage history: read only."""

    list_display = ("opportunity", "from_stage", "to_stage", "by", "at", "amount", "probability")
    list_select_related = ("opportunity", "from_stage", "to_stage", "by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
