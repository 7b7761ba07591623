"""The import's statements come in a few shapes, so SQLite compiles and caches each once per import."""

from __future__ import annotations

from django.db import connection

from rapport.customers.models import Contact
from rapport.leads.dedupe import Finder, Keys, Shapes
from rapport.leads.importing.inserting import chunk_sizes
from rapport.leads.models import Lead
from tests.factories import AccountFactory, ContactFactory


def test_leftover_rows_go_out_in_a_few_fixed_sizes():
    assert chunk_sizes(785, 1024) == [256, 256, 256, 16, 1]
    assert chunk_sizes(2100, 1000) == [1000, 1000, 64, 16, 16, 4]
    shapes = set()
    for total in range(0, 3000):
        sizes = chunk_sizes(total, 1024)
        assert sum(sizes) == total
        shapes.update(sizes)
    assert shapes == {1024, 256, 64, 16, 4, 1}


def test_lookups_of_any_size_use_the_same_statements_and_still_find_the_duplicate(db):
    contact = Contact.objects.get(pk=ContactFactory.create(email="anna@example.com").pk)

    def statements(count: int) -> set[str]:
        seen: set[str] = set()

        def record(execute, sql, params, many, context):
            seen.add(sql)
            return execute(sql, params, many, context)

        keys = [Keys(f"person{i}@example.com", "", "", "") for i in range(count)]
        keys.append(Keys(contact.email_key, "", "", ""))
        finder = Finder(Lead.objects.all(), Contact.objects.all())
        with connection.execute_wrapper(record):
            finder.load(keys)
        assert [m.id for m in finder.matches(keys[-1])] == [contact.pk]
        return seen

    assert statements(10) == statements(20)  # both padded to 32 keys


def test_lookups_bind_their_keys_on_the_postgresql_server(db):
    """Hundreds of keys per statement: quoting them in Python (psycopg's client-side cursor,
    Django's default) was half of a look-up's time."""
    contact = Contact.objects.get(pk=ContactFactory.create(email="ewa@example.com").pk)
    cursors: set[str] = set()

    def record(execute, sql, params, many, context):
        cursors.add(type(context["cursor"].cursor).__name__)
        return execute(sql, params, many, context)

    keys = [Keys(f"person{i}@example.com", "", "", "") for i in range(40)] + [Keys(contact.email_key, "", "", "")]
    finder = Finder(Lead.objects.all(), Contact.objects.all())
    with connection.execute_wrapper(record):
        finder.load(keys)

    assert [m.id for m in finder.matches(keys[-1])] == [contact.pk]
    expected = {"ServerBindingCursor"} if connection.vendor == "postgresql" else {"SQLiteCursorWrapper"}
    assert cursors == expected


def test_a_shape_compiled_for_one_batch_serves_the_next_with_other_keys(db):
    account = AccountFactory.create(name="Żabka Polska")
    anna = ContactFactory.create(email="anna@example.com", first_name="Anna", last_name="Nowak", account=account)
    piotr = ContactFactory.create(email="piotr@example.com")
    shapes = Shapes()

    def first_match(email: str) -> tuple[int, str]:
        keys = Keys(email, "", "", "")
        finder = Finder(Lead.objects.all(), Contact.objects.all(), shapes=shapes)
        finder.load([keys])
        [match] = finder.matches(keys)
        return match.id, match.label

    assert first_match("anna@example.com") == (anna.pk, "Anna Nowak (Żabka Polska)")  # the account's name read too
    compiled = dict(shapes.compiled)
    assert first_match("piotr@example.com")[0] == piotr.pk
    assert shapes.compiled == compiled  # the same statements, now with Piotr's key
