# ruff: noqa: RUF001  (full-width punctuation is right in Chinese text; the Hebrew is the point)
"""The quote PDF: labels, numbers and dates in the quote's language, embedded fonts for Polish and
Chinese, the company's name, address and logo, long quotes across pages, hostile text.

The expected figures are worked out by hand from the `deal` fixture plus one free-text line:
    pump   3 x 100.00, tax 23 %                 = 300.00
    valve  10 x 9.99 = 99.90 less 5 % (94.905)  =  94.91, tax 8 %
    work   2 x 500.00, tax 23 %                 = 1000.00
    subtotal 1399.90, discounts 4.99, net total 1394.91
    tax 23 % of 1300.00 = 299.00, 8 % of 94.91 = 7.59 (7.5928) → tax 306.59, total 1701.50
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from rapport.core.models import OrganisationSettings
from rapport.quotes import totals
from rapport.quotes.models import Quote, QuoteLine
from rapport.quotes.pdf import PDF_CONTENT_TYPE, fonts, pdf_filename, render_quote_pdf
from rapport.quotes.pdf.labels import LABELS
from rapport.quotes.pdf.layout import clean
from rapport.quotes.services import quote_create, quote_line_add
from rapport.quotes.services.common import refresh_totals

POLISH_TEXT = "Montaż i uruchomienie: zażółć gęślą jaźń, ĄĘŁŃÓŚŹŻ"
CHINESE_TEXT = "報價單客戶：安裝服務"
ADDRESS = "ul. Złota 44\n00-120 Warszawa\nPolska"
VALID_UNTIL = dt.date(2099, 12, 3)

EXPECTED = {
    # language: (title, total, net total, valid until)
    "en": ("Quote", "1,701.50", "1,394.91", "12/03/2099"),
    "pl": ("Oferta", "1 701,50", "1 394,91", "03-12-2099"),
    "id": ("Penawaran", "1.701,50", "1.394,91", "03-12-2099"),
    # Django's zh_Hant format groups digits by four with no separator
    "zh-hant": ("報價單", "1,701.50", "1,394.91", "2099年12月3日"),
}


def _resources(page: Any, kind: str) -> list[Any]:
    """The page's fonts ("/Font") or images ("/XObject"), resolved."""
    resources: Any = page["/Resources"]
    return [ref.get_object() for ref in resources[kind].values()]


