"""Duplicate-detection match keys for generated rows, the same as `refresh_match_keys` computes, but fast.

`phonenumbers` takes ~30 µs to parse a number: half a minute for the million contacts of the
benchmark. Generated numbers come in a few shapes ("+48 601 234 567"), and whether such a number
is valid depends only on its country code, leading digits and length, so `KeyMaker` parses the
first number of each shape with `rapport.core.normalize` and, when that gives "+" and the digits,
answers the rest of that shape without parsing. Anything else (a national number, "0048…") goes
through `normalize` itself. Names repeat a lot, so their keys are cached.
"""

from __future__ import annotations

import re

from rapport.core import normalize

_NON_DIGIT = re.compile(r"\D")
#: leading digits that identify a number's shape (country code and the first national digits)
_SHAPE_DIGITS = 5
_NAME_CACHE_LIMIT = 200_000
#: phone keys remembered as given out (enough for demo sizes; benchmark sizes do not need it)
_ISSUED_LIMIT = 100_000


class KeyMaker:
    """Match keys for contacts and leads (`email_key`, `phone_key`, `name_key`, `company_key`)."""

    def __init__(self) -> None:
        self._plain_shapes: dict[tuple[str, int], bool] = {}
        self._names: dict[tuple[str, str, str], str] = {}
        self._company_words: dict[str, str] = {}
        #: phone keys given out so far (up to a limit): a new person can get a number nobody has
        self.issued_phones: set[str] = set()

    @staticmethod
    def email(email: str) -> str:
        return normalize.email_key(email)

    def phone(self, phone: str, country: str) -> str:
        """`normalize.phone_key(phone, country)`, without parsing numbers of an already checked shape."""
        key = self._phone_key(phone, country)
        if key and len(self.issued_phones) < _ISSUED_LIMIT:
            self.issued_phones.add(key)
        return key

    def _phone_key(self, phone: str, country: str) -> str:
        if not phone:
            return ""
        if not phone.startswith("+"):
            return normalize.phone_key(phone, country)
        digits = _NON_DIGIT.sub("", phone)
        shape = (digits[:_SHAPE_DIGITS], len(digits))
        plain = self._plain_shapes.get(shape)
        if plain is None:
            key = normalize.phone_key(phone, country)
            self._plain_shapes[shape] = key == "+" + digits
            return key
        return "+" + digits if plain else normalize.phone_key(phone, country)

    def is_issued(self, phone: str, country: str) -> bool:
        """Whether someone already has this number (as far as remembered)."""
        return self._phone_key(phone, country) in self.issued_phones

    def name(self, first_name: str, last_name: str, company: str = "") -> str:
        person = (first_name, last_name, "")
        key = self._names.get(person)
        if key is None:
            key = normalize.name_key(first_name, last_name)
            if len(self._names) < _NAME_CACHE_LIMIT:
                self._names[person] = key
        # name_key(first, last) ends with "|"; the company's first word follows (normalize.name_key).
        return key + self._company_word(company) if company else key

    def _company_word(self, company: str) -> str:
        word = self._company_words.get(company)
        if word is None:
            words = normalize.company_key(company).split()
            word = words[0] if words else ""
            if len(self._company_words) < _NAME_CACHE_LIMIT:
                self._company_words[company] = word
        return word

    @staticmethod
    def company(company: str) -> str:
        return normalize.company_key(company)
