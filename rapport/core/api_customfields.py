"""`/api/v1/custom-fields`, and the custom fields of each record type in the OpenAPI document.

Anyone signed in may read the definitions (a client needs them to build a form); only
administrators add, change or remove them (the services check).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from rapport.core import records
from rapport.core.api_support import ListOut, actor_of
from rapport.core.customfields import MAX_DIGITS, TEXT_LIMIT
from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.listing import paginate
from rapport.core.models import CustomField, CustomFieldType
from rapport.core.services import customfields as services
from rapport.core.services._common import require_admin

custom_fields_router = Router(tags=["custom fields"])

CANNOT_BE_EMPTY = _("This field cannot be empty.")

#: A decimal number written as a string: "12", "-3.50".
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


class CustomFieldOut(Schema):
    id: int
    record_type: str
    key: str
    label: str
    field_type: CustomFieldType
    required: bool
    choices: list[str]
    help_text: str
    position: int


class CustomFieldIn(Schema):
    record_type: str = Field(..., max_length=40, description="The record type, e.g. account or contact.")
    key: str = Field(
        ..., max_length=50, description="The name of the value in `custom_fields`: lower-case letters, digits, _."
    )
    label: str = Field(..., min_length=1, max_length=120)
    field_type: CustomFieldType
    required: bool = False
    choices: list[str] = Field(default_factory=list, description="For choice and multi_choice fields.")
    help_text: str = Field("", max_length=300)
    position: int | None = Field(None, ge=0, le=100_000, description="Order in forms; by default after the others.")


class CustomFieldPatch(Schema):
    label: str | None = Field(None, min_length=1, max_length=120)
    field_type: CustomFieldType | None = Field(None, description="Cannot change; sent only to be refused clearly.")
    required: bool | None = None
    choices: list[str] | None = None
    help_text: str | None = Field(None, max_length=300)
    position: int | None = Field(None, ge=0, le=100_000)


class CustomFieldFilters(Schema):
    record_type: str | None = Field(None, max_length=40)
    page: int = Field(1, ge=1)
    limit: int = Field(50, ge=1, le=200)


def _get(field_id: int) -> CustomField:
    try:
        return CustomField.objects.get(pk=field_id)
    except (CustomField.DoesNotExist, ValueError, OverflowError) as exc:
        raise RecordNotFound() from exc


@custom_fields_router.get("", response=ListOut[CustomFieldOut], summary="List custom fields")
def list_custom_fields(request: HttpRequest, filters: Query[CustomFieldFilters]) -> dict[str, Any]:
    actor_of(request)
    queryset = CustomField.objects.all()
    if filters.record_type:
        queryset = queryset.filter(record_type=filters.record_type)
    page = paginate(queryset, filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@custom_fields_router.post("", response={201: CustomFieldOut}, summary="Add a custom field (administrators)")
def create_custom_field(request: HttpRequest, payload: CustomFieldIn) -> Status[CustomField]:
    actor = actor_of(request)
    return Status(201, services.custom_field_create(actor=actor, **payload.dict()))


@custom_fields_router.get("/{int:field_id}", response=CustomFieldOut, summary="Get a custom field")
def get_custom_field(request: HttpRequest, field_id: int) -> CustomField:
    actor_of(request)
    return _get(field_id)


@custom_fields_router.patch(
    "/{int:field_id}", response=CustomFieldOut, summary="Change a custom field's label, choices… (administrators)"
)
def update_custom_field(request: HttpRequest, field_id: int, payload: CustomFieldPatch) -> CustomField:
    actor = actor_of(request)
    field = _get(field_id)
    require_admin(actor)
    changes = payload.dict(exclude_unset=True)
    empty = [name for name in ("label", "required", "position") if name in changes and changes[name] is None]
    if empty:
        raise InvalidInput({name: [str(CANNOT_BE_EMPTY)] for name in empty})
    if changes.get("help_text", "") is None:
        changes["help_text"] = ""
    if "field_type" in changes and changes["field_type"] is None:
        changes.pop("field_type")
    return services.custom_field_update(actor=actor, field=field, **changes)


@custom_fields_router.delete("/{int:field_id}", response={204: None}, summary="Remove a custom field (administrators)")
def delete_custom_field(request: HttpRequest, field_id: int) -> Status[None]:
    services.custom_field_delete(actor=actor_of(request), field=_get(field_id))
    return Status(204, None)


# --- the OpenAPI document ------------------------------------------------------------------------


def value_schema(field: CustomField) -> dict[str, Any]:
    """The JSON Schema of one custom field's value, as the API reads and writes it."""
    schema: dict[str, Any]
    match field.field_type:
        case CustomFieldType.NUMBER:
            schema = {"type": "string", "pattern": DECIMAL_PATTERN, "maxLength": MAX_DIGITS + 2}
        case CustomFieldType.MONEY:
            schema = {
                "type": "object",
                "properties": {
                    "amount": {"type": "string", "pattern": DECIMAL_PATTERN, "maxLength": MAX_DIGITS + 2},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"},
                },
                "required": ["amount", "currency"],
                "additionalProperties": False,
            }
        case CustomFieldType.DATE:
            schema = {"type": "string", "format": "date"}
        case CustomFieldType.CHOICE:
            schema = {"type": "string", "enum": list(field.choices)}
        case CustomFieldType.MULTI_CHOICE:
            schema = {"type": "array", "items": {"type": "string", "enum": list(field.choices)}, "uniqueItems": True}
        case CustomFieldType.CHECKBOX:
            schema = {"type": "boolean"}
        case CustomFieldType.EMAIL:
            schema = {"type": "string", "format": "email", "maxLength": TEXT_LIMIT}
        case CustomFieldType.URL:
            schema = {"type": "string", "format": "uri", "maxLength": TEXT_LIMIT}
        case _:
            schema = {"type": "string", "maxLength": TEXT_LIMIT}
    schema["title"] = field.label
    if field.help_text:
        schema["description"] = field.help_text
    return schema


