"""`bound_cursor`: parameters bound on the server on PostgreSQL, Django's own cursor elsewhere,
and either way seen by query logging and execute wrappers (the tests' query counts)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.core.binding import bound_cursor
from rapport.customers.models import Account
from tests.factories import AccountFactory


def test_rows_and_logging_are_those_of_a_django_cursor(db):
    for name in ("Żabka", "Orlen", "Allegro"):
        AccountFactory.create(name=name)
    table = Account._meta.db_table
    with CaptureQueriesContext(connection) as queries, bound_cursor() as cursor:
        cursor.execute(f"SELECT name FROM {table} WHERE name IN (%s, %s, %s) ORDER BY id", ["Orlen", "Żabka", "Nobody"])
        rows = cursor.fetchall()

    assert [name for (name,) in rows] == ["Żabka", "Orlen"]
    assert len(queries) == 1
    expected = "ServerBindingCursor" if connection.vendor == "postgresql" else "SQLiteCursorWrapper"
    assert type(cursor.cursor).__name__ == expected
