"""The search folding function answers the same, faster (see `rapport.core.search._pg_fold_function`).

Its result does not change, so the indexes built on it stay valid and are not rebuilt."""

from django.db import migrations

from rapport.core.search import replace_pg_fold_function


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(replace_pg_fold_function, migrations.RunPython.noop, elidable=False)]
