from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "rapport.core"
    label = "core"
    verbose_name = _("Rapport core")

    def ready(self) -> None:
        from rapport.core.reference import ensure_reference_data

        # Infrastructure, not business behaviour: like Django's own content types, reference rows
        # follow the schema. post_migrate fires after every migration ran, so all tables exist.
        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="rapport.core.reference")
