"""Form widgets of the web UI."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.urls import reverse


class RecordSearchWidget(forms.Widget):
    """A select for large tables: a text box with htmx suggestions and a hidden id.

    `queryset` (set by the form, already restricted to what the person may see) names the current
    value; `url_name` answers `?term=` with suggestions (see `web/widgets/record_options.html`).
    """

    template_name = "web/widgets/record_search.html"

    def __init__(
        self,
        url_name: str,
        queryset: models.QuerySet[Any] | None = None,
        placeholder: str = "",
        attrs: dict[str, Any] | None = None,
        exclude: Any = None,
    ) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.queryset = queryset
        self.placeholder = placeholder
        self.exclude = exclude

    def label_for(self, value: Any) -> str:
        if value in (None, "") or self.queryset is None:
            return ""
        if isinstance(value, models.Model):
            return str(value)
        try:
            record = self.queryset.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            return ""
        return str(record) if record is not None else ""

    def format_value(self, value: Any) -> str:
        if isinstance(value, models.Model):
            return str(value.pk)
        return "" if value is None else str(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        url = reverse(self.url_name)
        if self.exclude:
            url += f"?exclude={self.exclude}"
        context["widget"].update({"label": self.label_for(value), "suggest_url": url, "placeholder": self.placeholder})
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class RecordMultiSearchWidget(RecordSearchWidget):
    """A search select of several records: each chosen one is a chip with a hidden id (and a button
    that takes it off); a suggestion picked below adds one more.

    Only records in `queryset` are named; an id it does not know is left out of the chips.
    """

    template_name = "web/widgets/record_multi_search.html"

    def chosen(self, values: list[str]) -> list[tuple[str, str]]:
        ids = [int(value) for value in values if value.isdigit()]
        if not ids or self.queryset is None:
            return []
        names = {str(record.pk): str(record) for record in self.queryset.filter(pk__in=ids)}
        return [(value, names[value]) for value in dict.fromkeys(values) if value in names]

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]
        items = value if isinstance(value, list | tuple | set | models.QuerySet) else [value]
        result = [str(item.pk) if isinstance(item, models.Model) else str(item) for item in items]
        return [item for item in result if item not in ("", "None")]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, None, attrs)
        context["widget"]["chosen"] = self.chosen(self.format_value(value))
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # no chip left is an empty list, not a missing value
