"""Statements whose parameters travel apart from their text, for the few hot paths with many values.

Django's PostgreSQL backend uses psycopg's client-side cursor: every parameter is quoted into the
statement in Python. For a statement with hundreds of values — an import's duplicate look-ups, an
`IN` list of 500 keys, several times per batch — that quoting was half the look-up's time. A
server-binding cursor hands the values to libpq as they are (C code), and psycopg prepares a
statement it has seen a few times, so PostgreSQL stops planning it again. SQLite binds in C anyway.
The cursor is wrapped like Django's own, so query logging and execute wrappers (the tests' query
counts) still see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorWrapper


@contextmanager
def bound_cursor() -> Iterator[CursorWrapper]:
    """A cursor of the default database that binds its parameters on the server (PostgreSQL)."""
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor != "postgresql":
        with database.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    backend = cast(Any, database)
    backend.close_if_health_check_failed()  # what `database.cursor()` does first
    backend.ensure_connection()
    with backend.wrap_database_errors:
        raw = ServerBindingCursor(backend.connection)  # type: ignore[call-arg]  # a psycopg.Cursor(connection)
    # `_prepare_cursor` is how Django wraps the cursors it makes (thread check, query logging).
    with backend._prepare_cursor(raw) as cursor:
        yield cursor
