"""The quote's page layout on A4 with fpdf2: company, title, customer, lines, totals, terms.

Each block is a small function drawing at the current position. The lines table is drawn row by
row with fpdf2's low-level `text()` (fast enough for hundreds of lines); it breaks across pages
and repeats its heading row on each. The footer numbers the pages "1 / 3". Every text from the
database goes through `clean()` first, so a control character or a glyph no font has cannot stop
a quote from printing.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont

from rapport.quotes.models import Quote, QuoteLine
from rapport.quotes.pdf import fonts
from rapport.quotes.pdf.document import QuoteDocument
from rapport.quotes.pdf.formats import Formatter
from rapport.quotes.totals import ZERO

log = logging.getLogger(__name__)

FONT = fonts.LATIN.family
MARGIN = 15.0
TEXT_SIZE = 9.0
TABLE_SIZE = 8.5
CELL_PAD_X = 1.0
CELL_PAD_Y = 1.2
LINE_HEIGHT = 4.6
MUTED = (100, 100, 100)
RULE = (200, 200, 200)
HEADING_FILL = (238, 240, 244)
LOGO_BOX = (50.0, 20.0)  # at most, in mm
#: No., description, quantity, unit price, discount, tax, net amount (mm; 180 in all)
COLUMNS = (10.0, 67.0, 22.0, 24.0, 15.0, 12.0, 30.0)
ALIGNS = ("R", "L", "R", "R", "R", "R", "R")
TOTALS_LABEL_WIDTH = 65.0
TOTALS_VALUE_WIDTH = 40.0
#: stands for the number of pages until the PDF is written; `clean()` turns control characters into
#: spaces, so no text from the database can contain it (fpdf2's default "{nb}" could be typed)
PAGES_ALIAS = "\x01pages\x01"


class QuotePDF(FPDF):
    """A4 portrait, millimetres, with the page number in the footer."""

    def __init__(self, page_label: str, printable: fonts.DocumentFonts) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.page_label = page_label
        self.printable = printable
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=18)
        self.c_margin = 1.0
        self.alias_nb_pages(PAGES_ALIAS)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        label = self.page_label % {"page": self.page_no(), "pages": PAGES_ALIAS}
        self.cell(0, 5, label, align="C")
        self.set_text_color(0, 0, 0)

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> Any:
        # fpdf2 2.8.9 forgets that a text ending in a fallback font (Chinese) left that font
        # selected in the page's stream, and writes the next text's glyphs in it: make it select
        # the font again for every line of text.
        self.current_font_is_set_on_page = False
        return super()._render_styled_text_line(*args, **kwargs)

    def clean(self, text: Any, *, one_line: bool = False) -> str:
        """Text safe to print (`clean`) with this document's fonts."""
        return clean(text, self.printable, one_line=one_line)


def clean(text: Any, printable: fonts.DocumentFonts, *, one_line: bool = False) -> str:
    """Text safe to print: control characters become spaces (a line break stays, unless the text
    must fit one line) and characters no embedded font has are left out."""
    out = []
    for char in str(text or "").replace("\r\n", "\n").replace("\r", "\n"):
        if char == "\n":
            out.append(" " if one_line else "\n")
        elif unicodedata.category(char) == "Cc":
            out.append(" ")
        elif printable.covers(char):
            out.append(char)
    return "".join(out).strip()


# --- blocks ---------------------------------------------------------------------------------------------


