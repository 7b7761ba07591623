"""The board's totals for a scoped user from an index alone: (owner, stage, …) replaces (owner, stage)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0003_search_index")]

    operations = [
        migrations.RemoveIndex(
            model_name="opportunity",
            name="pipeline_opp_owner_stage_idx",
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(
                fields=["owner", "stage", "amount_currency", "amount_amount", "probability"],
                name="pipeline_opp_owner_totals_idx",
            ),
        ),
    ]
