"""Template helpers of the web UI: sortable column headers, page counts, grouped numbers."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from rapport.core.listing import Page

register = template.Library()


@register.filter
def grouped(value: Any) -> str:
    """1234 → "1,234" (in the active language's grouping)."""
    try:
        return number_format(int(value), force_grouping=True)
    except (TypeError, ValueError):
        return str(value)


@register.simple_tag
def page_range_text(page: Page) -> str:
    """The rows on this page as "first-last of total", with an en dash."""
    if page.count == 0:
        return _("No results")
    first = (page.page - 1) * page.limit + 1
    last = min(page.page * page.limit, page.count)
    return _("%(first)s–%(last)s of %(total)s") % {  # noqa: RUF001
        "first": grouped(first),
        "last": grouped(last),
        "total": grouped(page.count),
    }


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], key: str, label: str) -> SafeString:
    """A column header link that sorts by `key`, toggling ascending/descending, keeping other filters."""
    request = context["request"]
    current = request.GET.get("ordering") or context.get("default_ordering", "")
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        new, arrow, state = f"-{key}", "▲", "ascending"
    elif current == f"-{key}":
        new, arrow, state = key, "▼", "descending"
    else:
        new, arrow, state = key, "↕", ""
    params["ordering"] = new
    url = "?" + params.urlencode()
    return format_html(
        '<a class="sort{}" href="{}" hx-get="{}" data-sort="{}" title="{}">{} <span class="arrow" aria-hidden="true">{}</span></a>',
        " sorted" if state else "",
        url,
        url,
        state,
        _("Sort by %(column)s") % {"column": label},
        label,
        arrow,
    )
