"""Writes on the catalogue: products, price books and their entries, and the product CSV import.
Administrators maintain the catalogue; everyone signed in reads it."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy

from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from rapport.core.errors import InvalidInput, RecordNotFound, RuleViolation
from rapport.core.models import Currency, User
from rapport.core.services._common import full_clean_or_raise, require_admin
from rapport.customers.models import CustomerCategory

PRODUCT_FIELDS = (
    "sku",
    "name",
    "family",
    "unit",
    "list_price_amount",
    "list_price_currency",
    "tax_rate",
    "active",
    "description",
)
NOT_A_NUMBER = gettext_lazy("Enter a number.")
UNKNOWN_CURRENCY = gettext_lazy("Choose an active currency.")
UNKNOWN_CATEGORY = gettext_lazy("Choose an existing customer category.")
SKU_TAKEN = gettext_lazy("Another product has this SKU.")
PRODUCT_IN_USE = gettext_lazy("Opportunities use this product; deactivate it instead.")
MAX_IMPORT_ROWS = 20_000
CSV_HEADERS = ("sku", "name", "family", "unit", "list_price", "currency", "tax_rate", "active")
#: a product field as the CSV file names its column (the row's messages name the file's columns)
_CSV_NAMES = {"list_price_amount": "list_price", "list_price_currency": "currency"}


def _decimal(field: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput({field: [str(NOT_A_NUMBER)]}) from exc
    if not number.is_finite():
        raise InvalidInput({field: [str(NOT_A_NUMBER)]})
    return number


def _currency(field: str, value: Any) -> Currency:
    try:
        return Currency.objects.get(pk=str(value or "").strip().upper(), active=True)
    except Currency.DoesNotExist as exc:
        raise InvalidInput({field: [str(UNKNOWN_CURRENCY)]}) from exc


def _product(product_id: Any) -> Product:
    try:
        return Product.objects.get(pk=product_id)
    except (Product.DoesNotExist, ValueError, TypeError) as exc:
        raise RecordNotFound() from exc


def _apply_product(product: Product, data: Mapping[str, Any]) -> None:
    unknown = [name for name in data if name not in PRODUCT_FIELDS]
    if unknown:
        raise InvalidInput({name: [str(gettext_lazy("This field cannot be set."))] for name in unknown})
    for name, value in data.items():
        if name in ("list_price_amount", "tax_rate"):
            setattr(product, name, _decimal(name, value))
        elif name == "list_price_currency":
            product.list_price_currency = _currency(name, value)
        elif name == "active":
            product.active = value in (True, "true", "True", "1", "yes", "on", 1)
        else:
            setattr(product, name, str(value or "").strip())


@transaction.atomic
def product_save(*, actor: User, data: Mapping[str, Any], product_id: Any = None) -> Product:
    require_admin(actor)
    product = _product(product_id) if product_id is not None else Product()
    _apply_product(product, data)
    if Product.objects.filter(sku__iexact=product.sku).exclude(pk=product.pk).exists():
        raise InvalidInput({"sku": [str(SKU_TAKEN)]})
    full_clean_or_raise(product, exclude=["sku"] if product.pk is None else None)
    product.save()
    return product


@transaction.atomic
def product_delete(*, actor: User, product_id: Any) -> None:
    require_admin(actor)
    product = _product(product_id)
    try:
        product.delete()
    except ProtectedError as exc:
        raise RuleViolation(str(PRODUCT_IN_USE)) from exc


@transaction.atomic
def price_book_save(*, actor: User, data: Mapping[str, Any], price_book_id: Any = None) -> PriceBook:
    require_admin(actor)
    if price_book_id is not None:
        try:
            book = PriceBook.objects.get(pk=price_book_id)
        except (PriceBook.DoesNotExist, ValueError, TypeError) as exc:
            raise RecordNotFound() from exc
    else:
        book = PriceBook()
    if "name" in data:
        book.name = str(data["name"] or "").strip()
    if "currency" in data:
        book.currency = _currency("currency", data["currency"])
    if "customer_category" in data:
        category = data["customer_category"]
        if category in (None, ""):
            book.customer_category = None
        else:
            try:
                book.customer_category = CustomerCategory.objects.get(pk=category)
            except (CustomerCategory.DoesNotExist, ValueError, TypeError) as exc:
                raise InvalidInput({"customer_category": [str(UNKNOWN_CATEGORY)]}) from exc
    if "active" in data:
        book.active = bool(data["active"])
    full_clean_or_raise(book)
    book.save()
    return book


@transaction.atomic
def price_entry_set(*, actor: User, price_book_id: Any, product_id: Any, unit_price: Any) -> PriceBookEntry:
    require_admin(actor)
    try:
        book = PriceBook.objects.get(pk=price_book_id)
    except (PriceBook.DoesNotExist, ValueError, TypeError) as exc:
        raise RecordNotFound() from exc
    product = _product(product_id)
    price = _decimal("unit_price", unit_price)
    if price < 0:
        raise InvalidInput({"unit_price": [str(gettext_lazy("A price cannot be negative."))]})
    entry, _created = PriceBookEntry.objects.update_or_create(
        price_book=book, product=product, defaults={"unit_price": price.quantize(Decimal("0.01"))}
    )
    return entry


@transaction.atomic
def price_entry_remove(*, actor: User, price_book_id: Any, product_id: Any) -> None:
    """Take a product out of a price book: its deals then fall back to the general book or the list price."""
    require_admin(actor)
    deleted, _rows = PriceBookEntry.objects.filter(price_book_id=price_book_id, product_id=product_id).delete()
    if not deleted:
        raise RecordNotFound()


def product_import(*, actor: User, content: bytes) -> dict[str, Any]:
    """Create or update products from a CSV (`CSV_HEADERS`, matched by SKU). Each row on its own:
    a bad row is reported with its number and reason and changes nothing."""
    require_admin(actor)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = [h.strip().lower() for h in reader.fieldnames or []]
    if "sku" not in headers or "name" not in headers:
        raise InvalidInput({"file": [str(gettext_lazy("The file needs at least the columns sku and name."))]})
    created = updated = 0
    errors: list[dict[str, Any]] = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            errors.append({"row": number, "message": str(gettext_lazy("Too many rows; the rest was not read."))})
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        data: dict[str, Any] = {k: row[k] for k in ("sku", "name", "family", "unit") if row.get(k)}
        if row.get("list_price"):
            data["list_price_amount"] = row["list_price"]
        if row.get("currency"):
            data["list_price_currency"] = row["currency"]
        if row.get("tax_rate"):
            data["tax_rate"] = row["tax_rate"]
        if row.get("active"):
            data["active"] = row["active"].lower() in ("1", "true", "yes", "y", "tak")
        existing = Product.objects.filter(sku__iexact=data.get("sku", "")).first()
        if existing is None:
            data.setdefault("list_price_currency", "EUR")
            data.setdefault("list_price_amount", "0")
        try:
            with transaction.atomic():
                product_save(actor=actor, data=data, product_id=existing.pk if existing else None)
        except InvalidInput as exc:
            message = "; ".join(
                f"{_CSV_NAMES.get(field, field)}: {' '.join(msgs)}" for field, msgs in exc.errors.items()
            )
            errors.append({"row": number, "message": message})
            continue
        if existing is None:
            created += 1
        else:
            updated += 1
    return {"created": created, "updated": updated, "failed": len(errors), "errors": errors}
