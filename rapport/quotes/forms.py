"""Forms of the quote pages. They collect what a person typed; the services check it and decide
(every rule, every message about a wrong value, lives in `rapport.quotes.services`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.catalog.models import Product
from rapport.customers.forms import RecordForm
from rapport.customers.models import Contact
from rapport.quotes.models import QuoteLanguage, QuoteLine
from rapport.web.widgets import RecordSearchWidget

DECIMAL_INPUT = {"inputmode": "decimal", "autocomplete": "off"}
CC_HELP = _("Several addresses separated by commas.")
LINE_FIELDS = ("product", "description", "quantity", "unit", "unit_price", "discount", "tax_rate")
DECIMAL_FIELDS = ("quantity", "unit_price", "discount", "tax_rate")


def plain(value: Decimal | None) -> str:
    """A stored figure as a person types it: 3.000 → "3", 12.50 → "12.5"; money keeps its cents."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


class ProductPicker(RecordSearchWidget):
    """The record search select of products; the current line's product is named without a query."""

    def __init__(self, *args: Any, known: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known = dict(known or {})

    def label_for(self, value: Any) -> str:
        key = str(value.pk) if isinstance(value, models.Model) else str(value or "")
        if key in self.known:
            return self.known[key]
        return super().label_for(value)


class LineForm(forms.Form):
    """One quote line as typed. Every field is text: the service reads the raw values and answers
    with a message per wrong field (a quantity "abc", a discount of 150 %)."""

    product = forms.CharField(label=_("Product"), required=False)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    quantity = forms.CharField(label=_("Quantity"), required=False, widget=forms.TextInput(attrs=DECIMAL_INPUT))
    unit = forms.CharField(label=_("Unit"), required=False, max_length=30)
    unit_price = forms.CharField(label=_("Unit price"), required=False, widget=forms.TextInput(attrs=DECIMAL_INPUT))
    discount = forms.CharField(label=_("Discount %"), required=False, widget=forms.TextInput(attrs=DECIMAL_INPUT))
    tax_rate = forms.CharField(label=_("Tax %"), required=False, widget=forms.TextInput(attrs=DECIMAL_INPUT))

    def __init__(self, *args: Any, line: QuoteLine | None = None, **kwargs: Any) -> None:
        self.line = line
        key = f"line-{line.pk}" if line is not None else "new-line"
        kwargs.setdefault("auto_id", f"{key}-%s")
        if line is not None and not args and "data" not in kwargs:
            kwargs["initial"] = initial_of(line)
        super().__init__(*args, **kwargs)
        known = {}
        if line is not None and line.product_id is not None and line.product is not None:
            known[str(line.product_id)] = str(line.product)
        self.fields["product"].widget = ProductPicker(
            "quotes:product_suggest",
            queryset=Product.objects.filter(active=True),
            placeholder=str(_("Search products…")),
            known=known,
        )
        if line is None:  # the new line's hints, as placeholders so the row stays one row
            self.fields["unit_price"].widget.attrs["placeholder"] = str(_("price book"))
            self.fields["tax_rate"].widget.attrs["placeholder"] = str(_("product's"))
            self.fields["description"].widget.attrs["placeholder"] = str(_("or describe the line"))
        for field in self.fields.values():
            field.help_text = ""

    def service_data(self) -> dict[str, str]:
        """Everything typed (a new line)."""
        return {name: str(self.data.get(name, "")) for name in LINE_FIELDS if name in self.data}

    def changed_data_for_service(self) -> dict[str, str]:
        """Only what differs from the stored line: a product changed without a typed price takes the
        price book's, and a row saved unchanged writes nothing."""
        assert self.line is not None
        stored = initial_of(self.line)
        changed = {}
        for name in LINE_FIELDS:
            if name not in self.data:
                continue
            typed = str(self.data.get(name, ""))
            if not _same(name, typed, stored[name]):
                changed[name] = typed
        return changed


def initial_of(line: QuoteLine) -> dict[str, str]:
    return {
        "product": str(line.product_id or ""),
        "description": line.description,
        "quantity": plain(line.quantity),
        "unit": line.unit,
        "unit_price": f"{line.unit_price:.2f}",
        "discount": plain(line.discount),
        "tax_rate": plain(line.tax_rate),
    }


def _same(name: str, typed: str, stored: str) -> bool:
    if name not in DECIMAL_FIELDS:
        return typed.strip() == stored
    try:
        return Decimal("".join(typed.split()).replace(",", ".")) == Decimal(stored)
    except (InvalidOperation, ValueError):
        return False


class QuoteCreateForm(RecordForm):
    """A quote's header — new from an opportunity (the service fills the account, currency, lines and
    number) or changed — with the quotes' custom fields as `cf_<key>`."""

    record_type = "quote"

    language = forms.ChoiceField(label=_("Language of the quote"), choices=QuoteLanguage.choices)
    contact = forms.ChoiceField(label=_("Contact"), required=False)
    valid_until = forms.CharField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    terms = forms.CharField(label=_("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, contacts: Sequence[Contact] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "—"), *[(str(c.pk), str(c)) for c in contacts]]  # type: ignore[attr-defined]

    def service_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "language": self.cleaned_data["language"],
            "contact": self.cleaned_data["contact"] or None,
            "terms": self.cleaned_data["terms"],
        }
        if self.cleaned_data["valid_until"]:
            values["valid_until"] = self.cleaned_data["valid_until"]
        return values

    def custom_form_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("cf_")]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why is it returned?"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SendForm(forms.Form):
    """The e-mail with the quote: the service checks the addresses and the lengths."""

    to = forms.CharField(label=_("To"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    cc = forms.CharField(label=_("Copy to"), required=False, help_text=CC_HELP)
    subject = forms.CharField(label=_("Subject"), required=False)
    message = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 10}))

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "to": data["to"].strip() or None,
            "cc": [part.strip() for part in data["cc"].split(",") if part.strip()],
            "subject": data["subject"] or None,
            "message": data["message"] or None,
        }


class QuoteSettingsForm(forms.Form):
    """The administrators' quote settings (the service checks the limits again)."""

    number_prefix = forms.CharField(
        label=_("Number prefix"), max_length=20, required=False, help_text=_("Quotes read “Q-2026-00042”.")
    )
    number_padding = forms.IntegerField(label=_("Digits in the number"), min_value=1, max_value=12)
    validity_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=3650)
    max_line_discount = forms.DecimalField(
        label=_("Line discount allowed without approval (%)"), min_value=0, max_value=100, decimal_places=2
    )
    max_total_discount = forms.DecimalField(
        label=_("Whole discount allowed without approval (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=_("The quote's discounts divided by its subtotal."),
    )
    default_terms = forms.CharField(label=_("Default terms"), required=False, widget=forms.Textarea(attrs={"rows": 6}))


class AcceptanceStagesForm(forms.Form):
    """Per pipeline, the stage an opportunity moves to when one of its quotes is accepted."""

    PREFIX = "stage_"

    def __init__(self, *args: Any, pipelines: Sequence[Any], current: Mapping[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pipeline in pipelines:
            choices = [("", _("Stays where it is"))] + [(str(stage.pk), stage.name) for stage in pipeline.stages.all()]
            self.fields[f"{self.PREFIX}{pipeline.pk}"] = forms.ChoiceField(
                label=pipeline.name, choices=choices, required=False, initial=str(current.get(pipeline.pk, ""))
            )

    def chosen(self) -> dict[int, str]:
        """pipeline id → the chosen stage id ("" for none)."""
        return {int(name.removeprefix(self.PREFIX)): value for name, value in self.cleaned_data.items()}
