"""Full-text search indexes on account names and contact names/e-mail (FTS5 or GIN, by engine)."""

from django.db import migrations

from rapport.customers.models import Account, Contact


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [*Account.search_index.operations(), *Contact.search_index.operations()]
