"""Reading the values people type in spreadsheets: numbers, money, dates, yes/no.

Each reader takes a cell (text from a CSV, or the number/date openpyxl gives for an XLSX cell) and
returns the value or raises `ValueProblem` with a message for a person. The import options say how
to read what is ambiguous: the decimal separator (`auto`, `,` or `.`) and the date order (`iso`,
`dmy` for 31.12.2026, `mdy` for 12/31/2026).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

DECIMAL_SEPARATORS = ("auto", ",", ".")
DATE_FORMATS = ("iso", "dmy", "mdy")

NOT_A_NUMBER = _("Enter a number, e.g. 1 234,56 or 1,234.56.")
NOT_A_DATE = _("Enter a date as %(format)s.")
NOT_YES_NO = _("Enter yes or no.")
AMBIGUOUS_AMOUNT = _("Write the amount without letters other than a currency code.")

DATE_PATTERNS = {"iso": "YYYY-MM-DD", "dmy": "DD.MM.YYYY", "mdy": "MM/DD/YYYY"}

# Spaces of every width, and the apostrophe the Swiss write, separate thousands.
_GROUPING = str.maketrans("", "", " \u00a0\u202f\u2009\u2007'\u2019_")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)*|[.,]\d+)$")
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "zł": "PLN", "zl": "PLN", "nt$": "TWD", "rp": "IDR"}
_CURRENCY = re.compile(r"^\s*([A-Za-z]{3}|€|\$|£|zł|zl|NT\$|Rp)?\s*(.*?)\s*([A-Za-z]{3}|€|\$|£|zł|zl|NT\$|Rp)?\s*$")
_YES = frozenset({"1", "true", "yes", "y", "on", "x", "tak", "t", "ja", "oui", "si", "sí", "是"})
_NO = frozenset({"0", "false", "no", "n", "off", "", "nie", "nein", "non", "否"})
_DATE_SPLIT = re.compile(r"[./\-\s]+")


class ValueProblem(ValueError):
    """A cell that cannot be read; `message` is for the person who made the file."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = str(message)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as text: numbers without a needless ".0" (a phone or postal code typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _decimal_separator(text: str, preference: str) -> str | None:
    """Which of `,` and `.` is the decimal separator in this number (None: it has none)."""
    has_comma, has_dot = "," in text, "." in text
    if has_comma and has_dot:
        return "," if text.rfind(",") > text.rfind(".") else "."  # 1.234,56 / 1,234.56
    mark = "," if has_comma else "." if has_dot else None
    if mark is None:
        return None
    if text.count(mark) > 1:
        return None  # 1.234.567: only grouping
    if preference != "auto":
        return mark if mark == preference else None
    return mark  # one mark alone is a decimal separator: 1234,56 and 1234.56


def parse_number(value: Any, decimal_separator: str = "auto") -> Decimal:
    """1 234,56 · 1.234,56 · 1,234.56 · 1234.56 · 1 234 (any space as thousands separator)."""
    if isinstance(value, bool):
        raise ValueProblem(NOT_A_NUMBER)
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).translate(_GROUPING).strip()
    if not _NUMBER.match(text):
        raise ValueProblem(NOT_A_NUMBER)
    separator = _decimal_separator(text, decimal_separator)
    grouping = {",", "."} - {separator} if separator else {",", "."}
    for mark in grouping:
        text = text.replace(mark, "")
    if separator == ",":
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueProblem(NOT_A_NUMBER) from exc
    if not number.is_finite():
        raise ValueProblem(NOT_A_NUMBER)
    return number


def parse_money(value: Any, decimal_separator: str = "auto") -> tuple[Decimal, str | None]:
    """An amount and the currency written with it, if any: "1 234,56 PLN", "€1,234.56", "PLN 99"."""
    if not isinstance(value, str):
        return parse_number(value, decimal_separator), None
    match = _CURRENCY.match(value)
    if match is None:  # pragma: no cover - the pattern matches any text
        raise ValueProblem(NOT_A_NUMBER)
    before, amount, after = match.groups()
    if before and after:
        raise ValueProblem(AMBIGUOUS_AMOUNT)
    mark = before or after
    code = None
    if mark:
        code = _CURRENCY_SYMBOLS.get(mark.lower(), mark.upper())
    return parse_number(amount, decimal_separator), code


def currency_code(value: Any) -> str:
    """A currency as written in a currency column: "PLN", "pln", "zł", "€" → its ISO code (upper case)."""
    text = as_text(value)
    return _CURRENCY_SYMBOLS.get(text.lower(), text.upper())


def parse_date(value: Any, date_format: str = "iso") -> dt.date:
    """ISO (2026-12-31) always; 31.12.2026 when the order is `dmy`; 12/31/2026 when it is `mdy`."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    problem = ValueProblem(NOT_A_DATE % {"format": DATE_PATTERNS.get(date_format, DATE_PATTERNS["iso"])})
    parts = _DATE_SPLIT.split(text.split("T")[0].split(" ")[0]) if text else []
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise problem
    if len(parts[0]) == 4:
        year, month, day = parts  # ISO order is read whatever the option says
    elif date_format == "dmy":
        day, month, year = parts
    elif date_format == "mdy":
        month, day, year = parts
    else:
        raise problem
    if len(year) != 4:
        raise problem
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise problem from exc


def parse_yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueProblem(NOT_YES_NO)
