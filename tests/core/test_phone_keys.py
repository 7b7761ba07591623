"""Phone match keys: numbers written with their calling code skip `phonenumbers.parse` when the answer
is known to be "+" and the digits — and that shortcut answers exactly what the full parse answers."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from rapport.core import normalize
from rapport.core.normalize import phone_key


def _written(rng: random.Random, number: phonenumbers.PhoneNumber) -> str:
    """One number as a list might write it: international or E.164 form, other separators, (0)."""
    text = phonenumbers.format_number(
        number,
        rng.choice([phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164]),
    )
    match rng.randrange(5):
        case 0:
            text = text.replace(" ", "-")
        case 1:
            text = text.replace(" ", ".", 2)
        case 2:
            code, _space, rest = text.partition(" ")
            text = f"{code} (0){rest}" if rest else text
        case 3:
            text = "00" + text[1:]
    return text


def _numbers(rng: random.Random) -> list[str]:
    """Every region's example numbers with their last digits changed, and a few lengths off."""
    written = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            national = str(example.national_number)
            for _ in range(6):
                digits = national[:-4] + f"{rng.randrange(10**4):04d}"
                digits = digits[: rng.choice([len(digits), len(digits) - 1])] + ("" if rng.random() < 0.8 else "5")
                number = phonenumbers.PhoneNumber(
                    country_code=example.country_code,
                    national_number=int(digits or 0),
                    italian_leading_zero=example.italian_leading_zero,
                    number_of_leading_zeros=example.number_of_leading_zeros,
                )
                written.append(_written(rng, number))
    return written


@pytest.fixture
def fresh_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(normalize, "_SIMPLE_SHAPES", {})


@pytest.mark.usefixtures("fresh_shapes")
def test_the_shortcut_answers_what_the_full_parse_answers_in_every_region():
    rng = random.Random(2026)
    numbers = _numbers(rng)
    assert len(numbers) > 2000
    full = {text: normalize._parsed_key("+" + text[2:] if text.startswith("00") else text, None) for text in numbers}
    for _round in range(2):  # the second round answers from the shapes the first one learnt
        assert {text: phone_key(text) for text in numbers} == full
    shortcut = sum(1 for simple in normalize._SIMPLE_SHAPES.values() if simple)
    assert shortcut > 200  # most shapes of most regions do take the shortcut


@pytest.mark.usefixtures("fresh_shapes")
@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("+48 601 234 567", "+48601234567"),
        ("0048 601-234-567", "+48601234567"),
        ("+44 (0)20 7946 0000", "+442079460000"),  # the national prefix inside: the full parse strips it
        ("+1 (212) 555-0142", "+12125550142"),
        ("+1 800 FLOWERS", "+18003569377"),  # letters: the full parse
        ("+999 123", "999123"),  # no such calling code: digits only
        ("+48 601", ""),  # too short to be a number: nothing to match on
    ],
)
def test_numbers_with_a_calling_code(written: str, key: str):
    assert phone_key(written) == key
    assert phone_key(written) == key  # the same once the shape is known
