"""`/api/v1/products` and `/api/v1/price-books`: everyone signed in reads the catalogue,
administrators maintain it; prices and rates are decimal strings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from tests.api.conftest import ApiClient, assert_problem, token_for

pytestmark = pytest.mark.django_db

PRODUCT_CONTRACT = {"id", "sku", "name", "family", "unit", "list_price", "currency", "tax_rate", "active"}


def _product(sku: str = "PMP-1", name: str = "Pump", **fields) -> Product:
    fields.setdefault("list_price_amount", Decimal("100"))
    fields.setdefault("list_price_currency_id", "EUR")
    return Product.objects.create(sku=sku, name=name, **fields)


@pytest.fixture
def admin_api(org) -> ApiClient:
    return ApiClient(token_for(org.admin))


@pytest.fixture
def sales_api(org) -> ApiClient:
    return ApiClient(token_for(org.salesperson))


def test_an_administrator_creates_changes_and_deletes_a_product(admin_api):
    body = {
        "sku": "PMP-100",
        "name": "Pump 100",
        "family": "Pumps",
        "unit": "pcs",
        "list_price": "1250.50",
        "currency": "EUR",
        "tax_rate": "23",
    }
    response = admin_api.post("products", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created) >= PRODUCT_CONTRACT
    assert created["list_price"] == "1250.50" and created["tax_rate"] == "23.00"
    assert created["currency"] == "EUR" and created["active"] is True

    changed = admin_api.patch(f"products/{created['id']}", {"list_price": "99.9", "active": False})
    assert changed.status_code == 200, changed.content
    assert changed.json()["list_price"] == "99.90" and changed.json()["active"] is False
    assert admin_api.get(f"products/{created['id']}").json()["name"] == "Pump 100"

    assert admin_api.delete(f"products/{created['id']}").status_code == 204
    assert not Product.objects.filter(pk=created["id"]).exists()


def test_a_duplicate_sku_or_an_unknown_currency_names_the_field(admin_api):
    _product(sku="DUP-1")
    assert_problem(admin_api.post("products", {"sku": "dup-1", "name": "X", "currency": "EUR"}), 422, {"sku"})
    assert_problem(admin_api.post("products", {"sku": "NEW-1", "name": "X", "currency": "ZZZ"}), 422, {"currency"})
    assert_problem(admin_api.patch(f"products/{_product(sku='N-2').pk}", {"name": None}), 422, {"name"})


def test_list_filters_search_and_paginates(sales_api):
    _product(sku="PMP-1", name="Pump small", family="Pumps")
    _product(sku="PMP-2", name="Pump large", family="Pumps", active=False)
    _product(sku="VLV-1", name="Valve", family="Valves")
    names = lambda **p: [item["name"] for item in sales_api.get("products", **p).json()["items"]]  # noqa: E731
    assert names() == ["Pump large", "Pump small", "Valve"]
    assert names(q="pmp") == ["Pump large", "Pump small"]
    assert names(family="valves") == ["Valve"]
    assert names(active="true") == ["Pump small", "Valve"]
    assert names(ordering="-sku") == ["Valve", "Pump large", "Pump small"]
    page = sales_api.get("products", limit=2, page=2).json()
    assert page["count"] == 3 and [item["name"] for item in page["items"]] == ["Valve"]
    assert_problem(sales_api.get("products", ordering="colour"), 422, {"ordering"})


def test_everyone_reads_but_only_administrators_write(sales_api, org):
    product = _product()
    assert sales_api.get(f"products/{product.pk}").status_code == 200
    assert_problem(sales_api.post("products", {"sku": "X", "name": "X", "currency": "EUR"}), 403)
    assert_problem(sales_api.patch(f"products/{product.pk}", {"name": "Mine"}), 403)
    assert_problem(sales_api.delete(f"products/{product.pk}"), 403)
    assert_problem(sales_api.post("price-books", {"name": "B2B", "currency": "EUR"}), 403)
    book = PriceBook.objects.create(name="General", currency_id="EUR")
    assert_problem(sales_api.patch(f"price-books/{book.pk}", {"name": "Mine"}), 403)
    assert_problem(sales_api.put(f"price-books/{book.pk}/entries", {"product": product.pk, "unit_price": "1"}), 403)
    upload = SimpleUploadedFile("p.csv", b"sku,name\nA-1,A\n", content_type="text/csv")
    assert_problem(sales_api.client.post("/api/v1/products/import", {"file": upload}), 403)
    product.refresh_from_db()
    assert product.name == "Pump" and not PriceBookEntry.objects.exists() and Product.objects.count() == 1
    assert_problem(sales_api.get("products/999999"), 404)


def test_import_creates_and_updates_by_sku_and_reports_bad_rows(admin_api):
    _product(sku="PMP-1", name="Old name")
    content = (
        b"sku;name;family;list_price;currency;tax_rate\n"
        b"PMP-1;Pump renamed;Pumps;120,00;EUR;23\n"
        b"VLV-1;Valve;Valves;15.5;EUR;8\n"
        b"BAD-1;Broken;;abc;EUR;0\n"
    )
    upload = SimpleUploadedFile("products.csv", content, content_type="text/csv")
    response = admin_api.client.post("/api/v1/products/import", {"file": upload})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["failed"]) == (1, 1, 1)
    assert body["errors"][0]["row"] == 4 and body["errors"][0]["message"] == "list_price: Enter a number."
    assert Product.objects.get(sku="PMP-1").name == "Pump renamed"
    assert Product.objects.get(sku="VLV-1").list_price_amount == Decimal("15.50")


def test_import_refuses_a_file_without_the_columns(admin_api):
    upload = SimpleUploadedFile("x.csv", b"colour,size\nred,2\n", content_type="text/csv")
    assert_problem(admin_api.client.post("/api/v1/products/import", {"file": upload}), 422, {"file"})
    assert not Product.objects.exists()


def test_price_books_and_their_entries(admin_api, sales_api):
    product = _product()
    response = admin_api.post("price-books", {"name": "Poland", "currency": "PLN"})
    assert response.status_code == 201, response.content
    book = response.json()
    assert book == {"id": book["id"], "name": "Poland", "currency": "PLN", "customer_category": None, "active": True}
    assert admin_api.patch(f"price-books/{book['id']}", {"name": "Polska"}).json()["name"] == "Polska"
    assert sales_api.get(f"price-books/{book['id']}").json()["name"] == "Polska"
    assert sales_api.get("price-books").json()["count"] == 1

    entry = admin_api.put(f"price-books/{book['id']}/entries", {"product": product.pk, "unit_price": "12.50"})
    assert entry.status_code == 200, entry.content
    assert entry.json()["unit_price"] == "12.50" and entry.json()["product"] == product.pk
    admin_api.put(f"price-books/{book['id']}/entries", {"product": product.pk, "unit_price": "11"})
    entries = sales_api.get(f"price-books/{book['id']}/entries").json()
    assert [(e["product"], e["sku"], e["unit_price"]) for e in entries] == [(product.pk, "PMP-1", "11.00")]

    missing = admin_api.put(f"price-books/{book['id']}/entries", {"product": 999999, "unit_price": "1"})
    assert_problem(missing, 422, {"product"})
    assert_problem(admin_api.get("price-books/999999/entries"), 404)
