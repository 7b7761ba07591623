"""`render_quote_pdf`: the quote as the customer receives it."""

from __future__ import annotations

from rapport.quotes.models import Quote
from rapport.quotes.pdf import fonts, layout
from rapport.quotes.pdf.document import QuoteDocument, load
from rapport.quotes.pdf.formats import Formatter
from rapport.quotes.pdf.labels import labels_for


def render_quote_pdf(quote: Quote) -> bytes:
    """The saved quote as a PDF in its own language: three queries, whatever its number of lines."""
    return render_document(load(quote))


def render_document(document: QuoteDocument) -> bytes:
    quote = document.quote
    labels = labels_for(quote.language)
    fmt = Formatter(quote.language)
    printable = fonts.document_fonts()
    pdf = layout.QuotePDF(page_label=labels["page"], printable=printable)
    pdf.set_title(f"{labels['title']} {quote.display_number}")
    pdf.set_author(document.company.name)
    pdf.set_creator("Rapport")
    printable.add_to(pdf, fallback=printable.needs_fallback(_characters(document, labels)))
    pdf.add_page()
    layout.company_block(pdf, document)
    layout.title_block(pdf, quote, labels, fmt)
    layout.customer_block(pdf, quote, labels)
    layout.lines_table(pdf, document.lines, labels, fmt)
    layout.totals_block(pdf, quote, labels, fmt)
    layout.terms_block(pdf, quote, labels)
    return bytes(pdf.output())


def _characters(document: QuoteDocument, labels: dict[str, str]) -> set[str]:
    """Every character the document may print (to decide whether it needs the CJK font)."""
    quote = document.quote
    texts = [*labels.values(), document.company.name, document.company.address, quote.account.name, quote.terms]
    if quote.contact is not None:
        texts += [quote.contact.full_name, quote.contact.email]
    for line in document.lines:
        texts += [line.description, line.unit, line.product.name if line.product is not None else ""]
    characters: set[str] = set()
    for text in texts:
        characters.update(text)
    return characters
