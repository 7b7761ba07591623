"""Django's admin for the catalogue: a fallback for operators. People use Rapport's own pages
(Products, Price books), which check the input through `rapport.catalog.services`."""

from __future__ import annotations

from django.contrib import admin

from rapport.catalog.models import PriceBook, PriceBookEntry, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ("sku", "name", "family", "list_price_amount", "list_price_currency", "active")
    list_filter = ("active", "family")
    search_fields = ("sku", "name")
    readonly_fields = ("created_at", "updated_at")


class PriceBookEntryInline(admin.TabularInline[PriceBookEntry, PriceBook]):
    model = PriceBookEntry
    raw_id_fields = ("product",)
    extra = 0


@admin.register(PriceBook)
class PriceBookAdmin(admin.ModelAdmin[PriceBook]):
    list_display = ("name", "currency", "customer_category", "active")
    list_filter = ("active", "currency")
    search_fields = ("name",)
    inlines = (PriceBookEntryInline,)
