"""Match keys for people and companies: what duplicate detection compares instead of raw text.

Records keep what a person typed; these keys sit in indexed columns beside it, so "JAN.Kowalski@X.pl"
and "jan.kowalski@x.pl", "+48 601 234 567" and "0048601234567", "Łukasz Żak" and "zak lukasz" meet.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from rapport.core.search import fold

#: legal-form words that say nothing about which company it is
# Words are split at punctuation first, so "Sp. z o.o." arrives as sp, z, o, o.
_LEGAL_FORMS = frozenset(
    {
        "sp", "z", "o", "oo", "spzoo", "s", "a", "sa", "ag", "gmbh", "kg", "ohg", "ug", "mbh", "co", "inc",
        "ltd", "llc", "plc", "corp", "corporation", "company", "limited", "bv", "b", "v", "nv", "n", "srl",
        "r", "l", "sarl", "sas", "spa", "p", "oy", "ab", "as", "kft", "pt", "tbk", "cv", "pte", "pty", "sdn", "bhd",
    }
)  # fmt: skip
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_COUNTRY_CODES = {
    # The country names people type most in lead lists → ISO code for phone parsing.
    "poland": "PL",
    "polska": "PL",
    "germany": "DE",
    "deutschland": "DE",
    "niemcy": "DE",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "united states": "US",
    "usa": "US",
    "france": "FR",
    "indonesia": "ID",
    "taiwan": "TW",
    "czech republic": "CZ",
    "czechia": "CZ",
    "netherlands": "NL",
    "spain": "ES",
    "italy": "IT",
}


def email_key(email: str | None) -> str:
    """Lower-cased, trimmed e-mail; empty when there is none."""
    return (email or "").strip().lower()


def country_code(country: str | None) -> str | None:
    """An ISO 3166 alpha-2 code for a country given as a code or a common name, else None."""
    return _country_code(country or "")


@functools.lru_cache(maxsize=1024)  # a list names a few dozen countries, a million times
def _country_code(country: str) -> str | None:
    text = country.strip()
    known = _COUNTRY_CODES.get(fold(text))  # first: "UK" is a name people type, its code is GB
    if known is None and len(text) == 2 and text.isalpha():
        return text.upper()
    return known


def phone_key(phone: str | None, country: str | None = None) -> str:
    """The number in E.164 (+48601234567); digits only when it cannot be parsed; empty when none.

    A number without an international prefix is read in the record's country when that is known.
    """
    raw = (phone or "").strip()
    if not raw:
        return ""
    if raw.startswith("00"):
        raw = "+" + raw[2:]  # the international prefix as dialled in Europe
    if raw.startswith("+"):
        known = _international_key(raw)
        if known:
            return known
    return _parsed_key(raw, country)


def _parsed_key(raw: str, country: str | None) -> str:
    try:
        parsed = phonenumbers.parse(raw, country_code(country))
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", raw)
    return digits if len(digits) >= 6 else ""


_PHONE_PUNCTUATION = str.maketrans("", "", " -./()\u00a0")
_PLAIN_PREFIXES = re.compile(r"^\d+(?:\|\d+)*$")  # "0", "1", "0|180020": no pattern, no carrier code
#: (calling code, national number length) → whether phonenumbers answers "+" and the digits for it
_SIMPLE_SHAPES: dict[tuple[str, int], bool] = {}


def _international_key(raw: str) -> str:
    """`+` and the digits of an international number, without `phonenumbers.parse` (~25 µs), when
    phonenumbers is known to answer exactly that for numbers of this shape; else "".

    For a number written with its calling code, what phonenumbers does depends on the calling code,
    the national number's length (is it possible there?) and whether it starts with the national
    prefix (which it strips). Numbers that start with a prefix, and countries whose prefix is a pattern
    or comes with carrier codes, take the full parse; for the rest the full parse of the first number
    of each (calling code, length) says whether that shape keeps its digits as they are. A test
    compares both ways over every region's numbers."""
    digits = raw[1:].translate(_PHONE_PUNCTUATION)
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 17:
        return ""
    shape = _shape(digits)
    if shape is None:
        return ""
    simple = _SIMPLE_SHAPES.get(shape)
    if simple is None:
        simple = _SIMPLE_SHAPES[shape] = _parsed_key(raw, None) == "+" + digits
    return "+" + digits if simple else ""


def _shape(digits: str) -> tuple[str, int] | None:
    for length in (1, 2, 3):
        calling_code = digits[:length]
        if int(calling_code or 0) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    national = digits[len(calling_code) :]
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        int(calling_code), phonenumbers.region_code_for_country_code(int(calling_code))
    )
    if metadata is None or metadata.national_prefix_transform_rule:
        return None
    prefixes = metadata.national_prefix_for_parsing
    if prefixes and (not _PLAIN_PREFIXES.match(prefixes) or national.startswith(tuple(prefixes.split("|")))):
        return None
    return calling_code, len(national)


def _words(text: str | None) -> list[str]:
    return [w for w in _NON_WORD.split(fold(text or "")) if w]


def name_key(first_name: str | None, last_name: str | None, company: str | None = "") -> str:
    """A person's name, folded and with its words sorted (order, case and accents do not matter),
    then "|" and the first word of their company's key: "jan kowalski|zabka".

    This is the blocking key of fuzzy duplicate detection (decision 0007): candidates share it
    exactly, then rapidfuzz compares the whole company names. Without the company word, one common
    name would bring thousands of candidates per look-up.
    """
    return name_key_with(first_name, last_name, company_key(company))


def name_key_with(first_name: str | None, last_name: str | None, company_key: str) -> str:
    """`name_key` when the company's key is already known (saves folding the company twice)."""
    person = " ".join(sorted(_words(f"{first_name or ''} {last_name or ''}")))
    first_word = company_key.split(" ", 1)[0]
    return f"{person}|{first_word}"[:200]


def company_key(company: str | None) -> str:
    """A company name folded, without punctuation and legal forms ("ACME Sp. z o.o." → "acme")."""
    words = _words(company)
    kept = [w for w in words if w not in _LEGAL_FORMS]
    return " ".join(kept or words)[:200]
