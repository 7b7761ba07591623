"""The quote list's filters, search and sorting, applied to `selectors.quote_list` (what the actor may
see, with the columns the list shows read in the same query)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from rapport.core import customfields
from rapport.core.errors import InvalidInput
from rapport.core.listing import Filter, ListSpec
from rapport.core.models import CustomField, User
from rapport.quotes import selectors
from rapport.quotes.models import Quote

MAX_SEARCH = 100


@dataclass(frozen=True)
class NumberOrAccount(Filter):
    """`q`: the beginning of a number (as the shared list definition reads it) or part of the
    account's name."""

    number: Filter | None = None

    def condition(self, raw: str, actor: User) -> Q:
        text = raw[:MAX_SEARCH]
        by_account = Q(account__name__icontains=text)
        return by_account if self.number is None else self.number.condition(text, actor) | by_account


@dataclass(frozen=True)
class SelectorListSpec(ListSpec):
    """A list spec whose rows start from the quotes' selector instead of the bare visible set."""

    def apply(
        self, actor: User, params: Mapping[str, Any], custom_fields: list[CustomField] | None = None
    ) -> models.QuerySet[Any]:
        errors: dict[str, str] = {}
        by_param = {f.param: f for f in self.filters}
        fields = custom_fields if custom_fields is not None else customfields.fields_for(self.record_type)
        custom = {f"cf_{f.key}": f for f in fields}
        condition = Q()
        for param, raw in params.items():
            text = str(raw).strip() if raw is not None else ""
            if not text:
                continue
            try:
                if param in by_param:
                    condition &= by_param[param].condition(text, actor)
                elif param in custom:
                    condition &= customfields.filter_q(custom[param], text)
            except ValidationError as exc:
                errors[param] = " ".join(str(m) for m in exc.messages)
        try:
            order = self._order_by(str(params.get("ordering") or ""))
        except ValidationError as exc:
            errors["ordering"] = " ".join(str(m) for m in exc.messages)
            order = []
        if errors:
            raise InvalidInput(errors)
        queryset = selectors.quote_list(actor=actor).filter(condition).order_by(*order)
        return queryset.select_related(*self.select_related) if self.select_related else queryset


_SHARED = selectors.QUOTE_LIST
_SHARED_Q = next((f for f in _SHARED.filters if f.param == "q"), None)

#: the page's list: the definition shared with the API, its search extended to the account's name
#: and two more columns to sort by
QUOTE_LIST = SelectorListSpec(
    model=Quote,
    record_type="quote",
    filters=(
        NumberOrAccount("q", "number", "text", number=_SHARED_Q),
        *(f for f in _SHARED.filters if f.param != "q"),
    ),
    orderings={
        **_SHARED.orderings,
        "account": ("account__name",),
        "owner": ("owner__first_name", "owner__last_name", "-created_at"),
    },
    default_ordering=_SHARED.default_ordering,
    # the opportunity's name is a column too
    select_related=("opportunity",),
)
