from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "rapport.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from rapport.activities import hooks
        from rapport.activities.models import Activity
        from rapport.activities.reference import ensure_activity_types
        from rapport.activities.services import AUDIT_FIELDS
        from rapport.core import records

        records.register(
            records.RecordType(
                key="activity",
                model=Activity,
                label=_("activity"),
                label_plural=_("activities"),
                detail_url_name="activities:activity_detail",
                audit_fields=AUDIT_FIELDS,
                describe=lambda a: f"{a.type} · {a.get_status_display()}",
            )
        )
        hooks.register()
        post_migrate.connect(ensure_activity_types, sender=self, dispatch_uid="rapport.activities.reference")
