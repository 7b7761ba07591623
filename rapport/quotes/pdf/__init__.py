"""The quote PDF: `render_quote_pdf(quote)` is all the rest of Rapport calls (API, UI, e-mail).

The layout is A4 in the quote's language (labels in `labels.py`, numbers and dates by Django's
format modules), with Noto Sans embedded and Noto Sans TC as its fallback for Chinese (`fonts.py`).
"""

from __future__ import annotations

import re

from rapport.quotes.models import Quote

PDF_CONTENT_TYPE = "application/pdf"
_UNSAFE = re.compile(r"[^A-Za-z0-9.]+")


def render_quote_pdf(quote: Quote) -> bytes:
    """The quote as a PDF file. fpdf2, fontTools and Pillow load with the first PDF a process makes,
    not with every process (the workers, the scheduler, an import's reading child)."""
    from rapport.quotes.pdf.render import render_quote_pdf as render

    return render(quote)


def pdf_filename(quote: Quote) -> str:
    """The attachment's name: "Q-2026-00042.pdf", "Q-2026-00042-2.pdf" from version 2 on."""
    stem = _UNSAFE.sub("-", quote.display_number).strip(".-") or "quote"
    return f"{stem}.pdf"


__all__ = ["PDF_CONTENT_TYPE", "pdf_filename", "render_quote_pdf"]
