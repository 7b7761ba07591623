"""Full-text search over lead names, companies and e-mail (FTS5 or GIN, by engine)."""

from django.db import migrations

from rapport.leads.models import Lead


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]

    operations = [*Lead.search_index.operations()]
