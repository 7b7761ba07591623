"""Catalogue pages: everyone signed in reads products and price books; administrators maintain them
and import products from CSV."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rapport.catalog import services
from rapport.catalog.forms import TOO_LARGE
from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from tests.leads.ui_support import shown_messages

pytestmark = pytest.mark.django_db


def product(org, sku: str, name: str, **data) -> Product:
    values = {"sku": sku, "name": name, "list_price_amount": "100", "list_price_currency": "EUR", **data}
    return services.product_save(actor=org.admin, data=values)


def test_a_salesperson_reads_the_list_but_cannot_change_the_catalogue(org, client_for) -> None:
    pump = product(org, "P-1", "Pump")
    client = client_for(org.salesperson)
    listing = client.get(reverse("catalog:product_list"))
    assert listing.status_code == 200 and "Pump" in listing.content.decode()
    assert reverse("catalog:product_create") not in listing.content.decode()
    assert client.get(reverse("catalog:product_detail", args=[pump.pk])).status_code == 200
    for url in (
        reverse("catalog:product_create"),
        reverse("catalog:product_edit", args=[pump.pk]),
        reverse("catalog:product_delete", args=[pump.pk]),
        reverse("catalog:product_import"),
        reverse("catalog:price_book_create"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("catalog:product_create"),
        {"sku": "X", "name": "Sneaky", "unit": "pcs", "list_price_amount": "1", "list_price_currency": "EUR"},
    )
    assert response.status_code == 403
    assert not Product.objects.filter(sku="X").exists()


def test_an_administrator_creates_edits_and_deletes_a_product(org, client_for) -> None:
    admin = client_for(org.admin)
    data = {
        "sku": "V-10",
        "name": "Valve",
        "family": "Valves",
        "unit": "pcs",
        "list_price_amount": "12.50",
        "list_price_currency": "EUR",
        "tax_rate": "23",
        "active": "on",
    }
    response = admin.post(reverse("catalog:product_create"), data)
    valve = Product.objects.get(sku="V-10")
    assert response["Location"] == reverse("catalog:product_detail", args=[valve.pk])
    assert shown_messages(response) == ["Valve (V-10) was saved."]
    assert (valve.list_price_amount, valve.tax_rate) == (Decimal("12.50"), Decimal("23"))
    product(org, "V-11", "Other valve")
    response = admin.post(reverse("catalog:product_edit", args=[valve.pk]), {**data, "sku": "v-11"})
    assert response.status_code == 200 and "Another product has this SKU." in response.content.decode()
    confirm = admin.get(reverse("catalog:product_delete", args=[valve.pk]))
    assert "Delete the product" in confirm.content.decode()
    admin.post(reverse("catalog:product_delete", args=[valve.pk]))
    assert not Product.objects.filter(pk=valve.pk).exists()


def test_the_list_searches_filters_sorts_and_pages(org, client_for, settings) -> None:
    settings.RAPPORT_LIST_PAGE_SIZE = 2
    product(org, "B-1", "Boiler", family="Heat", list_price_amount="200")
    product(org, "P-1", "Pump", family="Water", list_price_amount="5")
    product(org, "T-9", "Tank", family="Water", active=False)
    client = client_for(org.salesperson)

    def names(**params) -> list[str]:
        return [p.name for p in client.get(reverse("catalog:product_list"), params).context["rows"]]

    assert names(q="t-9") == ["Tank"]
    assert names(family="Water") == ["Pump", "Tank"]
    assert names(active="true", family="Water") == ["Pump"]
    assert names(ordering="-price") == ["Boiler", "Tank"]
    assert names(page="2") == ["Tank"]
    empty = client.get(reverse("catalog:product_list"), {"q": "nothing"}).content.decode()
    assert "No products match these filters" in empty
    assert client.get(reverse("catalog:product_list"), {"ordering": "bogus"}).status_code == 200


def test_the_empty_catalogue_says_so(org, client_for) -> None:
    html = client_for(org.admin).get(reverse("catalog:product_list")).content.decode()
    assert "No products yet" in html and reverse("catalog:product_import") in html


def test_the_product_list_reads_in_a_fixed_number_of_queries(org, client_for, django_assert_max_num_queries) -> None:
    for number in range(30):
        product(org, f"S-{number}", f"Sensor {number}", family=f"F{number % 3}")
    client = client_for(org.salesperson)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:product_list"))
    assert len(response.context["rows"]) == 30


def test_a_csv_import_reports_the_bad_row_and_creates_the_others(org, client_for) -> None:
    product(org, "OLD-1", "Old name")
    content = (
        b"sku,name,family,list_price,currency\n"
        b"N-1,Nozzle,Parts,10.00,EUR\n"
        b"N-2,Broken price,Parts,ten,EUR\n"
        b"OLD-1,New name,Parts,20,EUR\n"
        b"N-3,Gasket,Parts,1.5,EUR\n"
    )
    admin = client_for(org.admin)
    upload = SimpleUploadedFile("products.csv", content, content_type="text/csv")
    response = admin.post(reverse("catalog:product_import"), {"file": upload})
    report = response.context["report"]
    assert (report["created"], report["updated"], report["failed"]) == (2, 1, 1)
    assert report["errors"][0]["row"] == 3
    html = response.content.decode()
    assert "2 products created" in html and "1 row failed" in html and '<td data-label="Row" class="num">3</td>' in html
    assert set(Product.objects.values_list("sku", flat=True)) == {"N-1", "N-3", "OLD-1"}
    assert Product.objects.get(sku="OLD-1").name == "New name"


def test_a_file_over_5_mb_is_refused_with_a_clear_message(org, client_for) -> None:
    big = SimpleUploadedFile("big.csv", b"sku,name\n" + b"x" * (5 * 1024 * 1024), content_type="text/csv")
    response = client_for(org.admin).post(reverse("catalog:product_import"), {"file": big})
    assert response.status_code == 200 and response.context["report"] is None
    assert str(TOO_LARGE) in response.content.decode()
    assert not Product.objects.exists()


def test_price_books_show_and_set_prices(org, client_for) -> None:
    pump = product(org, "P-1", "Pump")
    valve = product(org, "V-1", "Valve")
    admin = client_for(org.admin)
    response = admin.post(reverse("catalog:price_book_create"), {"name": "Distributors", "currency": "EUR"})
    book = PriceBook.objects.get(name="Distributors")
    assert response["Location"] == reverse("catalog:price_book_detail", args=[book.pk])
    url = reverse("catalog:price_book_detail", args=[book.pk])
    response = admin.post(url, {f"price_{pump.pk}": "80,50", f"price_{valve.pk}": "-3"})
    assert response.status_code == 200 and "A price cannot be negative." in response.content.decode()
    assert PriceBookEntry.objects.get(price_book=book, product=pump).unit_price == Decimal("80.50")
    assert not PriceBookEntry.objects.filter(product=valve).exists()

    salesperson = client_for(org.salesperson)
    detail = salesperson.get(reverse("catalog:product_detail", args=[pump.pk])).content.decode()
    assert "Distributors" in detail and "80.50 EUR" in detail
    assert "80.50" in salesperson.get(url).content.decode()
    assert salesperson.post(url, {f"price_{pump.pk}": "1"}).status_code == 403
    assert "Distributors" in salesperson.get(reverse("catalog:price_book_list")).content.decode()

    admin.post(url, {f"price_{pump.pk}": "", f"price_{valve.pk}": ""})  # an emptied box removes the price
    assert not PriceBookEntry.objects.filter(price_book=book).exists()


def test_the_price_book_form_opens_with_its_values(org, client_for) -> None:
    book = services.price_book_save(actor=org.admin, data={"name": "Retail", "currency": "EUR"})
    response = client_for(org.admin).get(reverse("catalog:price_book_edit", args=[book.pk]))
    assert response.status_code == 200 and response.context["form"]["name"].value() == "Retail"
