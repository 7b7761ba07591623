from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotesConfig(AppConfig):
    name = "rapport.quotes"
    label = "quotes"
    verbose_name = _("Quotes")

    def ready(self) -> None:
        from rapport.core import periodic, records
        from rapport.quotes import artefacts
        from rapport.quotes.models import Quote
        from rapport.quotes.services.common import AUDIT_FIELDS

        records.register(
            records.RecordType(
                key="quote",
                model=Quote,
                label=_("quote"),
                label_plural=_("quotes"),
                detail_url_name="quotes:quote_detail",
                audit_fields=AUDIT_FIELDS,
                # A quote is seen by whoever sees its opportunity: its stored owner is always the
                # opportunity's (`follow_opportunity_owner`), and scoping on it uses the list's
                # indexes instead of a join to a million opportunities (decision 0011).
                describe=lambda q: f"{q.display_number} · {q.total:,.2f} {q.currency_id}",
            )
        )
        artefacts.register()
        from rapport.quotes.services.workflow import quotes_expire

        periodic.register("quotes expired", quotes_expire)
        from rapport.pipeline import panels
        from rapport.quotes import timeline
        from rapport.quotes.views.panel import opportunity_quotes_panel

        timeline.register()
        panels.register("quotes", opportunity_quotes_panel)
        from rapport.pipeline.signals import opportunity_owner_changed
        from rapport.quotes.services.common import follow_opportunity_owner

        opportunity_owner_changed.connect(follow_opportunity_owner, dispatch_uid="quotes.follow_owner")
