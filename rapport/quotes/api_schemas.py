"""The shapes `/api/v1/quotes` reads and writes.

Money, quantities and percentages travel as decimal strings (`"12.50"`); a float is refused, so no
amount is ever rounded on its way in. A quote's figures are those stored by the services (decision
0011): `subtotal` (before discounts), `discount_total`, `net_total`, `tax` and `total`, with the tax
of each rate in `taxes`. The list answers the header (`QuoteOut`) without lines; one quote
(`QuoteDetailOut`) adds its `lines` and the `versions` of its series. `QuoteIn`, `QuotePatch` and
the `Quote…Out` schemas get this installation's quote custom fields in the live OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from rapport.core.money import AMOUNT_DIGITS, AMOUNT_PLACES
from rapport.quotes.models import Quote, QuoteLanguage, QuoteLine, QuoteStatus
from rapport.quotes.services import acceptance

#: the largest id a database column holds; bigger numbers in a body are refused by the schema
MAX_ID = 2**63 - 1


def _not_a_float(value: Any) -> Any:
    """A decimal string or an integer; a float (or a boolean) has already lost its exact value."""
    if isinstance(value, bool | float):
        raise ValueError('Send a decimal string, e.g. "12.50".')
    return value


RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Percent = Annotated[Decimal, BeforeValidator(_not_a_float), Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Amount = Annotated[
    Decimal, BeforeValidator(_not_a_float), Field(ge=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)
]
Quantity = Annotated[Decimal, BeforeValidator(_not_a_float), Field(gt=0, max_digits=14, decimal_places=3)]
Note = Annotated[str, Field(max_length=500)]

LANGUAGE_HELP = "The language of the PDF and the e-mail: en, pl, id or zh-hant."
CONTACT_HELP = "A contact you can see. Left out on creation: the opportunity's decision maker, else its first contact."
VALID_UNTIL_HELP = "From today on. Left out on creation: today + the configured validity (days)."
TERMS_HELP = "Left out on creation: the administrators' default terms."
NUMBER_HELP = 'The number people quote back: "Q-2026-00042", with "/2" from the second version on.'


# --- out -------------------------------------------------------------------------------------------


class QuoteTaxOut(Schema):
    rate: Decimal = Field(..., description="Percentage.")
    net: Decimal = Field(..., description="The net amount of the lines at this rate.")
    tax: Decimal = Field(..., description="round(net x rate / 100), once per rate.")


class QuoteLineOut(Schema):
    id: int
    position: int
    product: int | None = Field(None, alias="product_id", description="null: a free-text line.")
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount: Decimal = Field(..., description="Percentage.")
    tax_rate: Decimal = Field(..., description="Percentage.")
    gross_amount: Decimal = Field(..., description="round(quantity x unit price).")
    net_amount: Decimal = Field(..., description="round(quantity x unit price x (100 - discount) / 100).")


class QuoteVersionOut(Schema):
    id: int
    version: int
    status: QuoteStatus
    number: str = Field(..., description=NUMBER_HELP)

    @staticmethod
    def resolve_number(quote: Quote) -> str:
        return quote.display_number


def taxes_of(quote: Quote) -> list[dict[str, str]]:
    """`Quote.tax_breakdown` ({"23.00": {"net", "tax"}}) as a list, by rate."""
    breakdown = quote.tax_breakdown or {}
    return [
        {"rate": rate, "net": figures["net"], "tax": figures["tax"]}
        for rate, figures in sorted(breakdown.items(), key=lambda item: Decimal(item[0]))
    ]


class QuoteOut(Schema):
    """A quote's header and totals: what the list shows, without the lines."""

    id: int
    number: str = Field(..., description=NUMBER_HELP)
    version: int
    root: int | None = Field(None, alias="root_id", description="The first version of the series.")
    status: QuoteStatus
    opportunity: int = Field(..., alias="opportunity_id")
    account: int = Field(..., alias="account_id")
    contact: int | None = Field(None, alias="contact_id")
    owner: int = Field(..., alias="owner_id", description="The opportunity's owner when the quote was last written.")
    currency: str = Field(..., alias="currency_id")
    language: QuoteLanguage
    valid_until: dt.date
    terms: str
    custom_fields: dict[str, Any] = Field(default_factory=dict, alias="custom")
    subtotal: Decimal = Field(..., description="Σ line gross amounts, before discounts.")
    discount_total: Decimal = Field(..., description="Σ line discounts.")
    net_total: Decimal = Field(..., description="subtotal - discount_total.")
    tax: Decimal = Field(..., alias="tax_total", description="Σ tax of each rate.")
    total: Decimal = Field(..., description="net_total + tax.")
    taxes: list[QuoteTaxOut] = Field(default_factory=list, description="The tax of each rate, by rate.")
    submitted_at: dt.datetime | None
    approved_by: int | None = Field(
        None, alias="approved_by_id", description="null with approved_at: no approval needed."
    )
    approved_at: dt.datetime | None
    return_reason: str
    sent_at: dt.datetime | None
    closed_at: dt.datetime | None = Field(None, description="When it was accepted, rejected or expired.")
    decision_note: str = Field(..., description="The customer's answer, as recorded.")
    created_by: int | None = Field(None, alias="created_by_id")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_number(quote: Quote) -> str:
        return quote.display_number

    @staticmethod
    def resolve_taxes(quote: Quote) -> list[dict[str, str]]:
        return taxes_of(quote)


