"""One definition per list of filters, search and ordering, shared by the page, the API and exports.

`ListSpec.apply(actor, params)` starts from `visible_to(actor, model)` and returns the filtered,
ordered queryset, or raises InvalidInput naming each wrong parameter. Custom fields filter as
`cf_<key>=value`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.core import customfields, search
from rapport.core.errors import InvalidInput
from rapport.core.models import CustomField, Team, User
from rapport.core.visibility import visible_to

NOT_AN_ID = _("Enter a number.")
NOT_A_DATE = _("Enter a date as YYYY-MM-DD.")
NOT_A_NUMBER = _("Enter a whole number.")
UNKNOWN_ORDER = _("Sort by one of: %(choices)s.")
UNKNOWN_VALUE = _("Choose one of: %(choices)s.")

MAX_LIMIT = 200


def _int(raw: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ValidationError(NOT_AN_ID) from exc
    if not 0 < value < 2**63:
        raise ValidationError(NOT_AN_ID)
    return value


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(NOT_A_DATE) from exc


@dataclass(frozen=True)
class Filter:
    """One query parameter → one condition. `kind`: id, text, text_exact, choice, bool, int_min, int_max,
    date_from, date_to, owner, team, isnull."""

    param: str
    lookup: str
    kind: str = "id"
    choices: tuple[str, ...] = ()
    label: Any = ""

    def condition(self, raw: str, actor: User) -> Q:
        match self.kind:
            case "id":
                return Q(**{self.lookup: _int(raw)})
            case "owner":
                return Q(**{self.lookup: actor.pk if raw == "me" else _int(raw)})
            case "team":
                path = Team.objects.filter(pk=_int(raw)).values_list("path", flat=True).first() or "/-/"
                return Q(**{f"{self.lookup}__path__startswith": path})
            case "choice":
                if raw not in self.choices:
                    raise ValidationError(UNKNOWN_VALUE % {"choices": ", ".join(self.choices)})
                return Q(**{self.lookup: raw})
            case "bool":
                return Q(**{self.lookup: raw.lower() in {"1", "true", "yes", "on"}})
            case "date_from":
                return Q(**{f"{self.lookup}__date__gte": _date(raw)})
            case "date_to":
                return Q(**{f"{self.lookup}__date__lte": _date(raw)})
            case "int_min" | "int_max":
                try:
                    number = int(raw)
                except ValueError as exc:
                    raise ValidationError(NOT_A_NUMBER) from exc
                if abs(number) >= 2**31:
                    raise ValidationError(NOT_A_NUMBER)
                return Q(**{f"{self.lookup}__{'gte' if self.kind == 'int_min' else 'lte'}": number})
            case "text_exact":
                return Q(**{f"{self.lookup}__iexact": raw})
            case "isnull":
                return Q(**{f"{self.lookup}__isnull": raw.lower() in {"1", "true", "yes"}})
            case _:
                return Q(**{f"{self.lookup}__icontains": raw})


@dataclass(frozen=True)
class ListSpec:
    model: type[models.Model]
    record_type: str
    filters: tuple[Filter, ...]
    #: public ordering name → model fields (a trailing "id" keeps pages stable)
    orderings: Mapping[str, tuple[str, ...]]
    default_ordering: str
    search_index: search.SearchIndex | None = None
    select_related: tuple[str, ...] = ()
    prefetch: Callable[[models.QuerySet[Any]], models.QuerySet[Any]] | None = field(default=None)

    def ordering_choices(self) -> list[str]:
        return [name for key in self.orderings for name in (key, f"-{key}")]

    def _order_by(self, raw: str) -> list[str]:
        raw = raw or self.default_ordering
        descending = raw.startswith("-")
        key = raw.lstrip("-")
        if key not in self.orderings:
            raise ValidationError(UNKNOWN_ORDER % {"choices": ", ".join(self.ordering_choices())})
        fields = self.orderings[key]
        return [f"-{f}" if descending else f for f in fields] + (["-id" if descending else "id"])

    def apply(
        self, actor: User, params: Mapping[str, Any], custom_fields: list[CustomField] | None = None
    ) -> models.QuerySet[Any]:
        queryset = visible_to(actor, self.model)
        errors: dict[str, str] = {}
        by_param = {f.param: f for f in self.filters}
        custom = {
            f"cf_{f.key}": f
            for f in (custom_fields if custom_fields is not None else customfields.fields_for(self.record_type))
        }
        condition = Q()
        for param, raw in params.items():
            raw = str(raw).strip() if raw is not None else ""
            if raw == "":
                continue
            try:
                if param in by_param:
                    condition &= by_param[param].condition(raw, actor)
                elif param in custom:
                    condition &= customfields.filter_q(custom[param], raw)
            except ValidationError as exc:
                errors[param] = " ".join(str(m) for m in exc.messages)
        try:
            order = self._order_by(str(params.get("ordering") or ""))
        except ValidationError as exc:
            errors["ordering"] = " ".join(str(m) for m in exc.messages)
            order = []
        if errors:
            raise InvalidInput(errors)
        queryset = queryset.filter(condition)
        text = str(params.get("q") or "").strip()
        if text and self.search_index is not None:
            queryset = search.matching(queryset, self.search_index, text)
        queryset = queryset.order_by(*order)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch is not None:
            queryset = self.prefetch(queryset)
        return queryset


@dataclass(frozen=True)
class Page:
    items: list[Any]
    count: int
    page: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.limit))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def paginate(queryset: models.QuerySet[Any], page: Any = 1, limit: Any = 50) -> Page:
    """One page of a list and the total count; bad page numbers fall back to the nearest valid one."""
    try:
        limit_value = max(1, min(MAX_LIMIT, int(limit)))
    except (TypeError, ValueError):
        limit_value = 50
    try:
        page_value = max(1, int(page))
    except (TypeError, ValueError):
        page_value = 1
    count = queryset.count()
    last = max(1, -(-count // limit_value))
    page_value = min(page_value, last)
    start = (page_value - 1) * limit_value
    return Page(items=list(queryset[start : start + limit_value]), count=count, page=page_value, limit=limit_value)
