"""A lead's name key now ends with the first word of its company's key (decision 0007)."""

from typing import Any

from django.db import migrations

from rapport.core import normalize

BATCH = 2000


def refill(apps: Any, schema_editor: Any) -> None:
    lead_model = apps.get_model("leads", "Lead")
    last = 0
    while True:
        batch = list(lead_model.objects.filter(pk__gt=last).only("first_name", "last_name", "company").order_by("pk")[:BATCH])
        if not batch:
            return
        for lead in batch:
            lead.name_key = normalize.name_key(lead.first_name, lead.last_name, lead.company)
        lead_model.objects.bulk_update(batch, ["name_key"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_fewer_indexes")]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
