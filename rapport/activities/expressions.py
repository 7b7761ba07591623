"""Query expressions of the activities' reads."""

from __future__ import annotations

from typing import Any

from django.db.models import DateTimeField, F, Func, Q
from django.db.models.lookups import IsNull


class Unindexed(Func):
    """A column the query planner should not look up by an index: `COALESCE(column, NULL)`, the
    same value. SQLite plans by per-index averages (`ANALYZE`'s sqlite_stat1), which make
    `start IS NULL` look like one row per owner — it is every task they ever had — and a
    `start < …` range as good as a `series_end >= …` one — it is their whole history. PostgreSQL
    gets the plain column: it plans by real statistics (and would not fold the COALESCE away)."""

    template = "COALESCE(%(expressions)s, NULL)"
    arity = 1

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return compiler.compile(self.source_expressions[0])


def no_start() -> Q:
    """`start IS NULL` (a task with only a due date) in the form the partial index of planned tasks
    is built on, which SQLite cannot mistake for a cheap look-up in (owner, start, series_end)."""
    return Q(IsNull(Unindexed(F("start"), output_field=DateTimeField()), True))
