"""`/api/v1/products` and `/api/v1/price-books`: the catalogue. Everyone signed in reads it;
administrators maintain it (the services check: `403` otherwise).

Prices and the tax rate travel as decimal strings (`"12.50"`, `"23.00"` for 23 %); a product's list
price is `list_price` with its `currency` beside it.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from rapport.catalog import services
from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from rapport.core.api_support import ListOut, actor_of
from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.listing import paginate
from rapport.core.money import AMOUNT_DIGITS, AMOUNT_PLACES
from rapport.core.services._common import require_admin

products_router = Router(tags=["products"])
price_books_router = Router(tags=["price books"])

MAX_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Price = Annotated[Decimal, Field(ge=0, max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]

CANNOT_BE_EMPTY = gettext_lazy("This field cannot be empty.")
NOT_A_CSV = gettext_lazy("The file is not a CSV file that can be read.")
TOO_LARGE = gettext_lazy("The file is too large (at most 10 MB).")
MAX_IMPORT_BYTES = 10 * 1024 * 1024

#: API name → the service's name of a product field
PRODUCT_NAMES = {"list_price": "list_price_amount", "currency": "list_price_currency"}
PRODUCT_ORDERINGS = {"name": ("name",), "sku": ("sku",), "family": ("family", "name"), "price": ("list_price_amount",)}


# --- schemas ---------------------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    family: str
    unit: str
    list_price: Decimal = Field(..., alias="list_price_amount")
    currency: str = Field(..., alias="list_price_currency_id")
    tax_rate: Decimal = Field(..., description="Percentage.")
    active: bool
    description: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64, description="Unique (case-insensitive).")
    name: str = Field(..., min_length=1, max_length=200)
    family: str = Field("", max_length=100)
    unit: str = Field("pcs", min_length=1, max_length=30)
    list_price: Price = Decimal("0")
    currency: str = Field(..., min_length=3, max_length=3, description="ISO 4217 code of an active currency.")
    tax_rate: Percent = Field(Decimal("0"), description="Percentage.")
    active: bool = True
    description: str = Field("", max_length=10_000)


class ProductPatch(Schema):
    sku: str | None = Field(None, min_length=1, max_length=64)
    name: str | None = Field(None, min_length=1, max_length=200)
    family: str | None = Field(None, max_length=100)
    unit: str | None = Field(None, min_length=1, max_length=30)
    list_price: Price | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    tax_rate: Percent | None = None
    active: bool | None = None
    description: str | None = Field(None, max_length=10_000)


class ProductFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Part of the name or the SKU.")
    family: str | None = Field(None, max_length=100, description="A product family (case-insensitive).")
    active: bool | None = None
    ordering: str | None = Field(None, description="name, sku, family, price; prefix - to reverse (default name).")
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


class ImportErrorOut(Schema):
    row: int = Field(..., description="The file's row (the header is row 1).")
    message: str


class ProductImportOut(Schema):
    created: int
    updated: int
    failed: int
    errors: list[ImportErrorOut]


class PriceBookOut(Schema):
    id: int
    name: str
    currency: str = Field(..., alias="currency_id")
    customer_category: int | None = Field(None, alias="customer_category_id", description="null: every customer.")
    active: bool


class PriceBookIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    currency: str = Field(..., min_length=3, max_length=3, description="ISO 4217 code of an active currency.")
    customer_category: RecordId | None = Field(None, description="A customer category; null: every customer.")
    active: bool = True


class PriceBookPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=150)
    currency: str | None = Field(None, min_length=3, max_length=3)
    customer_category: RecordId | None = None
    active: bool | None = None


class PriceBookFilters(Schema):
    currency: str | None = Field(None, max_length=3)
    active: bool | None = None
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


class PriceEntryOut(Schema):
    id: int
    product: int = Field(..., alias="product_id")
    sku: str
    name: str
    unit_price: Decimal

    @staticmethod
    def resolve_sku(entry: PriceBookEntry) -> str:
        return entry.product.sku

    @staticmethod
    def resolve_name(entry: PriceBookEntry) -> str:
        return entry.product.name


class PriceEntryIn(Schema):
    product: RecordId
    unit_price: Price = Field(..., description="Decimal string, e.g. `12.50`.")


# --- helpers ---------------------------------------------------------------------------------------


def _get(model: type[Any], pk: int) -> Any:
    if not 0 < pk <= MAX_ID:
        raise RecordNotFound()
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist as exc:
        raise RecordNotFound() from exc


def _refuse_nulls(data: dict[str, Any], names: tuple[str, ...]) -> None:
    empty = [name for name in names if name in data and data[name] is None]
    if empty:
        raise InvalidInput({name: [str(CANNOT_BE_EMPTY)] for name in empty})


def _product_data(data: dict[str, Any]) -> dict[str, Any]:
    return {PRODUCT_NAMES.get(name, name): value for name, value in data.items()}


def _renamed(exc: InvalidInput) -> InvalidInput:
    back = {service: api for api, service in PRODUCT_NAMES.items()}
    exc.errors = {back.get(key, key): messages for key, messages in exc.errors.items()}
    return exc


def _save_product(actor: Any, data: dict[str, Any], product_id: int | None = None) -> Product:
    try:
        product = services.product_save(actor=actor, data=_product_data(data), product_id=product_id)
    except InvalidInput as exc:
        raise _renamed(exc) from None
    product.refresh_from_db()  # decimals as stored: "23" → "23.00"
    return product


# --- products --------------------------------------------------------------------------------------


@products_router.get("", response=ListOut[ProductOut], summary="List products")
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> dict[str, Any]:
    actor_of(request)
    queryset = Product.objects.all()
    if filters.q and filters.q.strip():
        text = filters.q.strip()
        queryset = queryset.filter(Q(name__icontains=text) | Q(sku__icontains=text))
    if filters.family and filters.family.strip():
        queryset = queryset.filter(family__iexact=filters.family.strip())
    if filters.active is not None:
        queryset = queryset.filter(active=filters.active)
    raw = (filters.ordering or "name").strip()
    key = raw.lstrip("-")
    if key not in PRODUCT_ORDERINGS:
        choices = ", ".join(name for k in PRODUCT_ORDERINGS for name in (k, f"-{k}"))
        raise InvalidInput({"ordering": [str(gettext_lazy("Sort by one of: %(choices)s.") % {"choices": choices})]})
    descending = raw.startswith("-")
    order = [f"-{f}" if descending else f for f in PRODUCT_ORDERINGS[key]] + ["-id" if descending else "id"]
    page = paginate(queryset.order_by(*order), filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@products_router.post("", response={201: ProductOut}, summary="Create a product (administrators)")
def create_product(request: HttpRequest, payload: ProductIn) -> Status[Product]:
    return Status(201, _save_product(actor_of(request), payload.dict()))


@products_router.post(
    "/import",
    response=ProductImportOut,
    summary="Create or update products from a CSV file (administrators)",
    description="Columns: sku, name, family, unit, list_price, currency, tax_rate, active (sku and name "
    "required; matched by SKU). Each row on its own: a bad row is reported with its number and changes nothing.",
)
def import_products(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    actor = actor_of(request)
    require_admin(actor)
    if (file.size or 0) > MAX_IMPORT_BYTES:
        raise InvalidInput({"file": [str(TOO_LARGE)]})
    content = file.read()
    if b"\x00" in content:
        raise InvalidInput({"file": [str(NOT_A_CSV)]})
    try:
        return services.product_import(actor=actor, content=content)
    except csv.Error as exc:
        raise InvalidInput({"file": [str(NOT_A_CSV)]}) from exc


@products_router.get("/{int:product_id}", response=ProductOut, summary="Get a product")
def get_product(request: HttpRequest, product_id: int) -> Product:
    actor_of(request)
    product: Product = _get(Product, product_id)
    return product


@products_router.patch("/{int:product_id}", response=ProductOut, summary="Change a product (administrators)")
def update_product(request: HttpRequest, product_id: int, payload: ProductPatch) -> Product:
    actor = actor_of(request)
    require_admin(actor)
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, ("sku", "name", "unit", "list_price", "currency", "tax_rate", "active"))
    for name in ("family", "description"):
        if name in data and data[name] is None:
            data[name] = ""
    return _save_product(actor, data, _get(Product, product_id).pk)


@products_router.delete(
    "/{int:product_id}", response={204: None}, summary="Delete a product no opportunity uses (administrators)"
)
def delete_product(request: HttpRequest, product_id: int) -> Status[None]:
    services.product_delete(actor=actor_of(request), product_id=product_id)
    return Status(204, None)


# --- price books -----------------------------------------------------------------------------------


@price_books_router.get("", response=ListOut[PriceBookOut], summary="List price books")
def list_price_books(request: HttpRequest, filters: Query[PriceBookFilters]) -> dict[str, Any]:
    actor_of(request)
    queryset = PriceBook.objects.all()
    if filters.currency and filters.currency.strip():
        queryset = queryset.filter(currency_id=filters.currency.strip().upper())
    if filters.active is not None:
        queryset = queryset.filter(active=filters.active)
    page = paginate(queryset.order_by("name", "id"), filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@price_books_router.post("", response={201: PriceBookOut}, summary="Create a price book (administrators)")
def create_price_book(request: HttpRequest, payload: PriceBookIn) -> Status[PriceBook]:
    return Status(201, services.price_book_save(actor=actor_of(request), data=payload.dict()))


@price_books_router.get("/{int:price_book_id}", response=PriceBookOut, summary="Get a price book")
def get_price_book(request: HttpRequest, price_book_id: int) -> PriceBook:
    actor_of(request)
    book: PriceBook = _get(PriceBook, price_book_id)
    return book


@price_books_router.patch("/{int:price_book_id}", response=PriceBookOut, summary="Change a price book (administrators)")
def update_price_book(request: HttpRequest, price_book_id: int, payload: PriceBookPatch) -> PriceBook:
    actor = actor_of(request)
    require_admin(actor)
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, ("name", "currency", "active"))
    return services.price_book_save(actor=actor, data=data, price_book_id=_get(PriceBook, price_book_id).pk)


@price_books_router.get(
    "/{int:price_book_id}/entries", response=list[PriceEntryOut], summary="The prices of a price book"
)
def list_price_entries(request: HttpRequest, price_book_id: int) -> QuerySet[PriceBookEntry]:
    actor_of(request)
    book: PriceBook = _get(PriceBook, price_book_id)
    return book.entries.select_related("product").order_by("product__name", "product_id")


@price_books_router.put(
    "/{int:price_book_id}/entries",
    response=PriceEntryOut,
    summary="Set one product's price in a price book (administrators)",
)
def set_price_entry(request: HttpRequest, price_book_id: int, payload: PriceEntryIn) -> PriceBookEntry:
    actor = actor_of(request)
    require_admin(actor)
    book = _get(PriceBook, price_book_id)
    try:
        product = Product.objects.get(pk=payload.product)
    except Product.DoesNotExist as exc:
        raise InvalidInput({"product": [str(gettext_lazy("Choose an existing product."))]}) from exc
    entry = services.price_entry_set(
        actor=actor, price_book_id=book.pk, product_id=product.pk, unit_price=payload.unit_price
    )
    entry.product = product
    return entry
