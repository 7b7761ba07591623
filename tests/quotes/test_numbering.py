"""Quote numbers: the format, the yearly restart, numbers given back on rollback, and no duplicate
under concurrency (two threads on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from rapport.quotes.models import QuoteSequence, QuoteSettings
from rapport.quotes.numbering import format_number, next_number
from rapport.quotes.services import quote_create

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def test_the_format_is_prefix_year_and_a_zero_padded_serial():
    assert format_number("Q", 2026, 42, 5) == "Q-2026-00042"
    assert format_number("", 2026, 7, 3) == "2026-007"
    assert format_number("OF", 2026, 123456, 4) == "OF-2026-123456"  # more digits than the padding


def test_quotes_are_numbered_in_sequence_with_the_configured_prefix_and_padding(org, deal):
    year = timezone.localdate().year
    first = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    second = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    assert (first.number, second.number) == (f"Q-{year}-00001", f"Q-{year}-00002")
    assert first.version == 1 and first.root_id == first.pk and str(first) == first.number

    QuoteSettings.objects.filter(pk=1).update(number_prefix="OF", number_padding=3)
    assert quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk).number == f"OF-{year}-003"


@pytest.mark.django_db
def test_each_year_starts_again_at_one_and_a_rolled_back_number_is_given_again():
    with transaction.atomic():
        assert next_number(today=dt.date(2026, 12, 31)) == "Q-2026-00001"
        assert next_number(today=dt.date(2027, 1, 1)) == "Q-2027-00001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number(today=dt.date(2027, 3, 1)) == "Q-2027-00002"
        raise RuntimeError("the quote was not saved")
    with transaction.atomic():
        assert next_number(today=dt.date(2027, 3, 1)) == "Q-2027-00002"
    assert dict(QuoteSequence.objects.values_list("year", "last_number")) == {2026: 1, 2027: 2}


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL): SQLite serialises writers anyway")
@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_never_get_the_same_number():
    per_thread = 25
    taken: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)
    lock = threading.Lock()

    def take() -> None:
        try:
            start.wait()
            for _ in range(per_thread):
                with transaction.atomic():
                    number = next_number(today=dt.date(2030, 6, 1))  # a year nobody has: both insert its row
                with lock:
                    taken.append(number)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(taken) == [f"Q-2030-{n:05d}" for n in range(1, 2 * per_thread + 1)]
