"""Money: Decimal only, conversion to the company currency at the rate of the day, exact rounding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rapport.core.errors import ActionNotAllowed, InvalidInput, RuleViolation
from rapport.core.models import Currency, ExchangeRate
from rapport.core.money import NO_RATE, Money, company_currency, rate_on, to_company_currency
from rapport.core.services.currency import CODE_TAKEN, RATE_NOT_POSITIVE, currency_create, exchange_rate_set
from rapport.core.services.org import organisation_update

JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)


@pytest.mark.parametrize("amount", [0.1, 1, 10**3, "12.50", None])
def test_money_takes_only_a_decimal(amount):
    with pytest.raises(TypeError):
        Money(amount, "EUR")


def test_money_adds_in_one_currency_only_and_rounds_half_even():
    total = Money(Decimal("0.10"), "EUR") + Money(Decimal("0.20"), "EUR")
    assert total == Money(Decimal("0.30"), "EUR")
    with pytest.raises(ValueError):
        total + Money(Decimal("1"), "USD")
    assert Money(Decimal("2.345"), "EUR").rounded().amount == Decimal("2.34")
    assert Money(Decimal("2.355"), "EUR").rounded().amount == Decimal("2.36")
    assert Money(Decimal("-2.345"), "EUR").rounded().amount == Decimal("-2.34")
    assert str(Money(Decimal("1234567.5"), "PLN")) == "1,234,567.50 PLN"


@pytest.fixture
def usd_rates(org):
    usd = Currency.objects.get(pk="USD")
    exchange_rate_set(actor=org.admin, currency=usd, valid_from=JAN, rate=Decimal("0.9"))
    exchange_rate_set(actor=org.admin, currency=usd, valid_from=FEB, rate=Decimal("0.91234567"))
    return usd


@pytest.mark.parametrize(
    ("day", "amount", "expected"),
    [
        (JAN, "100.00", "90.00"),
        (dt.date(2024, 1, 31), "100.00", "90.00"),
        (FEB, "100.00", "91.23"),
        (MAR, "1000.00", "912.35"),  # 912.34567 → 912.35
        (MAR, "0.10", "0.09"),  # 0.091234567
        (MAR, "12345678901234.56", "11263526688751.71"),  # 24 digits, exact
    ],
)
def test_conversion_uses_the_latest_rate_on_or_before_the_day(usd_rates, day, amount, expected):
    converted = to_company_currency(Money(Decimal(amount), "USD"), day)
    assert converted == Money(Decimal(expected), "EUR")
    assert isinstance(converted.amount, Decimal)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.05", "0.02"), ("0.07", "0.04"), ("0.15", "0.08"), ("-0.05", "-0.02")],  # a float gives 0.07 for 0.15
)
def test_conversion_rounds_half_to_even(org, amount, expected):
    exchange_rate_set(actor=org.admin, currency=Currency.objects.get(pk="GBP"), valid_from=JAN, rate=Decimal("0.5"))
    assert to_company_currency(Money(Decimal(amount), "GBP"), MAR).amount == Decimal(expected)


def test_the_company_currency_converts_at_one_without_a_rate(db):
    assert company_currency() == "EUR"
    assert to_company_currency(Money(Decimal("10.005"), "EUR"), JAN) == Money(Decimal("10.00"), "EUR")


def test_a_missing_rate_is_a_rule_violation_with_a_message(usd_rates):
    day = dt.date(2023, 12, 31)
    with pytest.raises(RuleViolation) as caught:
        to_company_currency(Money(Decimal("1"), "USD"), day)
    assert caught.value.message == str(NO_RATE % {"code": "USD", "day": "2023-12-31"})
    with pytest.raises(RuleViolation) as caught:
        rate_on("PLN", MAR)
    assert caught.value.message == str(NO_RATE % {"code": "PLN", "day": "2024-03-01"})


def test_a_new_company_currency_changes_what_needs_a_rate(org, usd_rates):
    organisation_update(actor=org.admin, company_currency=Currency.objects.get(pk="USD"))
    assert to_company_currency(Money(Decimal("5"), "USD"), MAR) == Money(Decimal("5.00"), "USD")
    with pytest.raises(RuleViolation):
        to_company_currency(Money(Decimal("5"), "EUR"), MAR)


def test_setting_a_rate_again_for_the_same_day_replaces_it(org, usd_rates):
    exchange_rate_set(actor=org.admin, currency=usd_rates, valid_from=FEB, rate=Decimal("0.95"))
    assert list(
        ExchangeRate.objects.filter(currency=usd_rates).order_by("valid_from").values_list("rate", flat=True)
    ) == [
        Decimal("0.9"),
        Decimal("0.95"),
    ]
    assert rate_on("USD", FEB) == Decimal("0.95")


@pytest.mark.parametrize("rate", [Decimal("0"), Decimal("-0.5")])
def test_a_rate_must_be_positive(org, usd_rates, rate):
    before = list(ExchangeRate.objects.values())
    with pytest.raises(InvalidInput) as caught:
        exchange_rate_set(actor=org.admin, currency=usd_rates, valid_from=MAR, rate=rate)
    assert caught.value.errors == {"rate": [str(RATE_NOT_POSITIVE)]}
    with pytest.raises(InvalidInput):
        exchange_rate_set(actor=org.admin, currency=usd_rates, valid_from=FEB, rate=rate)
    assert list(ExchangeRate.objects.values()) == before


def test_only_an_administrator_sets_rates_and_currencies(org, usd_rates):
    before = list(ExchangeRate.objects.values())
    with pytest.raises(ActionNotAllowed):
        exchange_rate_set(actor=org.emea_manager, currency=usd_rates, valid_from=MAR, rate=Decimal("2"))
    with pytest.raises(ActionNotAllowed):
        currency_create(actor=org.executive, code="CHF", name="Swiss franc")
    assert list(ExchangeRate.objects.values()) == before
    assert not Currency.objects.filter(pk="CHF").exists()


def test_a_currency_code_is_unique_and_upper_case(org):
    chf = currency_create(actor=org.admin, code=" chf ", name="Swiss franc", symbol="Fr")
    assert Currency.objects.get(pk="CHF") == chf
    with pytest.raises(InvalidInput) as caught:
        currency_create(actor=org.admin, code="CHF", name="Again")
    assert caught.value.errors == {"code": [str(CODE_TAKEN)]}
