"""Full-text search over opportunity names (FTS5 or GIN, by engine), for the global search."""

from django.db import migrations

from rapport.pipeline.models import Opportunity


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0002_board_totals_index")]

    operations = [*Opportunity.search_index.operations()]
