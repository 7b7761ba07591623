"""Numbers and dates in the conventions of the quote's language, by Django's format modules.

`translation.override(language)` selects Django's format module for the language (pl: "1 234,56",
id: "1.234,56", zh-hant: dates "2026年12月3日"); it works for every language Django ships formats
for, including those missing from `settings.LANGUAGES` (Indonesian, Traditional Chinese). The
no-break spaces Polish groups digits with become plain spaces: an amount sits in a cell of its own,
never wrapped, and a plain space is what a reader copying the figure out of the PDF expects.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, numberformat
from django.utils.translation import override

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})
#: languages whose documents group digits in thousands though Django's formats do not: Taiwan writes
#: "1,701.50" (Django's zh_Hant has no thousands separator) — separator and decimal mark
THOUSANDS = {"zh-hant": (",", ".")}


class Formatter:
    """Formats in one language; create it inside nothing — it switches the language itself."""

    def __init__(self, language: str) -> None:
        self.language = language

    def amount(self, value: Decimal) -> str:
        """Two places, grouped: "1,234.56" (en), "1 234,56" (pl)."""
        return self.number(value, 2)

    def number(self, value: Decimal, places: int | None = None) -> str:
        if self.language in THOUSANDS:  # Django's format module groups these by nothing
            separator, decimal = THOUSANDS[self.language]
            return numberformat.format(
                value, decimal, decimal_pos=places, grouping=3, thousand_sep=separator, force_grouping=True
            )
        with override(self.language):
            text = formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
        return text.translate(_SPACES)

    def quantity(self, value: Decimal) -> str:
        """A quantity without trailing zeros: 3, 2.5 (en), 2,5 (pl)."""
        normal = value.normalize()
        places = max(0, -normal.as_tuple().exponent)  # type: ignore[operator]
        return self.number(normal, places)

    def percent(self, value: Decimal) -> str:
        """A rate or discount without trailing zeros: 23, 5,5 (pl)."""
        return self.quantity(value)

    def date(self, day: dt.date) -> str:
        with override(self.language):
            return formats.date_format(day, "SHORT_DATE_FORMAT").translate(_SPACES)
