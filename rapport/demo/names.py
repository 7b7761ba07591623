"""Believable names, addresses and phone numbers, drawn from one seeded `random.Random`.

Everything here is a pure function of the generator's state: the same seed gives the same company.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from rapport.demo import data
from rapport.demo.data import City, Market


@dataclass(frozen=True)
class CompanyName:
    name: str
    #: the distinctive part, reused for a group's subsidiaries ("Stalmex" → "Stalmex Kraków Sp. z o.o.")
    brand: str
    #: ASCII base of the web domain and e-mail addresses
    slug: str
    industry: str


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    #: the part of an e-mail address before the @
    email_local: str


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    postal_code: str
    region: str
    country: str


# Ofcom's drama ranges for fixed lines (+44 and the digits before the last three): 16,000 numbers.
_UK_DRAMA = (
    "113 496 0", "114 496 0", "115 496 0", "116 496 0", "117 496 0", "118 496 0", "121 496 0", "131 496 0",
    "141 496 0", "151 496 0", "161 496 0", "191 498 0", "20 7946 0", "28 9649 6", "29 2018 0", "1632 960",
)  # fmt: skip
_DE_AREAS = ("30", "40", "89", "221", "69", "711", "211", "911", "351", "421")
_TW_SECTIONS = ("一", "二", "三", "四", "五")


class NameMaker:
    """Draws names and contact details for one market at a time."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    # --- helpers ----------------------------------------------------------------------------------

    def _digits(self, count: int) -> str:
        return f"{self.rng.randrange(10**count):0{count}d}"

    def _brand(self, heads: tuple[str, ...], tails: tuple[str, ...]) -> str:
        head = self.rng.choice(heads)
        tail = self.rng.choice(tails)
        if head.lower() == tail:
            tail = tails[(tails.index(tail) + 1) % len(tails)]
        return head + tail

    def _industry_word(self, industry: str, style: str) -> str:
        lang = {"uk": "en", "us": "en"}.get(style, style)
        words = data.INDUSTRIES[industry][lang]
        return str(self.rng.choice(words))

    def _legal(self, style: str) -> str:
        return self.rng.choice(data.LEGAL_FORMS[style])

    @staticmethod
    def with_legal(style: str, core: str, legal: str) -> str:
        if style == "id":
            return f"{legal} {core}"
        if style == "tw":
            return f"{core}{legal}" if not core.isascii() else f"{core} Co., Ltd."
        return f"{core} {legal}".strip()

    def city(self, market: Market) -> City:
        return self.rng.choice(market.cities)

    # --- companies --------------------------------------------------------------------------------

    def company(self, market: Market, city: City) -> CompanyName:
        """A private company of the market's own kind ("Nowak Logistyka Sp. z o.o.", "PT Sinar Jaya")."""
        rng = self.rng
        style = market.style
        industry = rng.choice(data.INDUSTRY_NAMES)
        roll = rng.random()
        if style == "tw":
            zh_brand, latin_brand = rng.choice(data.TW_BRANDS)
            pairs = data.INDUSTRIES[industry]["zh"]
            zh_word, latin_word = rng.choice(pairs)
            slug = data.ascii_slug(latin_brand + str(latin_word))
            if roll < 0.55:
                prefix = city.name if rng.random() < 0.3 else ""
                core = f"{prefix}{zh_brand}{zh_word}"
                return CompanyName(self.with_legal(style, core, self._legal(style)), zh_brand, slug, industry)
            core = f"{latin_brand} {latin_word}"
            suffix = rng.choice(("Co., Ltd.", "Corp.", "Inc.", "Co., Ltd."))
            return CompanyName(f"{core} {suffix}", latin_brand, slug, industry)
        word = self._industry_word(industry, style)
        if style == "pl":
            if roll < 0.35:
                brand = rng.choice(data.PL_SURNAMES)
                core = f"{brand} {word}"
            elif roll < 0.65:
                brand = self._brand(data.PL_BRAND_HEADS, data.PL_BRAND_TAILS)
                core = brand if rng.random() < 0.5 else f"{brand} {word}"
            elif roll < 0.8:
                brand = rng.choice(data.PL_SURNAMES)
                return CompanyName(f"PPHU {brand}", brand, data.ascii_slug(f"pphu {brand}"), industry)
            else:
                brand = self._brand(data.PL_BRAND_HEADS, data.PL_BRAND_TAILS)
                core = f"{brand} {word} {city.name}"
        elif style == "de":
            if roll < 0.4:
                brand = rng.choice(data.DE_SURNAMES)
                core = f"{brand} {word}"
            elif roll < 0.6:
                brand = rng.choice(data.DE_SURNAMES)
                core = f"{brand} & {rng.choice(data.DE_SURNAMES)}"
            else:
                brand = self._brand(data.DE_BRAND_HEADS, data.DE_BRAND_TAILS)
                core = brand if rng.random() < 0.4 else f"{brand} {word}"
        elif style in ("uk", "us"):
            if roll < 0.5:
                brand = self._brand(data.EN_WORD_HEADS, data.EN_WORD_TAILS)
                core = f"{brand} {word}"
            elif roll < 0.7:
                brand = rng.choice(data.EN_SURNAMES)
                core = f"{brand} & Sons" if style == "uk" else f"{brand} Brothers"
            else:
                brand = rng.choice(data.EN_WORD_HEADS)
                core = f"{brand} {word}"
        else:  # id
            first, second = rng.sample(data.ID_WORDS, 2)
            brand = f"{first} {second}"
            core = brand if roll < 0.5 else f"{brand} {word}"
            legal = self._legal(style)
            name = self.with_legal(style, core, legal)
            if legal == "PT" and rng.random() < 0.1:
                name += " Tbk"
            return CompanyName(name, brand, data.ascii_slug(core), industry)
        return CompanyName(self.with_legal(style, core, self._legal(style)), brand, data.ascii_slug(core), industry)

    def public_body(self, market: Market, city: City) -> CompanyName:
        """A city council, hospital or university ("Gmina Miejska Łódź", "台北市政府")."""
        pattern, industry = self.rng.choice(data.PUBLIC_NAMES[market.style])
        name = pattern.format(city=city.name)
        slug = data.ascii_slug(pattern.format(city=city.latin or city.name)) or f"gov{self._digits(4)}"
        return CompanyName(name, name, slug, industry)

    def group(self, market: Market, city: City) -> CompanyName:
        """The parent of a group of companies ("Grupa Stalmex", "Hongsheng Group")."""
        base = self.company(market, city)
        pattern = (
            data.GROUP_WORDS[market.style] if not base.brand.isascii() or market.style != "tw" else "{brand} Group"
        )
        return CompanyName(pattern.format(brand=base.brand), base.brand, base.slug, base.industry)

    def subsidiary(self, parent: CompanyName, parent_market: Market, market: Market, city: City) -> CompanyName:
        """A group member, named after the parent brand and its city or country."""
        style = market.style
        brand = parent.brand
        same_market = market.code == parent_market.code
        place = city.name if same_market else data.COUNTRY_IN_NAMES[style]
        if style == "tw":
            if brand.isascii():
                name = f"{brand} {city.latin.capitalize() if same_market else 'Taiwan'} Co., Ltd."
            elif same_market:
                name = f"{brand}{city.name}分公司"
            else:
                name = f"台灣{brand}股份有限公司"
        elif style == "id":
            name = f"PT {brand} {place}"
        else:
            name = self.with_legal(style, f"{brand} {place}", self._legal(style))
        slug = parent.slug + "-" + data.ascii_slug((city.latin or city.name) if same_market else place)
        return CompanyName(name, brand, slug, parent.industry)

    # --- people -------------------------------------------------------------------------------------

    def person(self, market: Market, latin_only: bool = False) -> Person:
        """A person of the market ("Małgorzata Wiśniewska", "陳 志明" or "Chih-ming Chen", "Budi")."""
        rng = self.rng
        female = rng.random() < 0.5
        if market.style == "tw":
            zh_last, latin_last = rng.choice(data.TW_SURNAMES)
            zh_first, latin_first = rng.choice(data.TW_FEMALE if female else data.TW_MALE)
            local = f"{data.ascii_slug(latin_first)}.{data.ascii_slug(latin_last)}"
            if not latin_only and rng.random() < 0.6:
                return Person(zh_first, zh_last, local)
            return Person(latin_first, latin_last, local)
        first = rng.choice(market.female_first if female else market.male_first)
        if market.style == "id" and not latin_only and rng.random() < 0.2:
            return Person("", first, data.ascii_slug(first) + self._digits(2))  # one name only, as many people
        last = rng.choice(market.surnames)
        if market.style == "pl" and female:
            last = data.feminine(last)
        local = f"{data.ascii_slug(first)}.{data.ascii_slug(last)}"
        if rng.random() < 0.25:
            local = f"{data.ascii_slug(first)[:1]}{data.ascii_slug(last)}"
        return Person(first, last, local)

    # --- places and numbers ---------------------------------------------------------------------------

    def address(self, market: Market, city: City) -> Address:
        rng = self.rng
        street = rng.choice(market.streets)
        number = rng.randint(1, 240)
        match market.style:
            case "pl" | "de":
                line = f"{street} {number}" + (f"/{rng.randint(1, 40)}" if rng.random() < 0.2 else "")
                digits = (city.postal_prefix + self._digits(5))[:5]
                postal = f"{digits[:2]}-{digits[2:]}" if market.style == "pl" else digits
            case "uk":
                line = f"{number} {street}"
                letters = "ABDEFGHJLNPQRSTUWXYZ"
                postal = f"{city.postal_prefix}{rng.randint(1, 20)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
            case "us":
                line = f"{rng.randint(10, 9999)} {street}" + (
                    f", Suite {rng.randint(100, 900)}" if rng.random() < 0.3 else ""
                )
                postal = (city.postal_prefix + self._digits(5))[:5]
            case "id":
                line = f"{street} No. {number}"
                postal = (city.postal_prefix + self._digits(5))[:5]
            case _:  # tw
                section = f"{rng.choice(_TW_SECTIONS)}段" if rng.random() < 0.5 else ""
                line = f"{street}{section}{number}號"
                postal = (city.postal_prefix + self._digits(3))[:3]
        return Address(line, city.name, postal, city.region, market.country)

    def phone(self, market: Market, mobile: bool = False) -> str:
        rng = self.rng
        d = self._digits
        match market.style:
            case "pl":
                return (
                    f"+48 {rng.choice('5678')}{d(2)} {d(3)} {d(3)}"
                    if mobile
                    else f"+48 {rng.randint(12, 95)} {d(3)} {d(2)} {d(2)}"
                )
            case "de":
                return f"+49 15{d(2)} {d(7)}" if mobile else f"+49 {rng.choice(_DE_AREAS)} {d(7)}"
            case "uk":  # Ofcom's ranges for drama
                return f"+44 7700 900{d(3)}" if mobile else f"+44 {rng.choice(_UK_DRAMA)}{d(3)}"
            case "us":  # 555-0100..0199 are fictional
                # any area code (2-9, 0-8, 0-9; not N11): room for ~70,000 distinct fictional numbers
                middle, last = rng.randint(0, 8), rng.randint(0, 9)
                if middle == 1 and last == 1:
                    last = 0
                return f"+1 {rng.randint(2, 9)}{middle}{last} 555 01{d(2)}"
            case "id":
                return (
                    f"+62 8{d(2)} {d(4)} {d(4)}"
                    if mobile
                    else f"+62 {rng.choice(('21', '31', '22', '61', '24'))} {d(4)} {d(4)}"
                )
            case _:
                return f"+886 9{d(2)} {d(3)} {d(3)}" if mobile else f"+886 {rng.choice('2347')} {d(4)} {d(4)}"
