"""The registry of record types (account, contact, later lead, opportunity…).

Core mechanisms — rights, visibility, custom fields, audit, search, saved views — work on any
registered record type, so a domain app only registers its models here (in `AppConfig.ready`)
and core never imports a domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class RecordType:
    key: str
    model: type[models.Model]
    label: str | Promise
    label_plural: str | Promise
    detail_url_name: str
    #: fields whose changes the audit trail keeps (custom fields are added automatically)
    audit_fields: tuple[str, ...] = ()
    #: whether administrators may add custom fields to this type
    custom_fields: bool = True
    owner_field: str = "owner"
    #: called to describe a record in search results (second line under its name)
    describe: Callable[[Any], str] = field(default=lambda obj: "")

    def url_for(self, obj: models.Model) -> str:
        return reverse(self.detail_url_name, args=[obj.pk])


_registry: dict[str, RecordType] = {}


def register(record_type: RecordType) -> None:
    _registry[record_type.key] = record_type


def get(key: str) -> RecordType:
    return _registry[key]


def for_model(model: type[models.Model] | models.Model) -> RecordType:
    model_class = model if isinstance(model, type) else type(model)
    for record_type in _registry.values():
        if record_type.model is model_class or record_type.model._meta.concrete_model is model_class:
            return record_type
    raise KeyError(model_class.__name__)


def all_types() -> list[RecordType]:
    return list(_registry.values())


def with_custom_fields() -> list[RecordType]:
    return [rt for rt in _registry.values() if rt.custom_fields]
