"""The product catalogue: products with a list price, and price books per currency and customer
category whose entries override the list price (PRODUCT §5)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.money import AMOUNT_DIGITS, AMOUNT_PLACES, money_fields

PERCENT = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    family = models.CharField(_("product family"), max_length=100, blank=True, db_index=True)
    unit = models.CharField(_("unit"), max_length=30, default="pcs")
    list_price_amount, list_price_currency = money_fields(_("list price"), null=False)
    tax_rate = models.DecimalField(_("tax rate (%)"), default=Decimal("0"), **PERCENT)  # type: ignore[arg-type]
    active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="catalog_product_name_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(list_price_amount__gte=0), name="%(app_label)s_%(class)s_price"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class PriceBook(models.Model):
    """Prices in one currency, for one customer category or (no category) for everyone."""

    name = models.CharField(_("name"), max_length=150)
    currency = models.ForeignKey(
        "core.Currency", verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+"
    )
    customer_category = models.ForeignKey(
        "customers.CustomerCategory",
        verbose_name=_("customer category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    products = models.ManyToManyField(Product, through="PriceBookEntry", related_name="price_books")

    class Meta:
        verbose_name = _("price book")
        verbose_name_plural = _("price books")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PriceBookEntry(models.Model):
    price_book = models.ForeignKey(PriceBook, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+")
    unit_price = models.DecimalField(
        _("unit price"), max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("price book entry")
        verbose_name_plural = _("price book entries")
        constraints = [
            models.UniqueConstraint(fields=["price_book", "product"], name="%(app_label)s_%(class)s_once"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="%(app_label)s_%(class)s_price"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.unit_price}"
