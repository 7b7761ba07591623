"""Demo quotes: on the demo's opportunities, every row valid, totals equal to what their lines add
up to, numbers unique per version and the yearly sequence carrying on after them; and
`seed_demo --add-quotes` for a database seeded earlier (the benchmark's)."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from rapport.quotes import totals
from rapport.quotes.models import Quote, QuoteLine, QuoteStatus
from rapport.quotes.numbering import next_number
from tests.demo.conftest import OPPORTUNITIES


def test_add_quotes_needs_the_demo_company(db):
    with pytest.raises(CommandError, match="demo company"):
        call_command("seed_demo", add_quotes=10, stdout=io.StringIO())


def test_the_small_demo_quotes_a_third_of_its_opportunities_and_adds_up(seeded_once, db):
    quotes = list(Quote.objects.select_related("opportunity").prefetch_related("lines"))
    assert len(quotes) == OPPORTUNITIES // 3
    assert f"{len(quotes)} quotes" in seeded_once
    for quote in quotes:
        quote.full_clean()
        assert quote.account_id == quote.opportunity.account_id and quote.owner_id == quote.opportunity.owner_id
        lines = list(quote.lines.all())
        assert lines, f"{quote} has no lines"
        figures = totals.compute(lines)
        assert (quote.subtotal, quote.discount_total, quote.tax_total, quote.total) == (
            figures.subtotal,
            figures.discount_total,
            figures.tax_total,
            figures.total,
        )
        assert quote.tax_breakdown == figures.breakdown()
        for line in lines:
            amounts = totals.line_amounts(line)
            assert (line.gross_amount, line.net_amount) == (amounts.gross, amounts.net)
        assert bool(quote.link_nonce) == (quote.sent_at is not None)


def test_versions_share_a_number_and_only_the_latest_is_live(seeded_once, db):
    series = Counter(Quote.objects.values_list("number", flat=True))
    assert len(series) == Quote.objects.filter(version=1).count()
    for quote in Quote.objects.filter(version__gt=1):
        earlier = Quote.objects.filter(root_id=quote.root_id, version__lt=quote.version)
        assert earlier.count() == quote.version - 1
        assert all(q.status in (QuoteStatus.SUPERSEDED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED) for q in earlier)
    assert not Quote.objects.filter(status=QuoteStatus.SENT, valid_until__lt="2000-01-01").exists()


def test_the_next_number_follows_the_seeded_ones(seeded_once, db):
    from django.db import transaction

    with transaction.atomic():
        number = next_number()
    assert not Quote.objects.filter(number=number).exists()


def test_add_quotes_to_a_demo_seeded_earlier(seeded_once, db):
    present = Quote.objects.count()
    out = io.StringIO()
    call_command("seed_demo", add_quotes=present, stdout=out)
    assert "nothing to add" in out.getvalue()
    with pytest.raises(CommandError, match="--replace-quotes"):
        call_command("seed_demo", add_quotes=present + 5, stdout=io.StringIO())
    call_command("seed_demo", add_quotes=45, replace_quotes=True, stdout=io.StringIO())
    assert Quote.objects.count() == 45
    assert QuoteLine.objects.filter(quote__isnull=True).count() == 0
    assert set(QuoteLine.objects.values_list("quote_id", flat=True)) <= set(Quote.objects.values_list("pk", flat=True))
