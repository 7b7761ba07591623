# ruff: noqa: RUF001  (full-width punctuation is right in Chinese text)
"""The words printed on a quote, in the quote's own language.

A quote is written in one of `QuoteLanguage` — also languages the UI has no gettext catalogue for
(Indonesian, Traditional Chinese) — so the PDF's labels are an explicit table per language rather
than translations of the UI's strings. Numbers and dates follow Django's format modules for the
language (`formats.py`), which resolve for every language Django knows, whether or not it is in
`settings.LANGUAGES`.
"""

from __future__ import annotations

from typing import Final

#: every key the layout prints; each language defines them all (a test checks)
LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "Quote",
        "version": "Version",
        "date": "Date",
        "valid_until": "Valid until",
        "customer": "Customer",
        "contact": "Contact",
        "position": "No.",
        "description": "Description",
        "quantity": "Quantity",
        "unit_price": "Unit price",
        "discount": "Discount %",
        "tax_rate": "Tax %",
        "net_amount": "Net amount",
        "subtotal": "Subtotal",
        "discounts": "Discounts",
        "net_total": "Net total",
        "tax_at": "Tax %(rate)s%% on %(net)s",
        "tax": "Tax",
        "total": "Total",
        "currency": "Amounts in %(currency)s",
        "terms": "Terms",
        "page": "%(page)s / %(pages)s",
    },
    "pl": {
        "title": "Oferta",
        "version": "Wersja",
        "date": "Data",
        "valid_until": "Ważna do",
        "customer": "Klient",
        "contact": "Osoba kontaktowa",
        "position": "Lp.",
        "description": "Opis",
        "quantity": "Ilość",
        "unit_price": "Cena jedn.",
        "discount": "Rabat %",
        "tax_rate": "VAT %",
        "net_amount": "Wartość netto",
        "subtotal": "Wartość przed rabatem",
        "discounts": "Rabaty",
        "net_total": "Razem netto",
        "tax_at": "VAT %(rate)s%% od %(net)s",
        "tax": "VAT",
        "total": "Razem",
        "currency": "Kwoty w %(currency)s",
        "terms": "Warunki",
        "page": "%(page)s / %(pages)s",
    },
    "id": {
        "title": "Penawaran",
        "version": "Versi",
        "date": "Tanggal",
        "valid_until": "Berlaku hingga",
        "customer": "Pelanggan",
        "contact": "Kontak",
        "position": "No.",
        "description": "Deskripsi",
        "quantity": "Jumlah",
        "unit_price": "Harga satuan",
        "discount": "Diskon %",
        "tax_rate": "Pajak %",
        "net_amount": "Jumlah neto",
        "subtotal": "Subtotal",
        "discounts": "Diskon",
        "net_total": "Total neto",
        "tax_at": "Pajak %(rate)s%% atas %(net)s",
        "tax": "Pajak",
        "total": "Total",
        "currency": "Jumlah dalam %(currency)s",
        "terms": "Syarat dan ketentuan",
        "page": "%(page)s / %(pages)s",
    },
    "zh-hant": {
        "title": "報價單",
        "version": "版本",
        "date": "日期",
        "valid_until": "有效期限",
        "customer": "客戶",
        "contact": "聯絡人",
        "position": "項次",
        "description": "品名／說明",
        "quantity": "數量",
        "unit_price": "單價",
        "discount": "折扣 %",
        "tax_rate": "稅率 %",
        "net_amount": "未稅金額",
        "subtotal": "小計",
        "discounts": "折扣",
        "net_total": "未稅合計",
        "tax_at": "稅額 %(rate)s%%（未稅 %(net)s）",
        "tax": "稅額",
        "total": "總計",
        "currency": "幣別：%(currency)s",
        "terms": "條款",
        "page": "%(page)s / %(pages)s",
    },
}


def labels_for(language: str) -> dict[str, str]:
    """The labels of the quote's language (English for an unknown code)."""
    return LABELS.get(language, LABELS["en"])
