"""Writing a quote while it is a draft (or returned by the approver): creating it from an
opportunity, changing its header, adding, changing and removing lines. Every write recomputes the
stored totals and is recorded in the quote's audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.catalog.models import Product
from rapport.catalog.pricing import price_for
from rapport.core import audit, customfields
from rapport.core.errors import InvalidInput, RecordNotFound, RuleViolation
from rapport.core.models import User
from rapport.core.services._common import full_clean_or_raise
from rapport.core.visibility import access, require, visible_to
from rapport.customers.models import Contact
from rapport.pipeline.models import Opportunity
from rapport.quotes import numbering, totals
from rapport.quotes.models import Quote, QuoteLanguage, QuoteLine, QuoteSettings
from rapport.quotes.services.common import (
    OPPORTUNITY_CLOSED,
    VALID_UNTIL_IN_PAST,
    quote_for,
    refresh_totals,
    require_editable,
)

NOT_A_NUMBER = gettext_lazy("Enter a number.")
NOT_A_PERCENT = gettext_lazy("Enter a percentage between 0 and 100.")
NOT_POSITIVE = gettext_lazy("Enter a quantity above zero.")
NOT_A_DATE = gettext_lazy("Enter a date as YYYY-MM-DD.")
UNKNOWN_PRODUCT = gettext_lazy("Choose an active product.")
PRODUCT_OR_TEXT = gettext_lazy("Choose a product or describe the line.")
UNKNOWN_CONTACT = gettext_lazy("Choose a contact you can see.")
UNKNOWN_LANGUAGE = gettext_lazy("Choose one of: %(choices)s.")
CANNOT_BE_SET = gettext_lazy("This field cannot be set.")

HEADER_FIELDS = ("contact", "language", "valid_until", "terms")
LINE_FIELDS = ("product", "description", "quantity", "unit", "unit_price", "discount", "tax_rate")


# --- input --------------------------------------------------------------------------------------------


def _decimal(field: str, value: Any, *, percent: bool = False) -> Decimal:
    message = NOT_A_PERCENT if percent else NOT_A_NUMBER
    if isinstance(value, bool | float):
        raise InvalidInput({field: [str(message)]})
    try:
        number = Decimal("".join(str(value).split()).replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput({field: [str(message)]}) from exc
    if not number.is_finite() or (percent and not 0 <= number <= 100):
        raise InvalidInput({field: [str(message)]})
    return number


def _language(value: Any) -> str:
    code = str(value or "").strip().lower()
    if code not in QuoteLanguage.values:
        raise InvalidInput({"language": [str(UNKNOWN_LANGUAGE % {"choices": ", ".join(QuoteLanguage.values)})]})
    return code


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InvalidInput({"valid_until": [str(NOT_A_DATE)]}) from exc


def _contact(actor: User, value: Any) -> Contact | None:
    if value in (None, ""):
        return None
    try:
        return visible_to(actor, Contact).get(pk=value.pk if isinstance(value, Contact) else value)
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise InvalidInput({"contact": [str(UNKNOWN_CONTACT)]}) from exc


def _apply_header(actor: User, quote: Quote, changes: Mapping[str, Any]) -> None:
    unknown = [name for name in changes if name not in HEADER_FIELDS]
    if unknown:
        raise InvalidInput({name: [str(CANNOT_BE_SET)] for name in unknown})
    if "contact" in changes:
        quote.contact = _contact(actor, changes["contact"])
    if "language" in changes:
        quote.language = _language(changes["language"])
    if "valid_until" in changes:
        quote.valid_until = _date(changes["valid_until"])
        if quote.valid_until < timezone.localdate():
            raise InvalidInput({"valid_until": [str(VALID_UNTIL_IN_PAST)]})
    if "terms" in changes:
        quote.terms = str(changes["terms"] or "").strip()


def _default_contact(opportunity: Opportunity) -> Contact | None:
    """The decision maker among the opportunity's contacts, else the first contact named on it."""
    links = list(opportunity.contact_roles.select_related("contact").order_by("id"))
    for link in links:
        if link.role == "decision_maker":
            return link.contact
    return links[0].contact if links else None


# --- lines --------------------------------------------------------------------------------------------


def _apply_line(quote: Quote, line: QuoteLine, data: Mapping[str, Any]) -> None:
    """Set a line's values; a product without a typed price takes the price book's (decision 0008),
    a product without a typed tax rate its own."""
    unknown = [name for name in data if name not in LINE_FIELDS]
    if unknown:
        raise InvalidInput({name: [str(CANNOT_BE_SET)] for name in unknown})
    product_changed = False
    if "product" in data:
        if data["product"] in (None, ""):
            line.product = None
        else:
            try:
                line.product = Product.objects.get(pk=data["product"], active=True)
            except (Product.DoesNotExist, ValueError, TypeError) as exc:
                raise InvalidInput({"product": [str(UNKNOWN_PRODUCT)]}) from exc
            product_changed = True
    if "description" in data:
        line.description = str(data["description"] or "").strip()
    if "unit" in data:
        line.unit = str(data["unit"] or "").strip()
    if data.get("quantity") not in (None, ""):
        line.quantity = _decimal("quantity", data["quantity"])
        if line.quantity <= 0:
            raise InvalidInput({"quantity": [str(NOT_POSITIVE)]})
    for field in ("discount", "tax_rate"):
        if data.get(field) not in (None, ""):
            setattr(line, field, _decimal(field, data[field], percent=True))
    if data.get("unit_price") not in (None, ""):
        line.unit_price = _decimal("unit_price", data["unit_price"])
    elif line.product is not None and (product_changed or line.unit_price is None):
        category = quote.account.category_id if quote.account_id else None
        line.unit_price = price_for(line.product, quote.currency_id, category)
    if line.product is not None and product_changed:
        if data.get("tax_rate") in (None, ""):
            line.tax_rate = line.product.tax_rate
        if not line.unit:
            line.unit = line.product.unit
    if line.product is None and not line.description:
        raise InvalidInput({"description": [str(PRODUCT_OR_TEXT)]})
    if line.unit_price is None:
        raise InvalidInput({"unit_price": [str(NOT_A_NUMBER)]})
    amounts = totals.line_amounts(line)
    line.gross_amount, line.net_amount = amounts.gross, amounts.net
    full_clean_or_raise(line, exclude=["quote"])


