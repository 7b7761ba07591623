from django.contrib import admin

from rapport.activities.models import Activity, ActivityType


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin[ActivityType]):
    list_display = ("name", "code", "colour", "default_duration", "outcome_required", "active", "order")
    list_editable = ("active", "order")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ("subject", "type", "owner", "start", "due_date", "status", "cost")
    list_filter = ("type", "status")
    search_fields = ("subject",)
    raw_id_fields = ("owner", "participant_users", "participant_contacts", "created_by")