def _text(data: bytes) -> str:
    """All the PDF's text, with whitespace runs made single spaces."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _company(**fields: Any) -> None:
    OrganisationSettings.objects.filter(pk=1).update(company_name="Rapport Sp. z o.o.", company_address=ADDRESS)
    for name, value in fields.items():
        row = OrganisationSettings.objects.get(pk=1)
        setattr(row, name, value)
        row.save()


def _quote(org: Any, deal: Any, language: str) -> Quote:
    quote = quote_create(
        actor=org.salesperson,
        opportunity_id=deal.opportunity.pk,
        language=language,
        valid_until=VALID_UNTIL,
        terms="Payment within 30 days.\nDelivery in 4 weeks.",
    )
    quote_line_add(
        actor=org.salesperson,
        quote_id=quote.pk,
        data={"description": POLISH_TEXT, "quantity": "2", "unit_price": "500", "tax_rate": "23", "unit": "h"},
    )
    quote_line_add(
        actor=org.salesperson,
        quote_id=quote.pk,
        data={"description": CHINESE_TEXT, "quantity": "1", "unit_price": "0", "tax_rate": "23"},
    )
    quote.refresh_from_db()
    assert (quote.net_total, quote.total) == (Decimal("1394.91"), Decimal("1701.50"))
    return quote


def _png(size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("language", list(EXPECTED))
def test_the_pdf_speaks_the_quotes_language(org, deal, language):
    _company()
    quote = _quote(org, deal, language)
    data = render_quote_pdf(quote)
    assert data.startswith(b"%PDF")
    text = _text(data)
    title, total, net_total, valid_until = EXPECTED[language]
    assert f"{title} {quote.display_number}" in text
    assert total in text and net_total in text
    assert valid_until in text
    assert LABELS[language]["valid_until"] in text
    assert POLISH_TEXT in text
    assert CHINESE_TEXT in text
    assert "Rapport Sp. z o.o." in text and "ul. Złota 44" in text and "00-120 Warszawa" in text
    assert "Kowalski Sp. z o.o." in text and deal.buyer.full_name in text
    assert "Payment within 30 days." in text and "Delivery in 4 weeks." in text
    assert "1 / 1" in text


def test_the_fonts_are_embedded(org, deal):
    data = render_quote_pdf(_quote(org, deal, "pl"))
    embedded = {}
    for font in _resources(pypdf.PdfReader(io.BytesIO(data)).pages[0], "/Font"):
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        embedded[str(font["/BaseFont"]).split("+")[-1]] = "/FontFile2" in descriptor
    # subsets ("ABCDEF+NotoSansBold") of the static instances, named after their weight: Noto Sans
    # for the text, Noto Sans TC for the Chinese line, bold for the headings
    assert {"NotoSans", "NotoSansBold", "NotoSansTC"} <= set(embedded), embedded
    assert all(embedded.values())
    chinese = render_quote_pdf(_quote(org, deal, "zh-hant"))  # bold Chinese headings
    names = {
        str(font["/BaseFont"]).split("+")[-1]
        for font in _resources(pypdf.PdfReader(io.BytesIO(chinese)).pages[0], "/Font")
    }
    assert "NotoSansTCBold" in names, names


def test_a_quote_without_chinese_embeds_only_noto_sans(org, deal):
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk, language="pl")
    page = pypdf.PdfReader(io.BytesIO(render_quote_pdf(quote))).pages[0]
    names = [str(font["/BaseFont"]) for font in _resources(page, "/Font")]
    assert names and not any("NotoSansTC" in name for name in names)


def test_the_company_logo_is_drawn(org, deal):
    _company()
    row = OrganisationSettings.objects.get(pk=1)
    row.company_logo.save("logo.png", ContentFile(_png()), save=True)
    data = render_quote_pdf(_quote(org, deal, "en"))
    images = _resources(pypdf.PdfReader(io.BytesIO(data)).pages[0], "/XObject")
    assert any(image["/Subtype"] == "/Image" for image in images)


def test_a_missing_or_broken_logo_prints_the_quote_without_it(org, deal):
    row = OrganisationSettings.objects.get(pk=1)
    row.company_logo.save("broken.png", ContentFile(b"not an image"), save=True)
    assert render_quote_pdf(_quote(org, deal, "en")).startswith(b"%PDF")
    OrganisationSettings.objects.filter(pk=1).update(company_logo="org/gone.png")
    assert render_quote_pdf(_quote(org, deal, "en")).startswith(b"%PDF")


def test_a_long_quote_breaks_across_pages_in_three_queries(org, deal, django_assert_num_queries):
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk, language="pl")
    lines = []
    for n in range(200):
        line = QuoteLine(
            quote=quote,
            position=n + 2,
            description=f"Pozycja nr {n:03d} — łożysko kulkowe",
            quantity=Decimal(n % 5 + 1),
            unit="szt.",
            unit_price=Decimal("12.34"),
            tax_rate=Decimal("23"),
        )
        amounts = totals.line_amounts(line)
        line.gross_amount, line.net_amount = amounts.gross, amounts.net
        lines.append(line)
    QuoteLine.objects.bulk_create(lines)
    refresh_totals(quote)
    quote = Quote.objects.get(pk=quote.pk)  # no relation cached: the renderer reads them itself
    with django_assert_num_queries(3):
        data = render_quote_pdf(quote)
    reader = pypdf.PdfReader(io.BytesIO(data))
    pages = len(reader.pages)
    assert pages > 1
    text = _text(data)
    for n in range(200):
        assert f"Pozycja nr {n:03d} — łożysko kulkowe" in text
    assert f"{pages} / {pages}" in text
    # the heading row is repeated on every page with lines
    pages_with_lines = [page.extract_text() for page in reader.pages if "Pozycja nr" in page.extract_text()]
    assert len(pages_with_lines) > 1
    assert all(LABELS["pl"]["unit_price"] in page for page in pages_with_lines)
    assert text.index("Pozycja nr 000") < text.index("Pozycja nr 199")


HOSTILE = [
    "W" * 300,
    "<script>alert('x')</script> & <b>bold</b> %(page)s %s {nb} \\ ( ) [",
    "\u200fשלום\u200e mixed \u202eRTL override\u202c",
    "Emoji 😀🎉👍🏽 and a flag 🇵🇱",
    "Controls \x07\x1b[31m\x7f\t tab\r\nnew line\x0b\x0c",  # NUL: PostgreSQL stores none
    "e\u0301 combining, zero\u200bwidth, \ufeffBOM, \ufffd replacement",
    "報價單" * 100,
]


def test_hostile_text_renders(org, deal):
    OrganisationSettings.objects.filter(pk=1).update(
        company_name="<script>😀{nb}" + "N" * 180, company_address="\x07" * 5 + "\n\n\u202e" + "A" * 500
    )
    quote = quote_create(
        actor=org.salesperson, opportunity_id=deal.opportunity.pk, language="zh-hant", terms="😀\n" * 50 + "W" * 2000
    )
    for text in HOSTILE:
        quote_line_add(
            actor=org.salesperson,
            quote_id=quote.pk,
            data={"description": text, "quantity": "1", "unit_price": "1", "unit": "😀" * 30},
        )
    data = render_quote_pdf(quote)
    assert data.startswith(b"%PDF")
    text = _text(data)
    assert "<script>alert('x')</script>" in text
    assert "%(page)s %s {nb}" in text  # printed as typed, not taken for the page count
    assert "1 / " in text


def test_control_characters_and_glyphs_no_font_has_are_left_out():
    printable = fonts.document_fonts()
    assert clean("a\x00b\x07c\r\nd\te😀f", printable) == "a b c\nd e" + "f"
    assert clean("line\nbreak", printable, one_line=True) == "line break"
    assert clean("報價單 zażółć", printable) == "報價單 zażółć"


def test_every_language_has_every_label():
    keys = set(LABELS["en"])
    assert all(set(labels) == keys for labels in LABELS.values())
    assert set(LABELS) == {"en", "pl", "id", "zh-hant"}


def test_file_name_and_content_type(org, deal):
    quote = quote_create(actor=org.salesperson, opportunity_id=deal.opportunity.pk)
    assert pdf_filename(quote) == f"{quote.number}.pdf"
    quote.version = 2
    assert pdf_filename(quote) == f"{quote.number}-2.pdf"
    quote.number = "../Q 2026/<x>"
    assert pdf_filename(quote) == "Q-2026-x-2.pdf"
    assert PDF_CONTENT_TYPE == "application/pdf"


def test_the_font_cache_is_named_after_its_sources(settings, tmp_path):
    settings.RAPPORT_FONT_CACHE = tmp_path
    for source in fonts.SOURCES:
        stat = source.file().stat()
        regular, bold = fonts.instance_path(source, ""), fonts.instance_path(source, "B")
        assert regular.parent == tmp_path and regular != bold
        version = importlib.metadata.version(source.distribution)
        assert f"-{version}-{stat.st_size}-{stat.st_mtime_ns}" in regular.name


def test_prepare_fonts_reports_the_cached_instances():
    out = io.StringIO()
    call_command("prepare_fonts", stdout=out)  # the session's cache is built: nothing to do
    report = out.getvalue()
    assert report.count("cached ") == 4 and "built " not in report
