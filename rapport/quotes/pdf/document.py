"""What a quote's PDF prints, read from the database in a fixed number of queries."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage

from rapport.core.models import OrganisationSettings
from rapport.quotes.models import Quote, QuoteLine

log = logging.getLogger(__name__)

#: a logo larger than this is not read (the settings refuse more than 1 MB anyway)
LOGO_READ_LIMIT = 2 * 1024 * 1024


@dataclass(frozen=True)
class Company:
    name: str
    address: str
    logo: bytes | None


@dataclass(frozen=True)
class QuoteDocument:
    """The quote with its account, contact and currency, its lines in order, and the company."""

    quote: Quote
    lines: list[QuoteLine]
    company: Company


def load(quote: Quote) -> QuoteDocument:
    """Three queries whatever the number of lines: the quote with its relations, its lines with
    their products, the organisation's settings."""
    saved = Quote.objects.select_related("account", "contact", "currency").get(pk=quote.pk)
    lines = list(QuoteLine.objects.filter(quote_id=saved.pk).select_related("product").order_by("position", "id"))
    organisation = OrganisationSettings.objects.filter(pk=1).first()
    company = Company(
        name=organisation.company_name if organisation else "",
        address=organisation.company_address if organisation else "",
        logo=_logo(organisation),
    )
    return QuoteDocument(quote=saved, lines=lines, company=company)


def _logo(organisation: OrganisationSettings | None) -> bytes | None:
    """The logo's bytes; a missing or unreadable file prints no logo rather than no quote."""
    name = organisation.company_logo.name if organisation is not None else None
    if not name:
        return None
    try:
        with default_storage.open(name, "rb") as stream:
            data: bytes = stream.read(LOGO_READ_LIMIT + 1)
    except OSError:
        log.warning("The company logo %s cannot be read; the quote is printed without it.", name)
        return None
    return data if 0 < len(data) <= LOGO_READ_LIMIT else None
