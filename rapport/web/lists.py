"""List pages: the shared filter definition (ListSpec) applied to the request, plus what the page shows.

A list page declares its filter controls; `list_context` applies the same `ListSpec` the API uses,
turns invalid parameters into messages (the rest of the filters still apply), paginates, and
prepares saved views, active-filter chips and the export/save forms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_htmx.http import push_url

from rapport.core import customfields
from rapport.core.errors import InvalidInput
from rapport.core.listing import ListSpec, paginate
from rapport.core.models import CustomField, CustomFieldType, Team, User
from rapport.core.selectors import saved_views_for
from rapport.web.utils import is_partial, query_without
from rapport.web.widgets import RecordSearchWidget

ANY = _("Any")
YES = _("Yes")
NO = _("No")
ME = _("Me")

#: parameters that are not filters (they never make a list "filtered")
NOT_FILTERS = ("page", "limit", "ordering")


@dataclass
class Control:
    """One filter control in the side panel. `kind`: select, text, date, record."""

    param: str
    label: Any
    kind: str = "select"
    options: Sequence[tuple[str, Any]] = ()
    widget: RecordSearchWidget | None = None
    value: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def value_label(self) -> str:
        for key, label in self.options:
            if key == self.value:
                return str(label)
        if self.widget is not None:
            return self.widget.label_for(self.value) or self.value
        return self.value

    def render_widget(self) -> str:
        assert self.widget is not None
        return self.widget.render(self.param, self.value, {"id": f"filter-{self.param}", "form": "filter-form"})


def owner_control() -> Control:
    users = (
        User.objects.filter(is_active=True)
        .only("first_name", "last_name", "email")
        .order_by("first_name", "last_name", "email")
    )
    return Control("owner", _("Owner"), options=[("me", ME), *[(str(u.pk), str(u)) for u in users]])


def team_control() -> Control:
    teams = Team.objects.order_by("path").only("name", "path")
    return Control("team", _("Team"), options=[(str(t.pk), "— " * t.depth + t.name) for t in teams])


def bool_control(param: str, label: Any) -> Control:
    return Control(param, label, options=[("true", YES), ("false", NO)])


def custom_field_controls(fields: list[CustomField]) -> list[Control]:
    controls = []
    for custom in fields:
        param = f"cf_{custom.key}"
        if custom.field_type in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE):
            controls.append(Control(param, custom.label, options=[(c, c) for c in custom.choices]))
        elif custom.field_type == CustomFieldType.CHECKBOX:
            controls.append(bool_control(param, custom.label))
        elif custom.field_type == CustomFieldType.DATE:
            controls.append(Control(param, custom.label, kind="date"))
        elif custom.field_type in (CustomFieldType.TEXT, CustomFieldType.EMAIL, CustomFieldType.URL):
            controls.append(Control(param, custom.label, kind="text"))
    return controls


def list_context(
    request: HttpRequest,
    spec: ListSpec,
    controls: list[Control],
    *,
    custom_fields: list[CustomField] | None = None,
) -> dict[str, Any]:
    """Everything a list page renders; bad parameters become `filter_errors`, never a 500."""
    actor = request.user
    assert isinstance(actor, User)
    fields = custom_fields if custom_fields is not None else customfields.fields_for(spec.record_type)
    params = request.GET
    errors: dict[str, list[str]] = {}
    try:
        queryset = spec.apply(actor, params, fields)
    except InvalidInput as exc:
        errors = exc.errors
        valid = {k: v for k, v in params.items() if k not in errors}
        queryset = spec.apply(actor, valid, fields)
    page = paginate(queryset, params.get("page"), settings.RAPPORT_LIST_PAGE_SIZE)

    labels = {c.param: c.label for c in controls}
    labels.update({"q": _("Search"), "ordering": _("Sort")})
    for control in controls:
        control.value = params.get(control.param, "")
    chips = [
        {
            "label": labels.get(c.param, c.param),
            "value": c.value_label(),
            "remove": "?" + query_without(params, c.param, "page"),
        }
        for c in controls
        if c.value and c.param not in errors
    ]
    filter_params = {c.param for c in controls} | {"q"}
    filtered = any(params.get(p, "").strip() for p in filter_params)
    current_query = query_without(params, "page")
    saved = list(saved_views_for(actor, spec.record_type))
    return {
        "page": page,
        "rows": page.items,
        "controls": controls,
        "chips": chips,
        "filtered": filtered,
        "filter_errors": [(labels.get(k, k), " ".join(v)) for k, v in errors.items()],
        "search_query": "",
        "list_q": params.get("q", ""),
        "ordering": params.get("ordering", "") if "ordering" not in errors else "",
        "default_ordering": spec.default_ordering,
        "current_query": current_query,
        "saved_views": saved,
        "active_view": next((v for v in saved if v.query == current_query), None),
        "record_type": spec.record_type,
        "htmx_target": "list-results",
    }


def render_list(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole list page, or (for htmx) only its results, with the address bar kept in step."""
    if is_partial(request, "list-results"):
        context["partial"] = True
        response = render(request, f"{template}#results", context)
        # The address bar shows the same clean address a saved view or a shared link would use.
        query = context["current_query"]
        page = context["page"].page
        if page > 1:
            query = f"{query}&page={page}" if query else f"page={page}"
        return push_url(response, f"{request.path}?{query}" if query else request.path)
    return render(request, template, context)
