"""A contact's name key now ends with the first word of their main account's name (decision 0007)."""

from typing import Any

from django.db import migrations

from rapport.core import normalize

BATCH = 2000


def refill(apps: Any, schema_editor: Any) -> None:
    contact_model = apps.get_model("customers", "Contact")
    last = 0
    while True:
        batch = list(
            contact_model.objects.filter(pk__gt=last)
            .select_related("account")
            .only("first_name", "last_name", "account__name")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            return
        for contact in batch:
            company = contact.account.name if contact.account_id else ""
            contact.name_key = normalize.name_key(contact.first_name, contact.last_name, company)
        contact_model.objects.bulk_update(batch, ["name_key"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_contact_match_keys")]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
