"""Full-text search behind one interface, on SQLite (FTS5) and PostgreSQL (GIN over tsvector).

A record type declares its searchable text columns once (`SearchIndex`); its migration creates
the index with `SearchIndex.operations()`, and `matching(queryset, index, text)` narrows any
queryset — already restricted by `visible_to` — to records whose words start with the words typed.
Prefix matching: "acm cor" finds "Acme Corporation".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, migrations, models
from django.db.models.expressions import RawSQL

M = TypeVar("M", bound=models.Model)

MAX_WORDS = 8
MAX_WORD_LENGTH = 40
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchIndex:
    table: str
    columns: tuple[str, ...]

    @property
    def fts_table(self) -> str:
        return f"{self.table}_fts"

    @property
    def pg_index(self) -> str:
        return f"{self.table}_search_idx"[:63]

    def pg_document(self, qualified: bool = False) -> str:
        prefix = f'"{self.table}".' if qualified else ""
        parts = " || ' ' || ".join(f"coalesce({prefix}\"{c}\", '')" for c in self.columns)
        return f"to_tsvector('simple'::regconfig, {parts})"

    def _sqlite_create(self) -> list[str]:
        cols = ", ".join(self.columns)
        new_vals = ", ".join(f"new.{c}" for c in self.columns)
        old_vals = ", ".join(f"old.{c}" for c in self.columns)
        fts = self.fts_table
        return [
            f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{self.table}', content_rowid='id', "
            "tokenize=\"unicode61 remove_diacritics 2\", prefix='2 3')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {self.table} BEGIN "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new_vals}); END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {self.table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old_vals}); END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {self.table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old_vals}); "
            f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new_vals}); END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ]

    def _sqlite_drop(self) -> list[str]:
        fts = self.fts_table
        return [f"DROP TRIGGER IF EXISTS {fts}_{s}" for s in ("ai", "ad", "au")] + [f"DROP TABLE IF EXISTS {fts}"]

    def _run(self, apps: Any, schema_editor: Any, create: bool) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            statements = self._sqlite_create() if create else self._sqlite_drop()
        elif vendor == "postgresql":
            statements = (
                [f"CREATE INDEX IF NOT EXISTS {self.pg_index} ON {self.table} USING gin ({self.pg_document()})"]
                if create
                else [f"DROP INDEX IF EXISTS {self.pg_index}"]
            )
        else:  # other engines fall back to LIKE, without an index
            statements = []
        for statement in statements:
            schema_editor.execute(statement)

    def operations(self) -> list[migrations.operations.base.Operation]:
        """Migration operations that create (and on reverse, drop) this index."""
        return [
            migrations.RunPython(
                lambda apps, se: self._run(apps, se, create=True),
                lambda apps, se: self._run(apps, se, create=False),
                elidable=False,
            )
        ]


def words(text: str) -> list[str]:
    return [w[:MAX_WORD_LENGTH] for w in _WORD.findall(text.lower())][:MAX_WORDS]


def matching(queryset: models.QuerySet[M], index: SearchIndex, text: str) -> models.QuerySet[M]:
    """Records of `queryset` whose indexed words start with each word of `text` (all of them)."""
    terms = words(text)
    if not terms:
        return queryset
    vendor = connection.vendor
    if vendor == "sqlite":
        expression = " ".join(f'"{t}"*' for t in terms)
        subquery = RawSQL(f"SELECT rowid FROM {index.fts_table} WHERE {index.fts_table} MATCH %s", [expression])
        return queryset.filter(pk__in=subquery)
    if vendor == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        condition = RawSQL(
            f"{index.pg_document(qualified=True)} @@ to_tsquery('simple'::regconfig, %s)",
            [tsquery],
            output_field=models.BooleanField(),
        )
        return queryset.filter(condition)
    fallback = models.Q()
    for term in terms:
        any_column = models.Q()
        for column in index.columns:
            any_column |= models.Q(**{f"{column}__icontains": term})
        fallback &= any_column
    return queryset.filter(fallback)