def _is_required(field: CustomField) -> bool:
    # An unticked checkbox is a value (false), so a "required" checkbox never needs sending.
    return field.required and field.field_type != CustomFieldType.CHECKBOX


def custom_fields_object(fields: list[CustomField], kind: str) -> dict[str, Any]:
    """`custom_fields` of one schema: `kind` is `out`, `in` (create) or `patch`."""
    properties: dict[str, Any] = {}
    for field in fields:
        schema = value_schema(field)
        if kind != "out" and not _is_required(field):
            schema = {"anyOf": [schema, {"type": "null"}], "title": schema["title"]}
        properties[field.key] = schema
    result: dict[str, Any] = {
        "type": "object",
        "title": "Custom Fields",
        "description": "The values of the custom fields defined for this record type (`GET /custom-fields`).",
        "properties": properties,
        "additionalProperties": False,
    }
    required = [f.key for f in fields if _is_required(f)]
    if kind == "in" and required:
        result["required"] = required
    if kind == "patch":
        result = {"anyOf": [result, {"type": "null"}], "description": result["description"]}
    return result


def _schema_kind(name: str) -> str:
    if name.endswith("Patch"):
        return "patch"
    if name.endswith("In"):
        return "in"
    return "out"


def add_custom_fields(schema: dict[str, Any]) -> None:
    """Describe each record type's custom fields in the `custom_fields` property of its schemas.

    A component named after a record type (`Account…` for `account`, `SalesOrder…` for
    `sales_order`) with a `custom_fields` property gets the fields defined now; `…In` schemas list
    the required ones. Built on every request, so a new field shows at once.
    """
    prefixes = {"".join(part.capitalize() for part in rt.key.split("_")): rt.key for rt in records.with_custom_fields()}
    components = schema.get("components", {}).get("schemas", {})
    by_type: dict[str, list[CustomField]] = {}
    for name, component in components.items():
        if "custom_fields" not in component.get("properties", {}):
            continue
        matching = [p for p in prefixes if name.startswith(p)]
        if not matching:
            continue
        record_type = prefixes[max(matching, key=len)]
        if record_type not in by_type:
            by_type[record_type] = list(CustomField.objects.filter(record_type=record_type))
        component["properties"]["custom_fields"] = custom_fields_object(by_type[record_type], _schema_kind(name))
