from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "rapport.pipeline"
    label = "pipeline"
    verbose_name = _("Pipeline")

    def ready(self) -> None:
        from rapport.core import records
        from rapport.pipeline import gates, timeline
        from rapport.pipeline.models import Opportunity
        from rapport.pipeline.services.opportunities import AUDIT_FIELDS

        records.register(
            records.RecordType(
                key="opportunity",
                model=Opportunity,
                label=_("opportunity"),
                label_plural=_("opportunities"),
                detail_url_name="pipeline:opportunity_detail",
                audit_fields=AUDIT_FIELDS,
                # The account (read with the results) and the amount: no query per result.
                describe=lambda o: f"{o.account.name} · {o.amount_amount:,.2f} {o.amount_currency_id}",
            )
        )
        gates.register_builtin_artefacts()
        timeline.register()
        import rapport.pipeline.conversion  # noqa: F401  (registers the lead → opportunity maker)
        from rapport.pipeline.reference import ensure_default_pipeline

        post_migrate.connect(ensure_default_pipeline, sender=self, dispatch_uid="rapport.pipeline.reference")
