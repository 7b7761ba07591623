from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "rapport.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from rapport.core import records
        from rapport.core.services.jobs import register_handler
        from rapport.leads import exports, scoring, timeline
        from rapport.leads.importing import runner as importing_runner
        from rapport.leads.models import Lead
        from rapport.leads.reference import ensure_lead_reference_data
        from rapport.leads.services.leads import AUDIT_FIELDS

        records.register(
            records.RecordType(
                key="lead",
                model=Lead,
                label=_("lead"),
                label_plural=_("leads"),
                detail_url_name="leads:lead_detail",
                audit_fields=AUDIT_FIELDS,
                describe=lambda lead: " · ".join(filter(None, [lead.company, lead.get_status_display(), lead.email])),
            )
        )
        register_handler("leads.rescore", scoring.run_rescore)
        register_handler("leads.import", importing_runner.run_import)
        register_handler("leads.export", exports.run_export)
        timeline.register()
        post_migrate.connect(ensure_lead_reference_data, sender=self, dispatch_uid="rapport.leads.reference")
