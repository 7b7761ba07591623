"""Demo quotes: offers on a share of the seeded opportunities, written by `bulk.RowWriter`.

About one opportunity in three gets a quote series; most series have one version, some were
revised once or twice (the earlier versions superseded, rejected or expired). The latest version's
status follows how such offers end: many accepted, rejected or expired, some still sent or being
drafted and approved. Lines are the catalogue's products at their list prices, with the discounts
salespeople give; every figure is computed by `rapport.quotes.totals`, as the services do, so the
stored totals are what the quote's lines add up to. Numbers follow the yearly sequence of the
quote's creation date and `QuoteSequence` ends at the highest serial of each year. No audit
entries are written, as for the other bulk-loaded rows.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from rapport.catalog.models import Product
from rapport.demo.bulk import RowWriter, next_id, reset_sequences
from rapport.pipeline.models import Opportunity
from rapport.quotes import numbering, totals
from rapport.quotes.models import Quote, QuoteLanguage, QuoteLine, QuoteSequence, QuoteSettings, QuoteStatus

Progress = Callable[[str, int, int], None]

QUOTE_COLUMNS = (
    "id", "opportunity_id", "account_id", "owner_id", "number", "version", "root_id", "status", "currency_id",
    "language", "valid_until", "terms", "subtotal", "discount_total", "net_total", "tax_total", "total",
    "tax_breakdown", "submitted_at", "sent_at", "closed_at", "link_nonce", "created_by_id", "created_at",
    "updated_at",
)  # fmt: skip
LINE_COLUMNS = (
    "id", "quote_id", "position", "product_id", "description", "quantity", "unit", "unit_price", "discount",
    "tax_rate", "gross_amount", "net_amount",
)  # fmt: skip

BATCH_SIZE = 10_000
#: versions in a series (weights): most offers are never revised
VERSIONS = ((1, 80), (2, 15), (3, 5))
#: the latest version's status (weights)
LATEST_STATUS = (
    (QuoteStatus.DRAFT, 12),
    (QuoteStatus.PENDING_APPROVAL, 3),
    (QuoteStatus.APPROVED, 2),
    (QuoteStatus.RETURNED, 1),
    (QuoteStatus.SENT, 18),
    (QuoteStatus.ACCEPTED, 30),
    (QuoteStatus.REJECTED, 17),
    (QuoteStatus.EXPIRED, 17),
)
#: what an earlier version became
EARLIER_STATUS = ((QuoteStatus.SUPERSEDED, 70), (QuoteStatus.REJECTED, 15), (QuoteStatus.EXPIRED, 15))
LANGUAGES = ((QuoteLanguage.ENGLISH, 45), (QuoteLanguage.POLISH, 30), (QuoteLanguage.INDONESIAN, 15),
             (QuoteLanguage.TRADITIONAL_CHINESE, 10))  # fmt: skip
LINES = ((1, 20), (2, 25), (3, 25), (4, 15), (5, 10), (8, 5))
DISCOUNTS = ((Decimal("0"), 60), (Decimal("5"), 20), (Decimal("10"), 12), (Decimal("15"), 6), (Decimal("25"), 2))
SENT_OR_LATER = {
    QuoteStatus.SENT,
    QuoteStatus.ACCEPTED,
    QuoteStatus.REJECTED,
    QuoteStatus.EXPIRED,
    QuoteStatus.SUPERSEDED,
}
CLOSED = {QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED}


@dataclass(frozen=True)
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal


@dataclass(frozen=True)
class Item:
    id: int
    unit: str
    price: Decimal
    tax_rate: Decimal


def _pick[T](rng: random.Random, weighted: tuple[tuple[T, int], ...]) -> T:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def clear_quotes() -> None:
    """Delete every quote with its lines and number sequences (plain DELETEs, no signals)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(QuoteLine._meta.db_table)}")
        cursor.execute(f"UPDATE {quote(Quote._meta.db_table)} SET root_id = NULL")
        for model in (Quote, QuoteSequence):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")


