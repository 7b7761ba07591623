from django.contrib import admin

from rapport.activities.models import Activity, ActivityDelivery, ActivityType


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


@admin.register(ActivityDelivery)
class ActivityDeliveryAdmin(admin.ModelAdmin[ActivityDelivery]):
    """What the scheduler sent: read only, so that a failed e-mail can be seen with its error."""

    list_display = ("activity", "kind", "occurrence_start", "recipient", "email_status", "email_attempts", "created_at")
    list_filter = ("kind", "email_status")
    raw_id_fields = ("activity", "recipient")
    readonly_fields = [f.name for f in ActivityDelivery._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
