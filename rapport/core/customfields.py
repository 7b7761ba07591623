"""Custom field values: one validation used by forms, the API and imports alike.

Values are stored in the record's `custom` JSON column, keyed by the field's `key`, in a
JSON-safe canonical form: numbers and money amounts as decimal strings (never floats), dates as
ISO strings, multi-choice as a list, checkbox as a boolean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.core import memo
from rapport.core.errors import InvalidInput
from rapport.core.models import Currency, CustomField, CustomFieldType

REQUIRED = gettext_lazy("This field is required.")
NOT_A_NUMBER = gettext_lazy("Enter a number.")
NOT_A_DATE = gettext_lazy("Enter a date as YYYY-MM-DD.")
NOT_A_CHOICE = gettext_lazy("Choose one of: %(choices)s.")
NOT_AN_EMAIL = gettext_lazy("Enter a valid e-mail address.")
NOT_A_URL = gettext_lazy("Enter a valid URL.")
NOT_MONEY = gettext_lazy('Enter an amount and a currency code, e.g. {"amount": "12.50", "currency": "EUR"}.')
UNKNOWN_CURRENCY = gettext_lazy("Unknown currency: %(code)s.")
UNKNOWN_FIELD = gettext_lazy("There is no such custom field.")
TOO_LONG = gettext_lazy("Keep this under %(limit)s characters.")
NOT_YES_NO = gettext_lazy("Enter yes or no.")

TEXT_LIMIT = 1000
MAX_DIGITS = 18


def fields_for(record_type: str) -> list[CustomField]:
    """The record type's field definitions, read once per request."""
    return memo.remembered(
        ("custom_fields", record_type), lambda: list(CustomField.objects.filter(record_type=record_type))
    )


def _decimal(raw: Any) -> str:
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw == raw):
        raise ValidationError(NOT_A_NUMBER)
    try:
        # Any whitespace is a thousands separator: "1 234,50" and "1\u00a0234,50" (Polish formatting).
        value = Decimal("".join(str(raw).split()).replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(NOT_A_NUMBER) from exc
    if not value.is_finite() or len(value.as_tuple().digits) > MAX_DIGITS:
        raise ValidationError(NOT_A_NUMBER)
    # Normalised so that "12.50" and "12.5" are stored, compared and filtered alike.
    text = format(value.normalize(), "f")
    whole, _point, fraction = text.lstrip("-").partition(".")
    if len(whole) > MAX_DIGITS or len(fraction) > MAX_DIGITS:  # "1e400" is not an 18-digit number
        raise ValidationError(NOT_A_NUMBER)
    return text


def _money(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping) or "amount" not in raw or "currency" not in raw:
        raise ValidationError(NOT_MONEY)
    code = str(raw["currency"]).strip().upper()
    if not Currency.objects.filter(code=code).exists():
        raise ValidationError(UNKNOWN_CURRENCY % {"code": code[:10]})
    return {"amount": _decimal(raw["amount"]), "currency": code}


def _date(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    try:
        return dt.date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError as exc:
        raise ValidationError(NOT_A_DATE) from exc


def _choice(field: CustomField, raw: Any) -> str:
    value = str(raw).strip()
    if value not in field.choices:
        raise ValidationError(NOT_A_CHOICE % {"choices": ", ".join(field.choices)})
    return value


def _multi_choice(field: CustomField, raw: Any) -> list[str]:
    items = raw if isinstance(raw, list | tuple) else [v for v in str(raw).split(",")]
    values = [str(v).strip() for v in items if str(v).strip()]
    for value in values:
        _choice(field, value)
    return [c for c in field.choices if c in values]


def _checkbox(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"1", "true", "yes", "on", "y"}:
        return True
    if text in {"0", "false", "no", "off", "n", ""}:
        return False
    raise ValidationError(NOT_YES_NO)


def _text(raw: Any, validator: Any = None, message: Any = None) -> str:
    value = str(raw).strip()
    if len(value) > TEXT_LIMIT:
        raise ValidationError(TOO_LONG % {"limit": TEXT_LIMIT})
    if validator is not None:
        try:
            validator(value)
        except ValidationError as exc:
            raise ValidationError(message) from exc
    return value


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def clean_value(field: CustomField, raw: Any) -> Any:
    """The canonical stored value of one field, or ValidationError with a message for a person."""
    if field.field_type == CustomFieldType.CHECKBOX:
        return _checkbox(raw if raw is not None else False)
    if is_empty(raw) or (isinstance(raw, str) and not raw.strip()):
        if field.required:
            raise ValidationError(REQUIRED)
        return None
    match field.field_type:
        case CustomFieldType.NUMBER:
            return _decimal(raw)
        case CustomFieldType.MONEY:
            return _money(raw)
        case CustomFieldType.DATE:
            return _date(raw)
        case CustomFieldType.CHOICE:
            return _choice(field, raw)
        case CustomFieldType.MULTI_CHOICE:
            values = _multi_choice(field, raw)
            if field.required and not values:
                raise ValidationError(REQUIRED)
            return values
        case CustomFieldType.EMAIL:
            return _text(raw, EmailValidator(), NOT_AN_EMAIL).lower()
        case CustomFieldType.URL:
            return _text(raw, URLValidator(schemes=["http", "https"]), NOT_A_URL)
        case _:
            return _text(raw)


def clean_values(
    record_type: str,
    data: Mapping[str, Any] | None,
    *,
    existing: Mapping[str, Any] | None = None,
    partial: bool = False,
    fields: list[CustomField] | None = None,
    error_prefix: str = "custom_fields.",
) -> dict[str, Any]:
    """Validate submitted values against the record type's fields and merge them into `existing`.

    With `partial`, fields not submitted keep their value (API PATCH). Raises InvalidInput with one
    message per wrong field, keyed `custom_fields.<key>`.
    """
    data = data or {}
    fields = fields if fields is not None else fields_for(record_type)
    by_key = {f.key: f for f in fields}
    result: dict[str, Any] = {k: v for k, v in (existing or {}).items() if k in by_key}
    errors: dict[str, str] = {}
    for key in data:
        if key not in by_key:
            errors[f"{error_prefix}{key}"] = str(UNKNOWN_FIELD)
    for field in fields:
        if partial and field.key not in data:
            continue
        try:
            value = clean_value(field, data.get(field.key))
        except ValidationError as exc:
            errors[f"{error_prefix}{field.key}"] = " ".join(str(m) for m in exc.messages)
            continue
        if value is None:
            result.pop(field.key, None)
        else:
            result[field.key] = value
    if errors:
        raise InvalidInput(errors)
    return result


def display(field: CustomField, value: Any) -> str:
    if is_empty(value):
        return ""
    match field.field_type:
        case CustomFieldType.CHECKBOX:
            return _("Yes") if value else _("No")
        case CustomFieldType.MONEY:
            return f"{value['amount']} {value['currency']}"
        case CustomFieldType.MULTI_CHOICE:
            return ", ".join(value)
        case _:
            return str(value)


def form_field(field: CustomField, initial: Any = None) -> forms.Field:
    """A plain form field that collects the raw value; `clean_values` does the real validation."""
    common: dict[str, Any] = {"label": field.label, "required": False, "help_text": field.help_text}
    match field.field_type:
        case CustomFieldType.CHECKBOX:
            return forms.BooleanField(**common)
        case CustomFieldType.DATE:
            return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case CustomFieldType.NUMBER:
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
        case CustomFieldType.CHOICE:
            return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in field.choices]], **common)
        case CustomFieldType.MULTI_CHOICE:
            return forms.MultipleChoiceField(
                choices=[(c, c) for c in field.choices], widget=forms.CheckboxSelectMultiple, **common
            )
        case CustomFieldType.EMAIL:
            return forms.CharField(widget=forms.EmailInput, **common)
        case CustomFieldType.URL:
            return forms.CharField(widget=forms.URLInput, **common)
        case CustomFieldType.MONEY:
            return MoneyFormField(**common)
        case _:
            return forms.CharField(max_length=TEXT_LIMIT, **common)


