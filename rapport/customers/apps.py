from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "rapport.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from rapport.core import records, timeline
        from rapport.core.services.jobs import register_handler
        from rapport.customers import exports
        from rapport.customers.models import Account, Contact
        from rapport.customers.services import ACCOUNT_FIELDS, CONTACT_FIELDS
        from rapport.customers.timeline import account_contacts_entries, audit_entries

        records.register(
            records.RecordType(
                key="account",
                model=Account,
                label=_("account"),
                label_plural=_("accounts"),
                detail_url_name="customers:account_detail",
                audit_fields=ACCOUNT_FIELDS,
                describe=lambda a: " · ".join(filter(None, [a.get_type_display(), a.city, a.country])),
            )
        )
        records.register(
            records.RecordType(
                key="contact",
                model=Contact,
                label=_("contact"),
                label_plural=_("contacts"),
                detail_url_name="customers:contact_detail",
                audit_fields=CONTACT_FIELDS,
                describe=lambda c: " · ".join(filter(None, [c.title, c.account.name if c.account_id else "", c.email])),
            )
        )
        register_handler("customers.export", exports.run_export)
        timeline.register("account", audit_entries)
        timeline.register("account", account_contacts_entries)
        timeline.register("contact", audit_entries)
