"""What the lead settings services share: messages, reading input, ordering."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy

from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.services._common import CANNOT_BE_SET
from rapport.leads.models import AssignmentRule, LeadSource, QualificationCriterion, ScoringRule

NAME_NEEDED = gettext_lazy("Give it a name.")
BAD_CODE = gettext_lazy("Use lower-case letters, digits, hyphens and underscores.")
BAD_DIRECTION = gettext_lazy("Move up or down.")

YES = {"yes", "true", "1", "y", "on"}
NO = {"no", "false", "0", "n", "off"}
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

M = TypeVar("M", bound=models.Model)
#: the settings kept in an order an administrator chooses
P = TypeVar("P", LeadSource, QualificationCriterion, ScoringRule, AssignmentRule)


def text(value: Any) -> str:
    """Typed text trimmed, with every run of spaces (and line breaks) made one space."""
    return " ".join(str(value).split()) if value is not None else ""


def flag(value: Any) -> bool:
    """A yes/no from a form, the API or JSON ("false" is no)."""
    if isinstance(value, str):
        return value.strip().casefold() in YES
    return bool(value)


def locked(queryset: models.QuerySet[M], pk: Any) -> M:
    """The row to change, locked until commit; a missing one is RecordNotFound (404)."""
    try:
        return queryset.select_for_update(of=("self",)).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise RecordNotFound() from exc


def next_position(model: type[models.Model]) -> int:
    """The place after the last one: something new goes to the end of its list."""
    last = model._default_manager.aggregate(last=models.Max("position"))["last"]
    return 0 if last is None else last + 1


def check_names(changes: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = [name for name in changes if name not in allowed]
    if unknown:
        raise InvalidInput({name: [str(CANNOT_BE_SET)] for name in unknown})


def move(queryset: models.QuerySet[P], pk: Any, direction: str) -> P:
    """Swap a row with its neighbour in the list's order, then number the list 0, 1, 2…"""
    if direction not in ("up", "down"):
        raise InvalidInput({"direction": [str(BAD_DIRECTION)]})
    items = list(queryset.select_for_update())
    index = next((i for i, item in enumerate(items) if str(item.pk) == str(pk)), None)
    if index is None:
        raise RecordNotFound()
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    changed = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            changed.append(item)
    queryset.model._default_manager.bulk_update(changed, ["position"])
    return items[other if 0 <= other < len(items) else index]


def clean_code(raw: Any, fallback: str, errors: dict[str, list[str]], field: str) -> str:
    """A code or key as typed (lower-cased), or one made from the name when none is typed."""
    code = str(raw or "").strip().lower() or slugify(fallback).replace("-", "_")[:40]
    if (code or fallback) and not _CODE.match(code):
        errors[field] = [str(BAD_CODE)]
    return code


def raise_if(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(errors)