class MoneyWidget(forms.MultiWidget):
    def __init__(self) -> None:
        super().__init__(
            [forms.TextInput(attrs={"inputmode": "decimal"}), forms.TextInput(attrs={"size": 3, "maxlength": 3})]
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, Mapping):
            return [value.get("amount"), value.get("currency")]
        return [None, None]


class MoneyFormField(forms.MultiValueField):
    widget = MoneyWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields=[forms.CharField(), forms.CharField()], require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> dict[str, Any] | None:
        if not data_list or not any(data_list):
            return None
        return {"amount": data_list[0] or "", "currency": (data_list[1] or "").upper()}


def form_value(field: CustomField, value: Any) -> Any:
    """A stored value as a form field's initial value."""
    return value


def filter_q(field: CustomField, raw: str) -> Q:
    """A list filter on one custom field: exact match, containment for multi-choice and text."""
    lookup = f"custom__{field.key}"
    match field.field_type:
        case CustomFieldType.CHECKBOX:
            ticked = _checkbox(raw)
            # A record saved before the field existed has no value: for a person it is not ticked.
            return Q(**{lookup: True}) if ticked else Q(**{lookup: False}) | ~Q(custom__has_key=field.key)
        case CustomFieldType.MULTI_CHOICE:
            return Q(**{f"{lookup}__icontains": f'"{raw}"'})
        case CustomFieldType.TEXT | CustomFieldType.EMAIL | CustomFieldType.URL:
            return Q(**{f"{lookup}__icontains": raw})
        case CustomFieldType.MONEY:
            return Q(**{f"{lookup}__amount": _decimal(raw)})
        case CustomFieldType.NUMBER:
            return Q(**{lookup: _decimal(raw)})
        case CustomFieldType.DATE:
            return Q(**{lookup: _date(raw)})
        case _:
            return Q(**{lookup: raw})
