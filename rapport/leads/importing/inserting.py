"""A lean multi-row INSERT for the import's batches (leads, tag links, audit entries).

`QuerySet.bulk_create` prepares every value of every row through the field's generic machinery
(pre_save, get_db_prep_save, a placeholder per value); for a thousand 50-column leads that was
most of a batch's time. Here each column gets its conversion chosen once — none at all for text,
numbers and ids, which the database drivers take as they are — and the rows go out as
`INSERT … VALUES (…), (…) RETURNING id` on SQLite (3.35+), and as `COPY … FROM STDIN` on PostgreSQL
(ids taken from the sequence first; one array per column, `INSERT … SELECT * FROM UNNEST(…)`, when
conflicts are to be ignored). Field defaults,
`auto_now`/`auto_now_add` and validation are the caller's business, as with `bulk_create`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from rapport.core.binding import bound_cursor

Prepare = Callable[[Any], Any]
Column = models.Field[Any, Any]

_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)


def _preparer(field: Column, database: BaseDatabaseWrapper) -> Prepare | None:
    """None when the driver takes the Python value as it is (a foreign key: as its target's).

    Otherwise the field's own conversion, remembering the last value: a batch repeats the same
    timestamp, None or empty JSON object in every row.
    """
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, _AS_IS) and not isinstance(target, models.DecimalField | models.UUIDField):
        return None
    convert = field.get_db_prep_save
    last: list[Any] = [_NOTHING, None]

    def prepare(value: Any) -> Any:
        if value is last[0] or (value == {} and last[0] == {} and type(value) is type(last[0])):
            return last[1]
        last[0], last[1] = value, convert(value, database)
        return last[1]

    return prepare


_NOTHING = object()


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Every column but an automatic primary key (the database numbers the rows)."""
    return [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]


def insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert the objects as they are (every column); each gets its new primary key."""
    fields = _columns(model)
    values_of = operator.itemgetter(*[f.attname for f in fields])
    rows = [values_of(obj.__dict__) for obj in objects]
    for obj, new_id in zip(objects, insert_rows(model, fields, rows, returning_ids=True), strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_rows(
    model: type[models.Model],
    fields: Sequence[Column | str],
    rows: Sequence[Sequence[Any]],
    *,
    returning_ids: bool = False,
    ignore_conflicts: bool = False,
) -> list[Any]:
    """Insert rows of Python values for these fields (no model instances); the new ids if asked."""
    if not rows:
        return []
    columns_of = [f if isinstance(f, models.Field) else cast(Column, model._meta.get_field(f)) for f in fields]
    database = connections[DEFAULT_DB_ALIAS]  # the real connection, not the per-access proxy
    preparers = [_preparer(f, database) for f in columns_of]
    converted = [(index, prepare) for index, prepare in enumerate(preparers) if prepare is not None]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in columns_of)
    placeholder = "(" + ", ".join(["%s"] * len(columns_of)) + ")"
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in columns_of)
    limit = connection.features.max_query_params or 60_000
    per_statement = max(1, min(1000, limit // len(columns_of)))
    pk = model._meta.pk
    assert pk is not None
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning_ids:
        suffix += f" RETURNING {quote(str(pk.column))}"
    unnest = connection.vendor == "postgresql"
    if unnest and not ignore_conflicts:
        return _copy_rows(model, columns_of, preparers, rows, returning_ids=returning_ids)
    new_ids: list[Any] = []
    with bound_cursor() as cursor:  # PostgreSQL's arrays go to the server as they are, not quoted in Python
        start = 0
        for size in chunk_sizes(len(rows), per_statement if unnest else _sqlite_largest(per_statement)):
            chunk = rows[start : start + size]
            start += size
            if unnest:
                # One array per column: PostgreSQL plans this once instead of parsing 50,000 placeholders.
                params: list[Any] = [
                    [row[i] for row in chunk] if prepare is None else [prepare(row[i]) for row in chunk]
                    for i, prepare in enumerate(preparers)
                ]
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM UNNEST({arrays}){suffix}", params)
            else:
                params = []
                for row in chunk:
                    if converted:
                        copy = list(row)  # the caller's row stays as it was
                        for index, prepare in converted:
                            copy[index] = prepare(copy[index])
                        params.extend(copy)
                    else:
                        params.extend(row)
                values = ", ".join([placeholder] * len(chunk))
                cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}{suffix}", params)
            if returning_ids:
                new_ids.extend(new_id for (new_id,) in cursor.fetchall())
    return new_ids


def _copy_rows(
    model: type[models.Model],
    columns_of: Sequence[Column],
    preparers: Sequence[Prepare | None],
    rows: Sequence[Sequence[Any]],
    *,
    returning_ids: bool,
) -> list[Any]:
    """PostgreSQL: `COPY … FROM STDIN`, the ids taken from the table's sequence first when asked.

    The driver writes COPY rows in C; the multi-row INSERT it replaced had each value quoted into
    the statement in Python (psycopg's client-side binding): a third of an import's time there."""
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    names = [quote(str(f.column)) for f in columns_of]
    new_ids: list[Any] = []
    with connection.cursor() as cursor:
        if returning_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, str(pk.column), len(rows)],
            )
            new_ids = [new_id for (new_id,) in cursor.fetchall()]
            names.insert(0, quote(str(pk.column)))
        statement = f"COPY {quote(model._meta.db_table)} ({', '.join(names)}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for index, row in enumerate(rows):
                values = [
                    value if prepare is None else prepare(value) for value, prepare in zip(row, preparers, strict=True)
                ]
                copy.write_row([new_ids[index], *values] if returning_ids else values)
    return new_ids


#: row counts of the multi-row INSERTs on SQLite, which compiles and caches each distinct statement
#: (a 1,000-row lead INSERT is a program of several MB): a batch's leftover rows go out in chunks of
#: these sizes, so an import reuses a few statements instead of compiling and caching one per batch.
_SQLITE_CHUNKS = (1024, 256, 64, 16, 4, 1)


def _sqlite_largest(limit: int) -> int:
    return next(size for size in _SQLITE_CHUNKS if size <= limit)


def chunk_sizes(total: int, largest: int) -> list[int]:
    """Sizes of the statements for `total` rows: `largest` as often as it fits, then the sizes below it."""
    sizes = [largest] * (total // largest)
    left = total % largest
    for size in _SQLITE_CHUNKS:
        if size < largest:
            sizes += [size] * (left // size)
            left %= size
    sizes += [1] * left
    return sizes
