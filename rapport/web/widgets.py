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