def company_block(pdf: QuotePDF, document: QuoteDocument) -> None:
    """The logo top left; the company's name and address top right."""
    top = pdf.get_y()
    bottom = top
    if document.company.logo:
        try:
            info = pdf.image(
                io.BytesIO(document.company.logo), x=MARGIN, y=top, w=LOGO_BOX[0], h=LOGO_BOX[1], keep_aspect_ratio=True
            )
            bottom = top + float(info.rendered_height)
        except Exception:  # a broken file must not stop the quote
            log.warning("The company logo cannot be drawn; the quote is printed without it.", exc_info=True)
    right_x = MARGIN + LOGO_BOX[0] + 5
    width = pdf.w - MARGIN - right_x
    pdf.set_xy(right_x, top)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(width, 6, pdf.clean(document.company.name), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", TEXT_SIZE)
    pdf.set_text_color(*MUTED)
    for line in pdf.clean(document.company.address).splitlines():
        if line.strip():
            pdf.set_x(right_x)
            pdf.multi_cell(width, LINE_HEIGHT, line.strip(), align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(MARGIN, max(bottom, pdf.get_y()) + 8)


def quote_day(quote: Quote) -> dt.date:
    """The quote's date: when it was sent, else when it was made (the company's time zone)."""
    moment = quote.sent_at or quote.created_at
    return timezone.localdate(moment) if moment else timezone.localdate()


def title_block(pdf: QuotePDF, quote: Quote, labels: dict[str, str], fmt: Formatter) -> None:
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(
        0, 9, f"{labels['title']} {pdf.clean(quote.display_number, one_line=True)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(1)
    facts = [
        (labels["version"], str(quote.version)),
        (labels["date"], fmt.date(quote_day(quote))),
        (labels["valid_until"], fmt.date(quote.valid_until)),
    ]
    for label, value in facts:
        _fact(pdf, label, value)
    pdf.ln(4)


def _fact(pdf: QuotePDF, label: str, value: str, label_width: float = 32.0) -> None:
    pdf.set_font(FONT, "", TEXT_SIZE)
    pdf.set_text_color(*MUTED)
    pdf.cell(label_width, LINE_HEIGHT, label)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(0, LINE_HEIGHT, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def customer_block(pdf: QuotePDF, quote: Quote, labels: dict[str, str]) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, labels["customer"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", TEXT_SIZE)
    pdf.multi_cell(0, LINE_HEIGHT, pdf.clean(quote.account.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    contact = quote.contact
    if contact is not None:
        person = ", ".join(
            part for part in (pdf.clean(contact.full_name, one_line=True), pdf.clean(contact.email)) if part
        )
        if person:
            _fact(pdf, labels["contact"], person)
    pdf.ln(5)


def line_text(pdf: QuotePDF, line: QuoteLine) -> str:
    """What the line's description column prints: its text, else its product's name."""
    if line.description:
        return pdf.clean(line.description)
    return pdf.clean(line.product.name) if line.product is not None else ""


def lines_table(pdf: QuotePDF, lines: list[QuoteLine], labels: dict[str, str], fmt: Formatter) -> None:
    """One row per line; a row that does not fit starts a new page, under the heading row again.

    Drawn with `TableText` rather than fpdf2's `table()` or `multi_cell()`, whose line breaking
    costs ~2 ms per cell: 200 lines took 1 to 2 s, this takes a fraction of it."""
    headings = [
        labels[key]
        for key in ("position", "description", "quantity", "unit_price", "discount", "tax_rate", "net_amount")
    ]
    writer = TableText(pdf)
    pdf.set_draw_color(*RULE)
    _table_row(writer, headings, heading=True)
    for number, line in enumerate(lines, start=1):
        quantity = fmt.quantity(line.quantity)
        unit = pdf.clean(line.unit, one_line=True)
        texts = [
            str(number),
            line_text(pdf, line),
            f"{quantity} {unit}" if unit else quantity,
            fmt.amount(line.unit_price),
            fmt.percent(line.discount),
            fmt.percent(line.tax_rate),
            fmt.amount(line.net_amount),
        ]
        _table_row(writer, texts, heading=False, headings=headings)
    pdf.set_font(FONT, "", TEXT_SIZE)
    pdf.ln(4)


class TableText:
    """Measures, wraps and draws the table's text with `FPDF.text()` and the fonts' own widths,
    switching to the Chinese fallback font for the characters only it has (and to its regular
    weight for a bold character its bold subset lacks)."""

    def __init__(self, pdf: QuotePDF) -> None:
        self.pdf = pdf
        self.latin = pdf.printable.latin
        self.fallback = fonts.CJK.family if fonts.CJK.family in pdf.fonts else None
        #: (family, style) → {code point: width in thousandths of the font size}, and what it has
        self.widths: dict[tuple[str, str], Mapping[int, float]] = {}
        self.has: dict[tuple[str, str], Mapping[int, Any]] = {}
        for family in (FONT, self.fallback):
            for style in fonts.STYLES:
                font = pdf.fonts.get(f"{family}{style}") if family else None
                if family and isinstance(font, TTFFont):
                    self.widths[(family, style)] = font.cw
                    self.has[(family, style)] = font.cmap

    def _font(self, char: str, style: str) -> tuple[str, str]:
        if self.fallback is None or ord(char) in self.latin:
            return FONT, style
        if ord(char) in self.has.get((self.fallback, style), {}):
            return self.fallback, style
        return self.fallback, ""

    def runs(self, text: str, style: str) -> list[tuple[tuple[str, str], str]]:
        """The text cut where the font changes: [((family, style), text), …]."""
        out: list[tuple[tuple[str, str], str]] = []
        for char in text:
            font = self._font(char, style)
            if out and out[-1][0] == font:
                out[-1] = (font, out[-1][1] + char)
            else:
                out.append((font, char))
        return out

    def width(self, text: str, style: str, size: float) -> float:
        """The text's width in mm at `size` points."""
        total = 0.0
        for font, run in self.runs(text, style):
            widths = self.widths[font]
            total += sum(widths[ord(char)] for char in run)
        return total * size / 1000 / self.pdf.k

    def wrap(self, text: str, width: float, style: str, size: float) -> list[str]:
        """Lines of at most `width` mm, broken between words; a word longer than that is broken
        inside (a Chinese text, without spaces, too)."""
        lines: list[str] = []
        space = self.width(" ", style, size)
        for paragraph in text.split("\n"):
            words: list[str] = []
            used = 0.0
            for word in paragraph.split():
                measure = self.width(word, style, size)
                extra = measure + (space if words else 0.0)
                if used + extra <= width:
                    words.append(word)
                    used += extra
                    continue
                if words:
                    lines.append(" ".join(words))
                words, used = [], 0.0
                if measure <= width:
                    words, used = [word], measure
                    continue
                piece, piece_width = "", 0.0
                for char in word:
                    char_width = self.width(char, style, size)
                    if piece and piece_width + char_width > width:
                        lines.append(piece)
                        piece, piece_width = "", 0.0
                    piece += char
                    piece_width += char_width
                words, used = ([piece], piece_width) if piece else ([], 0.0)
            lines.append(" ".join(words))
        return lines or [""]

    def draw(self, x: float, baseline: float, text: str, style: str, size: float) -> None:
        for (family, font_style), run in self.runs(text, style):
            self.pdf.set_font(family, font_style, size)
            self.pdf.text(x, baseline, run)
            x += self.width(run, font_style, size)


def _table_row(writer: TableText, texts: list[str], *, heading: bool, headings: list[str] | None = None) -> None:
    """Draw one row of the lines table at the current position; a body row that does not fit on
    the page goes to the next one, under a repeated heading row."""
    pdf = writer.pdf
    style = "B" if heading else ""
    cells = [
        writer.wrap(text, width - 2 * CELL_PAD_X, style, TABLE_SIZE) for text, width in zip(texts, COLUMNS, strict=True)
    ]
    height = max(len(c) for c in cells) * LINE_HEIGHT + 2 * CELL_PAD_Y
    if not heading and pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
        _table_row(writer, headings or [], heading=True)
    top = pdf.get_y()
    if heading:
        pdf.set_fill_color(*HEADING_FILL)
        pdf.rect(MARGIN, top, sum(COLUMNS), height, style="F")
    # where cell() would put the baseline: the middle of the line, lowered by 0.3 of the font size
    drop = LINE_HEIGHT / 2 + 0.3 * TABLE_SIZE / pdf.k
    x = MARGIN
    for parts, width, align in zip(cells, COLUMNS, ALIGNS, strict=True):
        baseline = top + CELL_PAD_Y + drop
        for part in parts:
            left = x + CELL_PAD_X
            if align == "R":
                left = x + width - CELL_PAD_X - writer.width(part, style, TABLE_SIZE)
            writer.draw(left, baseline, part, style, TABLE_SIZE)
            baseline += LINE_HEIGHT
        x += width
    pdf.line(MARGIN, top + height, MARGIN + sum(COLUMNS), top + height)
    pdf.set_xy(MARGIN, top + height)


def _taxes(quote: Quote) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, net, tax) per rate from the stored breakdown, lowest rate first."""
    rows = []
    for rate, figures in (quote.tax_breakdown or {}).items():
        rows.append((Decimal(rate), Decimal(figures["net"]), Decimal(figures["tax"])))
    return sorted(rows)


def totals_block(pdf: QuotePDF, quote: Quote, labels: dict[str, str], fmt: Formatter) -> None:
    """Subtotal, discounts, net total, tax per rate, tax and the total, right-aligned."""
    code = pdf.clean(quote.currency_id, one_line=True)
    taxes = _taxes(quote)
    rows: list[tuple[str, str, bool]] = [
        (labels["subtotal"], fmt.amount(quote.subtotal), False),
        # shown as a deduction; a quote without discounts shows 0.00, not -0.00
        (labels["discounts"], fmt.amount(-quote.discount_total if quote.discount_total else ZERO), False),
        (labels["net_total"], fmt.amount(quote.net_total), True),
    ]
    for rate, net, tax in taxes:
        label = labels["tax_at"] % {"rate": fmt.percent(rate), "net": fmt.amount(net)}
        rows.append((label, fmt.amount(tax), False))
    rows.append((labels["tax"], fmt.amount(quote.tax_total), False))
    rows.append((labels["total"], f"{fmt.amount(quote.total)} {code}", True))
    needed = LINE_HEIGHT * 1.3 * (len(rows) + 2)
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    left = pdf.w - MARGIN - TOTALS_LABEL_WIDTH - TOTALS_VALUE_WIDTH
    for label, value, strong in rows:
        pdf.set_x(left)
        pdf.set_font(FONT, "B" if strong else "", TEXT_SIZE + (1 if label == labels["total"] else 0))
        height = LINE_HEIGHT * 1.3
        pdf.cell(TOTALS_LABEL_WIDTH, height, label, align="R")
        pdf.cell(TOTALS_VALUE_WIDTH, height, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", TEXT_SIZE - 1)
    pdf.set_text_color(*MUTED)
    pdf.set_x(left)
    pdf.cell(
        TOTALS_LABEL_WIDTH + TOTALS_VALUE_WIDTH,
        LINE_HEIGHT,
        labels["currency"] % {"currency": code},
        align="R",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(0, 0, 0)
    pdf.ln(6)


def terms_block(pdf: QuotePDF, quote: Quote, labels: dict[str, str]) -> None:
    terms = pdf.clean(quote.terms)
    if not terms:
        return
    pdf.set_font(FONT, "B", 10)
    pdf.cell(0, 6, labels["terms"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", TEXT_SIZE)
    pdf.multi_cell(0, LINE_HEIGHT, terms, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
