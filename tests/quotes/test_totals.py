"""Totals: examples worked by hand, then properties (hypothesis) showing the stored totals never
drift from the sum of their lines — for the pure computation and through the services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapport.quotes import totals
from rapport.quotes.models import Quote, QuoteLine
from rapport.quotes.services import quote_create, quote_line_add, quote_line_delete, quote_line_update

D = Decimal


@dataclass(frozen=True)
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)


def test_a_line_is_rounded_half_up_to_the_cent_once_after_its_discount():
    amounts = totals.line_amounts(Line(D("3"), D("19.99"), D("10")))
    assert (amounts.gross, amounts.net, amounts.discount) == (D("59.97"), D("53.97"), D("6.00"))  # 53.973
    # 0.5 x 0.05 = 0.025: half up gives 0.03 (half even would give 0.02)
    assert totals.line_amounts(Line(D("0.5"), D("0.05"))).net == D("0.03")
    assert totals.line_amounts(Line(D("1.333"), D("7.50"), D("100"))).net == D("0.00")


def test_tax_is_computed_once_per_rate_on_the_net_of_its_lines():
    lines = [
        Line(D("1"), D("0.02"), tax_rate=D("23")),
        Line(D("1"), D("0.02"), tax_rate=D("23")),
        Line(D("2"), D("10.00"), D("50"), D("8")),
        Line(D("1"), D("100.00"), D("12.5"), D("0")),
    ]
    result = totals.compute(lines)
    assert result.subtotal == D("120.04")
    assert result.discount_total == D("22.50")  # 10.00 + 12.50
    assert result.net_total == D("97.54")
    # 23 %: 0.04 x 0.23 = 0.0092 → 0.01 (per line it would be 0.00 + 0.00); 8 %: 10.00 → 0.80
    assert [(t.rate, t.net, t.tax) for t in result.taxes] == [
        (D("0.00"), D("87.50"), D("0.00")),
        (D("8.00"), D("10.00"), D("0.80")),
        (D("23.00"), D("0.04"), D("0.01")),
    ]
    assert result.tax_total == D("0.81") and result.total == D("98.35")
    assert result.breakdown()["23.00"] == {"net": "0.04", "tax": "0.01"}
    assert result.discount_percent == D("22.50") * 100 / D("120.04")


def test_an_empty_quote_is_all_zero():
    result = totals.compute([])
    assert (result.subtotal, result.tax_total, result.total, result.discount_percent) == (D(0), D(0), D(0), D(0))


quantities = st.decimals(min_value=D("0.001"), max_value=D("100000"), places=3)
prices = st.decimals(min_value=D("0"), max_value=D("1000000"), places=2)
percents = st.decimals(min_value=D("0"), max_value=D("100"), places=2)
rates = st.sampled_from([D("0"), D("5"), D("8"), D("23"), D("10.5")])
lines_strategy = st.lists(st.builds(Line, quantities, prices, percents, rates), max_size=30)


@given(lines_strategy)
def test_totals_are_the_exact_sums_of_the_lines(lines):
    result = totals.compute(lines)
    each = [totals.line_amounts(line) for line in lines]
    assert result.subtotal == sum((a.gross for a in each), D("0"))
    assert result.discount_total == sum((a.discount for a in each), D("0"))
    assert result.net_total == sum((a.net for a in each), D("0")) == result.subtotal - result.discount_total
    assert result.tax_total == sum((t.tax for t in result.taxes), D("0"))
    assert result.total == result.net_total + result.tax_total
    assert sum((t.net for t in result.taxes), D("0")) == result.net_total
    for amounts in each:
        assert D("0") <= amounts.net <= amounts.gross
    for figure in (result.subtotal, result.discount_total, result.tax_total, result.total):
        assert figure == figure.quantize(D("0.01"))


@given(lines_strategy)
def test_each_rounding_is_within_half_a_cent_of_the_exact_figure(lines):
    for line in lines:
        exact = line.quantity * line.unit_price * (100 - line.discount) / 100
        assert abs(totals.line_amounts(line).net - exact) <= D("0.005")
    for tax in totals.compute(lines).taxes:
        assert abs(tax.tax - tax.net * tax.rate / 100) <= D("0.005")


@given(lines_strategy, st.randoms(use_true_random=False))
def test_the_order_of_the_lines_does_not_change_the_totals(lines, random):
    shuffled = list(lines)
    random.shuffle(shuffled)
    assert totals.compute(shuffled) == totals.compute(lines)


# --- through the services: whatever the edits, the stored totals are those of the stored lines -------

edits = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "update", "delete"]),
        st.integers(min_value=0, max_value=10),
        st.builds(
            Line,
            st.decimals(D("0.001"), D("999"), places=3),
            st.decimals(D("0"), D("99999"), places=2),
            percents,
            rates,
        ),
    ),
    min_size=1,
    max_size=8,
)


def _data(line: Line) -> dict[str, str]:
    return {
        "description": "Service",
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "discount": str(line.discount),
        "tax_rate": str(line.tax_rate),
    }


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=edits)
def test_stored_totals_follow_every_edit_of_the_lines(org, deal, steps):
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    for action, index, line in steps:
        ids = list(quote.lines.values_list("pk", flat=True))
        if action == "add" or not ids:
            quote_line_add(actor=org.salesperson, quote_id=quote.pk, data=_data(line))
        elif action == "update":
            quote_line_update(actor=org.salesperson, quote_id=quote.pk, line_id=ids[index % len(ids)], data=_data(line))
        else:
            quote_line_delete(actor=org.salesperson, quote_id=quote.pk, line_id=ids[index % len(ids)])
        stored = Quote.objects.get(pk=quote.pk)
        saved_lines = list(QuoteLine.objects.filter(quote=stored))
        expected = totals.compute(saved_lines)
        assert (stored.subtotal, stored.discount_total, stored.net_total, stored.tax_total, stored.total) == (
            expected.subtotal,
            expected.discount_total,
            expected.net_total,
            expected.tax_total,
            expected.total,
        )
        assert stored.tax_breakdown == expected.breakdown()
        assert stored.net_total == sum((x.net_amount for x in saved_lines), D("0"))
        assert stored.subtotal == sum((x.gross_amount for x in saved_lines), D("0"))
