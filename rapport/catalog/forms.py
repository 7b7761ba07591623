"""Forms of the catalogue pages. They only collect input; `rapport.catalog.services` checks it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rapport.catalog.models import PriceBook, Product
from rapport.core.models import Currency
from rapport.core.money import company_currency
from rapport.customers.models import CustomerCategory

#: the largest CSV file the import page reads
MAX_IMPORT_BYTES = 5 * 1024 * 1024
TOO_LARGE = _("The file is too large: at most 5 MB. Split it and import the parts one after another.")


def currency_choices(current: str | None = None) -> list[tuple[str, str]]:
    currencies = Currency.objects.filter(active=True).order_by("code").values_list("code", "name")
    choices = [(code, f"{code} – {name}") for code, name in currencies]  # noqa: RUF001
    if current and current not in {code for code, _name in choices}:
        choices.append((current, current))
    return choices


class ProductForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    family = forms.CharField(label=_("Product family"), max_length=100, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=30, initial="pcs")
    list_price_amount = forms.DecimalField(label=_("List price"), min_value=0, max_digits=18, decimal_places=2)
    list_price_currency = forms.ChoiceField(label=_("Currency"))
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"), min_value=0, max_value=100, max_digits=5, decimal_places=2, initial=0
    )
    active = forms.BooleanField(label=_("Active (offered on opportunities)"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def for_product(cls, data: Any, product: Product | None) -> ProductForm:
        if product is None:
            form = cls(data, initial={"list_price_currency": company_currency()})
        else:
            initial = {name: getattr(product, name) for name in ("sku", "name", "family", "unit", "tax_rate")}
            initial |= {
                "list_price_amount": product.list_price_amount,
                "list_price_currency": product.list_price_currency_id,
                "active": product.active,
                "description": product.description,
            }
            form = cls(data, initial=initial)
        current = product.list_price_currency_id if product else None
        form.fields["list_price_currency"].choices = currency_choices(current)  # type: ignore[attr-defined]
        return form


class PriceBookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    currency = forms.ChoiceField(label=_("Currency"))
    customer_category = forms.ChoiceField(
        label=_("Customer category"),
        required=False,
        help_text=_("Empty: the prices apply to every customer in this currency."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_book(cls, data: Any, book: PriceBook | None) -> PriceBookForm:
        if book is None:
            form = cls(data, initial={"currency": company_currency()})
        else:
            initial = {
                "name": book.name,
                "currency": book.currency_id,
                "customer_category": book.customer_category_id or "",
                "active": book.active,
            }
            form = cls(data, initial=initial)
        form.fields["currency"].choices = currency_choices(book.currency_id if book else None)  # type: ignore[attr-defined]
        categories = CustomerCategory.objects.filter(active=True).order_by("position", "name")
        form.fields["customer_category"].choices = [  # type: ignore[attr-defined]
            ("", _("Every customer")),
            *[(str(c.pk), c.name) for c in categories],
        ]
        return form


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: sku, name, family, unit, list_price, currency, tax_rate, active. "
            "A product with the same SKU is updated. At most 5 MB."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(TOO_LARGE)
        return upload
