"""Full-text search behind one interface, on SQLite (FTS5) and PostgreSQL (GIN over tsvector).

A record type declares its searchable text columns once (`SearchIndex`); its migration creates
the index with `SearchIndex.operations()`, and `matching(queryset, index, text)` narrows any
queryset — already restricted by `visible_to` — to records whose words start with the words typed.
Prefix matching: "acm cor" finds "Acme Corporation".

Both engines behave alike: words are split at any punctuation (so "anna.nowak@acme.pl" is found
by "nowak" and by the whole address) and Latin letters match without their diacritics in either
direction ("lodz" finds "Łódź", "łódź" finds "Lodz"). SQLite's tokenizer removes diacritics itself
except from the few letters Unicode does not decompose (ł, ø, đ…), which its triggers fold; on
PostgreSQL one immutable function (`rapport_search_fold`, plain `translate()`, no extension) folds
the document and the query is folded in Python with the same table. Changing the table needs the
indexes rebuilt (reverse and re-apply the search-index migrations).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, migrations, models
from django.db.models.expressions import RawSQL

M = TypeVar("M", bound=models.Model)

MAX_WORDS = 8
MAX_WORD_LENGTH = 40
_WORD = re.compile(r"\w+", re.UNICODE)

#: Latin letters that no Unicode decomposition turns into an ASCII letter, or that SQLite's
#: tokenizer leaves alone (ǡ): folded explicitly on both engines.
_SPECIAL_FOLDS = {
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H",
    "ı": "i", "ŧ": "t", "Ŧ": "T", "ǡ": "a", "Ǡ": "A",  # noqa: RUF001 — these letters are the point
}  # fmt: skip
#: every folded letter is in these ranges (the PostgreSQL function relies on it)
_LATIN_RANGES = (range(0xC0, 0x250), range(0x1E00, 0x1F00))
PG_FOLD_FUNCTION = "rapport_search_fold"


def _fold_map() -> dict[str, str]:
    """Accented Latin letter → its ASCII letter, the same set SQLite's `remove_diacritics 2` folds."""
    folds: dict[str, str] = {}
    for block in _LATIN_RANGES:
        for code in block:
            letter = chr(code)
            base = "".join(c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c))
            if base != letter and len(base) == 1 and base.isascii() and base.isalpha():
                folds[letter] = base
    return folds | _SPECIAL_FOLDS


FOLDS = _fold_map()
_FOLD_TABLE = str.maketrans(FOLDS)


def fold(text: str) -> str:
    """Lower-case text without diacritics on Latin letters: what the indexes hold and queries ask."""
    if text.isascii():  # most names and e-mails: nothing to fold, and much faster (an import folds millions)
        return text.lower()
    return text.translate(_FOLD_TABLE).lower()


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _pg_translate(folds: dict[str, str]) -> str:
    # PostgreSQL's parser keeps "a.b@c.d", "3.5" or "12-34" as one token where SQLite splits them:
    # ASCII punctuation becomes a space so both engines see the same words.
    source = "".join(folds) + string.punctuation
    target = "".join(folds.values()) + " " * len(string.punctuation)
    return f"translate($1, {_sql_literal(source)}, {_sql_literal(target)})"


def _pg_fold_function() -> str:
    """The folding function the GIN indexes are built on; the same result as `fold` before lower-casing.

    `translate()` compares every character with every letter of its list, so one call with all
    ~500 folded letters cost ~80-150 µs a row: most of the price of writing a lead, and of every
    row a search re-checks. Text without any letter of the Latin ranges (most names, e-mails,
    Chinese) needs only the punctuation; the rest almost always needs only the letters below
    U+0180 (Polish, German, French…). Each branch gives exactly what the whole list would, so the
    indexes stay valid whichever version built them."""
    common = {letter: base for letter, base in FOLDS.items() if ord(letter) < _COMMON_BELOW}
    rare = [range(max(r.start, _COMMON_BELOW), r.stop) for r in _LATIN_RANGES if r.stop > _COMMON_BELOW]
    return (
        f"CREATE OR REPLACE FUNCTION {PG_FOLD_FUNCTION}(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fold$ SELECT CASE "
        f"WHEN $1 !~ {_pg_class(_LATIN_RANGES)} THEN {_pg_translate({})} "
        f"WHEN $1 ~ {_pg_class(rare)} THEN {_pg_translate(FOLDS)} "
        f"ELSE {_pg_translate(common)} END $fold$"
    )


_COMMON_BELOW = 0x180  # Latin-1 Supplement and Latin Extended-A


