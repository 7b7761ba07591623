"""Catalogue pages: products (everyone signed in reads; administrators maintain), price books with
their prices, and the product CSV import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rapport.catalog import services
from rapport.catalog.forms import PriceBookForm, ProductForm, ProductImportForm
from rapport.catalog.models import PriceBook, PriceBookEntry, Product
from rapport.core.errors import DomainError, InvalidInput
from rapport.core.listing import paginate
from rapport.core.models import User
from rapport.web.lists import Control, bool_control, render_list
from rapport.web.utils import add_domain_error, http_errors, query_without

SAVED = gettext_lazy("%(name)s was saved.")
#: public ordering name → model fields
PRODUCT_ORDERINGS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "sku": ("sku",),
    "family": ("family", "name"),
    "price": ("list_price_amount",),
    "updated": ("updated_at",),
}


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_admin(request: HttpRequest) -> User:
    """Only administrators maintain the catalogue: others get 403 before a form is shown."""
    actor = _actor(request)
    if not (actor.is_active and actor.is_administrator):
        raise PermissionDenied
    return actor


def _page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        f"catalog/{template}",
        {"nav_section": "products", "can_manage": actor.is_administrator, **context},
    )


def _save(form: forms.Form, call: Callable[[], Any]) -> Any | None:
    if not form.is_valid():
        return None
    try:
        with http_errors():
            return call()
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def _confirm(request: HttpRequest, *, title: str, message: str, cancel_url: str, error: str = "") -> HttpResponse:
    context = {"title": title, "message": message, "cancel_url": cancel_url, "error": error}
    return _page(request, "confirm.html", context)


# --- products --------------------------------------------------------------------------------------------


def _product_controls(params: Any) -> list[Control]:
    families = Product.objects.exclude(family="").order_by("family").values_list("family", flat=True).distinct()
    controls = [
        Control("family", gettext_lazy("Product family"), options=[(f, f) for f in families]),
        bool_control("active", gettext_lazy("Active")),
    ]
    for control in controls:
        control.value = params.get(control.param, "")
    return controls


def _products(params: Any) -> tuple[Any, dict[str, list[str]]]:
    """The filtered, ordered products and the parameters that were ignored (with why)."""
    errors: dict[str, list[str]] = {}
    queryset = Product.objects.select_related("list_price_currency")
    q = params.get("q", "").strip()
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(sku__icontains=q))
    if params.get("family", "").strip():
        queryset = queryset.filter(family=params["family"].strip())
    active = params.get("active", "").strip().lower()
    if active in ("true", "false"):
        queryset = queryset.filter(active=active == "true")
    elif active:
        errors["active"] = [_("Choose yes or no.")]
    ordering = params.get("ordering", "") or "name"
    key = ordering.lstrip("-")
    if key not in PRODUCT_ORDERINGS:
        choices = ", ".join(name for k in PRODUCT_ORDERINGS for name in (k, f"-{k}"))
        errors["ordering"] = [_("Sort by one of: %(choices)s.") % {"choices": choices}]
        ordering, key = "name", "name"
    prefix = "-" if ordering.startswith("-") else ""
    queryset = queryset.order_by(*[f"{prefix}{f}" for f in PRODUCT_ORDERINGS[key]], f"{prefix}id")
    return queryset, errors


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    params = request.GET
    queryset, errors = _products(params)
    page = paginate(queryset, params.get("page"), settings.RAPPORT_LIST_PAGE_SIZE)
    controls = _product_controls(params)
    labels = {"active": gettext_lazy("Active"), "ordering": gettext_lazy("Sort")}
    chips = [
        {"label": c.label, "value": c.value_label(), "remove": "?" + query_without(params, c.param, "page")}
        for c in controls
        if c.value and c.param not in errors
    ]
    context = {
        "nav_section": "products",
        "can_manage": _actor(request).is_administrator,
        "page": page,
        "rows": page.items,
        "controls": controls,
        "chips": chips,
        "filtered": any(params.get(p, "").strip() for p in ("q", "family", "active")),
        "filter_errors": [(labels.get(k, k), " ".join(v)) for k, v in errors.items()],
        "list_q": params.get("q", ""),
        "ordering": params.get("ordering", "") if "ordering" not in errors else "",
        "default_ordering": "name",
        "current_query": query_without(params, "page"),
        "htmx_target": "list-results",
    }
    return render_list(request, "catalog/product_list.html", context)


@login_required
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product.objects.select_related("list_price_currency"), pk=pk)
    entries = (
        PriceBookEntry.objects.filter(product=product)
        .select_related("price_book__currency", "price_book__customer_category")
        .order_by("price_book__name", "price_book_id")
    )
    return _page(request, "product_detail.html", {"product": product, "entries": entries})


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = _require_admin(request)
    product = get_object_or_404(Product, pk=pk) if pk is not None else None
    form = ProductForm.for_product(request.POST or None, product)
    if request.method == "POST":
        saved = _save(
            form,
            lambda: services.product_save(
                actor=actor, data=form.cleaned_data, product_id=product.pk if product else None
            ),
        )
        if saved is not None:
            messages.success(request, SAVED % {"name": saved})
            return redirect("catalog:product_detail", saved.pk)
    return _page(request, "product_form.html", {"form": form, "product": product})


@login_required
@require_http_methods(["GET", "POST"])
def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _require_admin(request)
    product = get_object_or_404(Product, pk=pk)
    error = ""
    if request.method == "POST":
        try:
            with http_errors():
                services.product_delete(actor=actor, product_id=product.pk)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": product})
            return redirect("catalog:product_list")
    return _confirm(
        request,
        title=_("Delete the product %(name)s?") % {"name": product},
        message=_("Its prices in every price book are deleted too. A product on an opportunity cannot be deleted."),
        cancel_url=reverse("catalog:product_detail", args=[product.pk]),
        error=error,
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_import(request: HttpRequest) -> HttpResponse:
    actor = _require_admin(request)
    form = ProductImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.product_import(actor=actor, content=upload.read())
        except InvalidInput as exc:
            add_domain_error(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        except Exception:  # a file the CSV reader cannot make sense of
            form.add_error("file", _("The file is not a CSV file that can be read."))
    return _page(request, "product_import.html", {"form": form, "report": report})


# --- price books -----------------------------------------------------------------------------------------


@login_required
@require_GET
def price_book_list(request: HttpRequest) -> HttpResponse:
    books = (
        PriceBook.objects.select_related("currency", "customer_category")
        .annotate(entry_count=Count("entries"))
        .order_by("name", "id")
    )
    return _page(request, "price_book_list.html", {"books": books})


@login_required
@require_http_methods(["GET", "POST"])
def price_book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The book's prices; administrators set a price per product here (emptying a box removes it)."""
    book = get_object_or_404(PriceBook.objects.select_related("currency", "customer_category"), pk=pk)
    prices = dict(book.entries.values_list("product_id", "unit_price"))
    errors: dict[int, str] = {}
    submitted: dict[int, str] = {}
    if request.method == "POST":
        actor = _require_admin(request)
        changed = 0
        for key in request.POST:
            if not key.startswith("price_") or not key.removeprefix("price_").isdigit():
                continue
            product_id, value = int(key.removeprefix("price_")), str(request.POST.get(key, "")).strip()
            submitted[product_id] = value
            if value == str(prices.get(product_id, "")) or (value == "" and product_id not in prices):
                continue
            try:
                with http_errors():
                    if value == "":  # an emptied box removes the price
                        services.price_entry_remove(actor=actor, price_book_id=book.pk, product_id=product_id)
                    else:
                        services.price_entry_set(
                            actor=actor, price_book_id=book.pk, product_id=product_id, unit_price=value
                        )
                changed += 1
            except DomainError as exc:
                errors[product_id] = (
                    " ".join(m for ms in exc.errors.values() for m in ms)
                    if isinstance(exc, InvalidInput)
                    else exc.message
                ) or exc.message
        if not errors:
            messages.success(request, _("Prices saved: %(count)s changed.") % {"count": changed})
            return redirect("catalog:price_book_detail", book.pk)
        prices = dict(book.entries.values_list("product_id", "unit_price"))
    show_all = request.GET.get("all") == "1" or bool(errors)
    products = Product.objects.select_related("list_price_currency").order_by("name", "id")
    if not show_all:
        products = products.filter(Q(pk__in=list(prices)) | Q(active=True))
    page = paginate(products, request.GET.get("page"), settings.RAPPORT_LIST_PAGE_SIZE)
    rows = [
        {
            "product": product,
            "price": prices.get(product.pk),
            "value": submitted.get(product.pk, prices.get(product.pk, "")),
            "error": errors.get(product.pk, ""),
        }
        for product in page.items
    ]
    context = {"book": book, "rows": rows, "page": page, "has_errors": bool(errors), "show_all": show_all}
    return _page(request, "price_book_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def price_book_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = _require_admin(request)
    book = get_object_or_404(PriceBook, pk=pk) if pk is not None else None
    form = PriceBookForm.for_book(request.POST or None, book)
    if request.method == "POST":
        saved = _save(
            form,
            lambda: services.price_book_save(
                actor=actor, data=form.cleaned_data, price_book_id=book.pk if book else None
            ),
        )
        if saved is not None:
            messages.success(request, SAVED % {"name": saved})
            return redirect("catalog:price_book_detail", saved.pk)
    return _page(request, "price_book_form.html", {"form": form, "book": book})


urlpatterns: list[URLPattern] = [
    path("products/", product_list, name="product_list"),
    path("products/new/", product_edit, name="product_create"),
    path("products/import/", product_import, name="product_import"),
    path("products/<int:pk>/", product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", product_edit, name="product_edit"),
    path("products/<int:pk>/delete/", product_delete, name="product_delete"),
    path("price-books/", price_book_list, name="price_book_list"),
    path("price-books/new/", price_book_edit, name="price_book_create"),
    path("price-books/<int:pk>/", price_book_detail, name="price_book_detail"),
    path("price-books/<int:pk>/edit/", price_book_edit, name="price_book_edit"),
]