class QuoteSeeder:
    def __init__(self, *, total: int, seed: int, now: dt.datetime, progress: Progress | None) -> None:
        self.total = total
        self.rng = random.Random(f"quotes-{seed}")
        self.now = now
        self.today = timezone.localdate(now)
        self.progress = progress
        self.options = QuoteSettings.current()
        self.items = [
            Item(p.pk, p.unit, p.list_price_amount, p.tax_rate)
            for p in Product.objects.filter(active=True).order_by("pk")
        ]
        self.quotes = RowWriter(Quote, QUOTE_COLUMNS)
        self.lines = RowWriter(QuoteLine, LINE_COLUMNS)
        self.quote_id = next_id(Quote)
        self.line_id = next_id(QuoteLine)
        self.serials: dict[int, int] = dict(QuoteSequence.objects.values_list("year", "last_number"))
        self.made = 0

    # --- choosing the opportunities --------------------------------------------------------------

    def _opportunities(self) -> Iterator[tuple[int, int, int, str, dt.datetime]]:
        """Opportunities in id order, each taken with the probability that gives about `total` quotes."""
        count = Opportunity.objects.count()
        mean_versions = sum(v * w for v, w in VERSIONS) / sum(w for _, w in VERSIONS)
        share = min(1.0, self.total / max(1, count) / mean_versions)
        rows = Opportunity.objects.order_by("pk").values_list(
            "pk", "account_id", "owner_id", "amount_currency_id", "created_at"
        )
        while True:  # a second pass when the first gave too few (small databases)
            for row in rows.iterator(chunk_size=20_000):
                if self.rng.random() < share:
                    yield row
            if not count:
                return

    # --- one series ---------------------------------------------------------------------------------

    def _number(self, created: dt.datetime) -> str:
        year = timezone.localdate(created).year
        self.serials[year] = self.serials.get(year, 0) + 1
        return numbering.format_number(
            self.options.number_prefix.strip(), year, self.serials[year], self.options.number_padding
        )

    def _lines(self, quote_id: int) -> tuple[list[tuple[object, ...]], totals.Totals]:
        rows: list[tuple[object, ...]] = []
        chosen: list[Line] = []
        for position in range(_pick(self.rng, LINES)):
            item = self.rng.choice(self.items)
            line = Line(
                quantity=Decimal(self.rng.choice((1, 1, 2, 3, 5, 10, 20, 50))),
                unit_price=item.price,
                discount=_pick(self.rng, DISCOUNTS),
                tax_rate=item.tax_rate,
            )
            amounts = totals.line_amounts(line)
            rows.append((
                self.line_id, quote_id, position, item.id, "", line.quantity, item.unit, line.unit_price,
                line.discount, line.tax_rate, amounts.gross, amounts.net,
            ))  # fmt: skip
            self.line_id += 1
            chosen.append(line)
        return rows, totals.compute(chosen)

    def _series(self, opportunity: tuple[int, int, int, str, dt.datetime]) -> Iterator[tuple[tuple, list]]:
        opportunity_id, account_id, owner_id, currency, opened = opportunity
        versions = _pick(self.rng, VERSIONS)
        language = _pick(self.rng, LANGUAGES)
        age = max(0.0, (self.now - opened).total_seconds())
        created = opened + dt.timedelta(seconds=self.rng.random() * min(age, 60 * 86400))
        number = self._number(created)
        root_id = self.quote_id
        for version in range(1, versions + 1):
            latest = version == versions
            status = _pick(self.rng, LATEST_STATUS if latest else EARLIER_STATUS)
            quote_id = self.quote_id
            self.quote_id += 1
            line_rows, figures = self._lines(quote_id)
            valid_until = timezone.localdate(created) + dt.timedelta(days=self.options.validity_days)
            sent = created + dt.timedelta(hours=self.rng.randint(1, 72)) if status in SENT_OR_LATER else None
            closed = sent + dt.timedelta(days=self.rng.randint(1, 25)) if sent and status in CLOSED else None
            if status == QuoteStatus.SENT and valid_until < self.today:
                status = QuoteStatus.EXPIRED  # the scheduler would have expired it
                closed = dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
            row = (
                quote_id, opportunity_id, account_id, owner_id, number, version, root_id, status, currency,
                language, valid_until, self.options.default_terms, figures.subtotal, figures.discount_total,
                figures.net_total, figures.tax_total, figures.total, figures.breakdown(),
                None, sent, closed,
                secrets.token_hex(16) if sent else "", owner_id, created, closed or sent or created,
            )  # fmt: skip
            yield row, line_rows
            created = min(self.now, (closed or sent or created) + dt.timedelta(days=self.rng.randint(1, 10)))

    # --- writing ------------------------------------------------------------------------------------

    def seed(self) -> int:
        if not self.items or not self.total:
            return 0
        quotes: list[tuple] = []
        lines: list[tuple] = []
        for opportunity in self._opportunities():
            for row, line_rows in self._series(opportunity):
                quotes.append(row)
                lines.extend(line_rows)
            if len(quotes) >= BATCH_SIZE:
                self._write(quotes, lines)
                quotes, lines = [], []
            if self.made + len(quotes) >= self.total:
                break
        self._write(quotes[: self.total - self.made], lines)
        self._finish()
        return self.made

    def _write(self, quotes: list[tuple], lines: list[tuple]) -> None:
        kept = {row[0] for row in quotes}
        with transaction.atomic():
            self.quotes.insert(quotes)
            self.lines.insert(row for row in lines if row[1] in kept)
        self.made += len(quotes)
        if self.progress:
            self.progress("quotes", self.made, self.total)

    def _finish(self) -> None:
        with transaction.atomic():
            for year, serial in self.serials.items():
                QuoteSequence.objects.update_or_create(year=year, defaults={"last_number": serial})
            reset_sequences(Quote, QuoteLine)


def seed_quotes(*, total: int, seed: int, now: dt.datetime | None = None, progress: Progress | None = None) -> int:
    """Add about `total` quotes (exactly `total`, given enough opportunities) to the demo company."""
    return QuoteSeeder(total=total, seed=seed, now=now or timezone.now(), progress=progress).seed()