class QuoteDetailOut(QuoteOut):
    """One quote: its header, its lines in order and every version of its series."""

    lines: list[QuoteLineOut] = Field(default_factory=list)
    versions: list[QuoteVersionOut] = Field(
        default_factory=list, description="Every version of the series, first to latest."
    )
    customer_link: str = Field(
        "",
        description="The page where the customer reads the quote and accepts or rejects it (secret: whoever has "
        "it can answer); empty before the quote is sent and once the offer is closed.",
    )

    @staticmethod
    def resolve_lines(quote: Quote) -> list[QuoteLine]:
        return list(quote.lines.all())

    @staticmethod
    def resolve_versions(quote: Quote) -> list[Quote]:
        return list(getattr(quote, "series", []))

    @staticmethod
    def resolve_customer_link(quote: Quote) -> str:
        if acceptance.link_state(quote) == acceptance.LinkState.CLOSED:
            return ""
        return acceptance.customer_url(quote)


# --- in --------------------------------------------------------------------------------------------


class QuoteIn(Schema):
    opportunity: RecordId = Field(..., description="An open opportunity you can see: its account, currency and lines.")
    language: QuoteLanguage = Field(QuoteLanguage.ENGLISH, description=LANGUAGE_HELP)
    contact: RecordId | None = Field(None, description=CONTACT_HELP + " null: no contact.")
    valid_until: dt.date | None = Field(None, description=VALID_UNTIL_HELP)
    terms: str | None = Field(None, max_length=10_000, description=TERMS_HELP)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class QuotePatch(Schema):
    contact: RecordId | None = Field(None, description="A contact you can see; null: none.")
    language: QuoteLanguage | None = Field(None, description=LANGUAGE_HELP)
    valid_until: dt.date | None = Field(None, description="From today on.")
    terms: str | None = Field(None, max_length=10_000)
    custom_fields: dict[str, Any] | None = None


class QuoteLineIn(Schema):
    product: RecordId | None = Field(None, description="An active product; null or left out: a free-text line.")
    description: str = Field("", max_length=300, description="Required for a free-text line.")
    quantity: Quantity = Field(Decimal("1"), description="Above zero, up to 3 decimals.")
    unit: str = Field("", max_length=30, description="Left out: the product's unit.")
    unit_price: Amount | None = Field(None, description="Left out: the price book's price, else the list price.")
    discount: Percent | None = Field(None, description="Percentage; left out: 0.")
    tax_rate: Percent | None = Field(None, description="Percentage; left out: the product's rate (0 for free text).")


class QuoteLinePatch(Schema):
    product: RecordId | None = Field(
        None, description="Another product (priced anew unless unit_price is sent); null: free text."
    )
    description: str | None = Field(None, max_length=300)
    quantity: Quantity | None = None
    unit: str | None = Field(None, max_length=30)
    unit_price: Amount | None = None
    discount: Percent | None = None
    tax_rate: Percent | None = None


class QuoteNoteIn(Schema):
    note: Note = Field("", description="Optional; kept in the quote's history (and as the customer's answer).")


class QuoteReturnIn(Schema):
    reason: Note = Field(..., description="Why the quote goes back to its owner (required).")


class QuoteSendIn(Schema):
    to: str | None = Field(None, max_length=254, description="An e-mail address; left out: the quote's contact.")
    cc: list[Annotated[str, Field(max_length=254)]] = Field(default_factory=list, max_length=20)
    subject: str | None = Field(
        None, max_length=200, description="Left out: the standard subject in the quote's language."
    )
    message: str | None = Field(None, max_length=10_000, description="Left out: the standard message.")


class QuoteFilters(Schema):
    q: str | None = Field(
        None, max_length=60, description='The beginning of the number: "Q-2026-0004", or "Q-2026-00042/2".'
    )
    status: list[str] | None = Field(
        None, description="One or more statuses (repeat the parameter, or comma-separated)."
    )
    owner: str | None = Field(None, description="A user id, or `me`.")
    opportunity: int | None = None
    account: int | None = None
    created_from: dt.date | None = Field(None, description="Created on or after this day (your time zone).")
    created_to: dt.date | None = Field(None, description="Created on or before this day (your time zone).")
    ordering: str | None = Field(
        None,
        description="created, number, total, valid_until, status; prefix - to reverse (default -created: newest first).",
    )
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)
