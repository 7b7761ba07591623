"""Rebuild the search indexes: both engines now fold diacritics and split words at punctuation alike."""

from django.db import migrations

from rapport.customers.models import Account, Contact


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_search_indexes")]

    operations = [*Account.search_index.rebuild_operations(), *Contact.search_index.rebuild_operations()]
