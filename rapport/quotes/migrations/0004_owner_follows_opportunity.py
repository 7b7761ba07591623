"""Quotes are scoped on their stored owner from now on (decision 0011): make every quote's owner its
opportunity's, for a quote whose opportunity changed hands before the pipeline told the quotes app."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def follow(apps, schema_editor):
    Quote = apps.get_model("quotes", "Quote")
    Opportunity = apps.get_model("pipeline", "Opportunity")
    owner = Opportunity.objects.filter(pk=OuterRef("opportunity_id")).values("owner_id")[:1]
    Quote.objects.exclude(owner_id=Subquery(owner)).update(owner_id=Subquery(owner))


class Migration(migrations.Migration):
    dependencies = [("quotes", "0003_list_sort_indexes"), ("pipeline", "0001_initial")]

    operations = [migrations.RunPython(follow, migrations.RunPython.noop)]