def _pg_class(ranges: Sequence[range]) -> str:
    """A PostgreSQL regular expression matching any character of `ranges` (every folded letter is in them)."""
    return "'[" + "".join(f"\\u{r.start:04x}-\\u{r.stop - 1:04x}" for r in ranges) + "]'"


def replace_pg_fold_function(apps: Any, schema_editor: Any) -> None:
    """Migration step: (re)create the folding function on PostgreSQL; nothing to do elsewhere."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_pg_fold_function(), params=None)


def _sqlite_fold(expression: str) -> str:
    for letter, base in _SPECIAL_FOLDS.items():
        expression = f"replace({expression}, '{letter}', '{base}')"
    return expression


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
        return f"to_tsvector('simple'::regconfig, {PG_FOLD_FUNCTION}({parts}))"

    def _sqlite_create(self) -> list[str]:
        cols = ", ".join(self.columns)
        new_vals = ", ".join(_sqlite_fold(f"new.{c}") for c in self.columns)
        old_vals = ", ".join(_sqlite_fold(f"old.{c}") for c in self.columns)
        all_vals = ", ".join(_sqlite_fold(c) for c in self.columns)
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
            # Not 'rebuild': that would index the raw columns, without the triggers' folding.
            f"INSERT INTO {fts}(rowid, {cols}) SELECT id, {all_vals} FROM {self.table}",
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
                [
                    _pg_fold_function(),
                    f"CREATE INDEX IF NOT EXISTS {self.pg_index} ON {self.table} USING gin ({self.pg_document()})",
                ]
                if create
                else [f"DROP INDEX IF EXISTS {self.pg_index}"]
            )
        else:  # other engines fall back to LIKE, without an index
            statements = []
        for statement in statements:
            schema_editor.execute(statement, params=None)  # literal SQL: a "%" is not a placeholder

    def operations(self) -> list[migrations.operations.base.Operation]:
        """Migration operations that create (and on reverse, drop) this index."""
        return [
            migrations.RunPython(
                lambda apps, se: self._run(apps, se, create=True),
                lambda apps, se: self._run(apps, se, create=False),
                elidable=False,
            )
        ]

    def rebuild_operations(self) -> list[migrations.operations.base.Operation]:
        """Migration operations that drop and recreate this index (after the folding rules changed)."""

        def rebuild(apps: Any, schema_editor: Any) -> None:
            self._run(apps, schema_editor, create=False)
            self._run(apps, schema_editor, create=True)

        return [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=False)]


class _AmongMatches(models.Expression):
    """`<pk> = ANY(ARRAY(<matches>))`: PostgreSQL finds the matches first, through the GIN index, once.

    Written as a plain filter, the planner may instead walk the list's sort index (name order) and
    fold each row's text until it has a page — the folded document costs ~80 µs a row, and matches
    cluster (a market's surnames, a team's customers), so a rare or invisible word read most of a
    million-row table: seconds per search. The array subquery is computed before the outer query,
    which then fetches those rows by id and sorts them (see docs/performance.md).
    """

    output_field = models.BooleanField()

    def __init__(self, column: Any, matches: models.QuerySet[Any]) -> None:
        super().__init__()
        self.column = column
        self.matches = matches

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column_sql, column_params = compiler.compile(self.column)
        # Compiled on its own, the subquery keeps its table's real name, which the document's
        # qualified column names refer to.
        matches_sql, matches_params = self.matches.query.get_compiler(connection=connection).as_sql()
        return f"{column_sql} = ANY(ARRAY({matches_sql}))", (*column_params, *matches_params)


def words(text: str) -> list[str]:
    return [w[:MAX_WORD_LENGTH] for w in _WORD.findall(fold(text))][:MAX_WORDS]


def matching(queryset: models.QuerySet[M], index: SearchIndex, text: str) -> models.QuerySet[M]:
    """Records of `queryset` whose indexed words start with each word of `text` (all of them).

    Text with no word in it ("*", "😀", "--") matches nothing; only empty text leaves the queryset as it is.
    """
    terms = words(text)
    if not terms:
        return queryset.none() if text.strip() else queryset
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
        matches = queryset.filter(condition).order_by().values("pk")
        return queryset.filter(_AmongMatches(models.F("pk"), matches))
    fallback = models.Q()
    for term in terms:
        any_column = models.Q()
        for column in index.columns:
            any_column |= models.Q(**{f"{column}__icontains": term})
        fallback &= any_column
    return queryset.filter(fallback)
