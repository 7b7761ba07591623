"""Fast batch inserts for demo data at benchmark sizes (a million rows in about a minute).

`bulk_create` spends ~0.3 ms per row compiling SQL, which makes a benchmark database take many
minutes. `RowWriter` inserts plain tuples instead: COPY on PostgreSQL, one prepared `executemany`
elsewhere. Rows carry their own ids (the generator numbers them from the table's current
maximum), so parents, main accounts and links are known without reading anything back;
`reset_sequences()` moves PostgreSQL's id sequences past them afterwards (SQLite's AUTOINCREMENT
follows explicit ids by itself).

Values go through each field's own `get_db_prep_save` where the database needs it (dates, money,
JSON); a column the generator does not give gets the field's default, so a field added to the
model later does not break seeding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models

_PREPARED = (models.DateField, models.DecimalField, models.JSONField, models.TimeField, models.UUIDField)


class RowWriter:
    """Inserts tuples whose values follow `attnames` (e.g. "id", "name", "owner_id") into `model`'s table."""

    def __init__(self, model: type[models.Model], attnames: Sequence[str]) -> None:
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(attnames) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no column for {sorted(unknown)}")
        self.given = list(attnames)
        self.missing = [f for name, f in fields.items() if name not in attnames]
        self.columns = [str(fields[name].column) for name in self.given] + [str(f.column) for f in self.missing]
        self.converters: list[tuple[int, Callable[[Any], Any]]] = [
            (i, self._converter(fields[name]))
            for i, name in enumerate(self.given)
            if isinstance(fields[name], _PREPARED)
        ]

    @staticmethod
    def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
        def convert(value: Any) -> Any:
            return None if value is None else field.get_db_prep_save(value, connection)

        return convert

    def _prepared(self, rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
        defaults = [f.get_db_prep_save(f.get_default(), connection) for f in self.missing]
        prepared = []
        for row in rows:
            values = list(row)
            for index, convert in self.converters:
                values[index] = convert(values[index])
            prepared.append((*values, *defaults))
        return prepared

    def insert(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert the rows (within the caller's transaction); returns how many."""
        prepared = self._prepared(rows)
        if not prepared:
            return 0
        quote = connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)
        return len(prepared)


def next_id(model: type[models.Model]) -> int:
    """The first free id above every existing row of `model`."""
    highest = model._default_manager.aggregate(highest=models.Max("pk"))["highest"]
    return int(highest or 0) + 1


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """Move id sequences past explicitly inserted ids (PostgreSQL; a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