def _line(quote: Quote, line_id: Any) -> QuoteLine:
    try:
        return quote.lines.select_related("product").get(pk=line_id)
    except (QuoteLine.DoesNotExist, ValueError, TypeError) as exc:
        raise RecordNotFound() from exc


def _line_label(line: QuoteLine) -> str:
    return str(line.product) if line.product is not None else line.description


def build_line(quote: Quote, position: int, data: Mapping[str, Any]) -> QuoteLine:
    line = QuoteLine(quote=quote, position=position)
    line.unit_price = None  # type: ignore[assignment]
    _apply_line(quote, line, data)
    return line


# --- use cases ------------------------------------------------------------------------------------------


@transaction.atomic
def quote_create(
    *,
    actor: User,
    opportunity_id: Any,
    language: Any = QuoteLanguage.ENGLISH,
    custom_fields: Mapping[str, Any] | None = None,
    **header: Any,
) -> Quote:
    """A draft from an opportunity the actor sees: its account, currency, owner and (as lines) its
    product lines, at their agreed prices; numbered from this year's sequence."""
    require(actor, "create", "quote")
    opportunity = access(
        actor, Opportunity, opportunity_id, queryset=visible_to(actor, Opportunity).select_related("stage", "account")
    )
    if opportunity.stage.is_closed:
        raise RuleViolation(str(OPPORTUNITY_CLOSED))
    options = QuoteSettings.current()
    quote = Quote(
        opportunity=opportunity,
        account=opportunity.account,
        owner_id=opportunity.owner_id,
        currency_id=opportunity.amount_currency_id,
        language=_language(language),
        valid_until=timezone.localdate() + dt.timedelta(days=options.validity_days),
        terms=options.default_terms,
        contact=_default_contact(opportunity),
        created_by=actor,
    )
    _apply_header(actor, quote, header)
    quote.custom = customfields.clean_values("quote", custom_fields, existing={}, partial=False)
    full_clean_or_raise(quote, exclude=["number", "root", "custom", "created_by", "approved_by"])
    quote.number = numbering.next_number(quote_settings=options)
    quote.save()
    quote.root = quote
    quote.save(update_fields=["root"])
    lines = [
        build_line(
            quote,
            position,
            {
                "product": source.product_id,
                "description": source.description,
                "quantity": source.quantity,
                "unit_price": source.unit_price,
                "discount": source.discount,
            },
        )
        for position, source in enumerate(opportunity.lines.select_related("product").order_by("position", "id"))
    ]
    QuoteLine.objects.bulk_create(lines)
    refresh_totals(quote)
    audit.log_create(actor, quote)
    return quote


@transaction.atomic
def quote_update(
    *, actor: User, quote_id: Any, custom_fields: Mapping[str, Any] | None = None, **changes: Any
) -> Quote:
    """Change the header (contact, language, valid until, terms, custom fields) of a draft."""
    quote = quote_for(actor, quote_id)
    require_editable(quote)
    before = audit.snapshot(quote)
    _apply_header(actor, quote, changes)
    if custom_fields is not None:
        quote.custom = customfields.clean_values("quote", custom_fields, existing=quote.custom, partial=True)
    quote.owner_id = quote.opportunity.owner_id
    full_clean_or_raise(quote, exclude=["root", "custom", "created_by", "approved_by"])
    quote.save()
    audit.log_update(actor, quote, before)
    return quote


@transaction.atomic
def quote_line_add(*, actor: User, quote_id: Any, data: Mapping[str, Any]) -> QuoteLine:
    """Add a line: a product (priced from the price book unless a price is typed) or free text."""
    quote = quote_for(actor, quote_id)
    require_editable(quote)
    if data.get("product") in (None, "") and not str(data.get("description") or "").strip():
        raise InvalidInput({"product": [str(PRODUCT_OR_TEXT)]})
    line = build_line(quote, quote.lines.count(), data)
    line.save()
    _after_line_change(actor, quote, _("Line added: %(line)s") % {"line": _line_label(line)})
    return line


@transaction.atomic
def quote_line_update(*, actor: User, quote_id: Any, line_id: Any, data: Mapping[str, Any]) -> QuoteLine:
    quote = quote_for(actor, quote_id)
    require_editable(quote)
    line = _line(quote, line_id)
    _apply_line(quote, line, data)
    line.save()
    _after_line_change(actor, quote, _("Line changed: %(line)s") % {"line": _line_label(line)})
    return line


@transaction.atomic
def quote_line_delete(*, actor: User, quote_id: Any, line_id: Any) -> None:
    quote = quote_for(actor, quote_id)
    require_editable(quote)
    line = _line(quote, line_id)
    label = _line_label(line)
    line.delete()
    _after_line_change(actor, quote, _("Line removed: %(line)s") % {"line": label})


def _after_line_change(actor: User, quote: Quote, note: str) -> None:
    before = audit.snapshot(quote)
    refresh_totals(quote)
    audit.log_update(actor, quote, before, note=note)
