"""Quote numbers: "<prefix>-<year>-<zero-padded serial>", e.g. "Q-2026-00042".

The serial restarts each year and comes from `QuoteSequence`, one row per year, incremented while
the row is locked: `SELECT … FOR UPDATE` on PostgreSQL; on SQLite every transaction of Rapport
starts with `BEGIN IMMEDIATE` (settings: `transaction_mode`), which takes the database's write
lock before the read, so two writers are serialised as well. Numbers are therefore never given
twice (the unique constraint on `Quote.number` + `version` is the last line of defence); they may
have gaps only when a quote is deleted. Must run inside the caller's transaction, so that a
rolled-back quote gives its number back.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from rapport.quotes.models import QuoteSequence, QuoteSettings


def format_number(prefix: str, year: int, serial: int, padding: int) -> str:
    body = f"{year}-{serial:0{padding}d}"
    return f"{prefix}-{body}" if prefix else body


def next_number(*, today: dt.date | None = None, quote_settings: QuoteSettings | None = None) -> str:
    """Take the next number of this year (of `today`, in the company's time zone)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that saves the quote.")
    year = (today or timezone.localdate()).year
    options = quote_settings or QuoteSettings.current()
    # The row of a new year: inserted once, whoever comes first (a second insert is ignored).
    QuoteSequence.objects.bulk_create([QuoteSequence(year=year)], ignore_conflicts=True)
    sequence = QuoteSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return format_number(options.number_prefix.strip(), year, sequence.last_number, options.number_padding)
