"""Forms of the web-to-lead pages: the settings form that defines a web form, the list's filter, and the
fields the public page and the embeddable snippet are built from. The services validate the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from rapport.core.models import CustomField, CustomFieldType, User
from rapport.leads.models import LeadSource, WebForm
from rapport.leads.services import webforms as service
from rapport.web.settings.forms import YES_NO_ANY, FilterForm, UserChoiceField

#: what a new form asks for until the administrator chooses otherwise (name → required)
NEW_FORM_FIELDS = {"first_name": False, "last_name": True, "company": False, "email": True, "phone": False}
LAST = 1000


class WebFormFilterForm(FilterForm):
    ORDERINGS = {
        "name": ("name",),
        "leads": ("lead_count",),
        "last_submission": ("last_submission",),
    }

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO_ANY, required=False)
    ordering = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("-name", _("Name, Z to A")),
            ("-leads", _("Most leads first")),
            ("-last_submission", _("Latest submission first")),
        ],
    )


class OwnerChoiceField(UserChoiceField):
    def label_from_instance(self, obj: User) -> str:
        label = super().label_from_instance(obj)
        return label if obj.is_active else str(_("%(user)s (inactive)") % {"user": label})


@dataclass
class FieldRow:
    """One candidate field on the settings form: shown or not, required or not, its label and place."""

    name: str
    default_label: str
    show: forms.BoundField
    required: forms.BoundField
    label: forms.BoundField
    order: forms.BoundField
    #: the last name is always asked for and required
    locked: bool


class WebFormForm(forms.Form):
    """Name, source, campaign, default owner, thank-you page, active, and for each candidate field
    `show_<name>`, `required_<name>`, `label_<name>` and `order_<name>`."""

    name = forms.CharField(label=_("Name"), max_length=100)
    source = forms.ModelChoiceField(label=_("Source"), queryset=LeadSource.objects.none(), empty_label=None)
    campaign = forms.CharField(label=_("Campaign"), max_length=150, required=False)
    owner = OwnerChoiceField(
        label=_("Default owner"),
        queryset=User.objects.none(),
        empty_label=None,
        help_text=_("Gets the leads no assignment rule gives to someone else."),
    )
    thank_you_url = forms.CharField(
        label=_("Thank-you page"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Where visitors go after sending the form. Leave empty for Rapport's own thank-you page."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, data: Any = None, *, instance: WebForm | None = None, default_owner: User | None = None) -> None:
        super().__init__(data)
        self.instance = instance
        self.candidates = service.field_choices()
        self._set_choices(instance)
        stored = instance.fields if instance is not None else _new_form_fields()
        positions = {spec["name"]: index for index, spec in enumerate(stored)}
        for name, label in self.candidates:
            spec = next((s for s in stored if s["name"] == name), None)
            self._add_field_controls(name, label, spec, positions.get(name))
        if instance is not None:
            self.initial.update(
                name=instance.name,
                source=instance.source_id,
                campaign=instance.campaign,
                owner=instance.owner_id,
                thank_you_url=instance.thank_you_url,
                active=instance.active,
            )
        else:
            web_form = LeadSource.objects.filter(code=service.DEFAULT_SOURCE).first()
            self.initial.update(source=web_form.pk if web_form else None, owner=default_owner, active=True)

    def _set_choices(self, instance: WebForm | None) -> None:
        current_source = Q(pk=instance.source_id) if instance is not None and instance.source_id else Q(pk__in=[])
        source_field = self.fields["source"]
        assert isinstance(source_field, forms.ModelChoiceField)
        source_field.queryset = LeadSource.objects.filter(Q(active=True) | current_source)
        # The current owner stays listed even when inactive, so the page shows who it is (saving asks for another).
        current_owner = Q(pk=instance.owner_id) if instance is not None else Q(pk__in=[])
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)
        users: QuerySet[User] = User.objects.filter(Q(is_active=True) | current_owner)
        owner_field.queryset = users.order_by("first_name", "last_name", "email")

    def _add_field_controls(self, name: str, label: str, spec: dict[str, Any] | None, position: int | None) -> None:
        locked = name == "last_name"
        self.fields[f"show_{name}"] = forms.BooleanField(
            required=False, initial=spec is not None or locked, disabled=locked, label=_("Show")
        )
        self.fields[f"required_{name}"] = forms.BooleanField(
            required=False, initial=bool(spec and spec.get("required")) or locked, disabled=locked, label=_("Required")
        )
        self.fields[f"label_{name}"] = forms.CharField(
            required=False,
            max_length=service.LABEL_LIMIT,
            initial=(spec or {}).get("label", ""),
            label=_("Label"),
            widget=forms.TextInput(attrs={"placeholder": label}),
        )
        self.fields[f"order_{name}"] = forms.IntegerField(
            required=False,
            min_value=1,
            max_value=999,
            initial=position + 1 if position is not None else None,
            label=_("Order"),
            widget=forms.NumberInput(attrs={"class": "order-input"}),
        )

    def _order_of(self, name: str) -> int:
        bound = self[f"order_{name}"]
        raw = bound.data if self.is_bound else bound.initial
        try:
            return int(raw)
        except (TypeError, ValueError):
            return LAST

    def field_rows(self) -> list[FieldRow]:
        """The candidate fields in the form's order (the chosen ones by their number, then the rest)."""
        rows = [
            FieldRow(
                name=name,
                default_label=label,
                show=self[f"show_{name}"],
                required=self[f"required_{name}"],
                label=self[f"label_{name}"],
                order=self[f"order_{name}"],
                locked=name == "last_name",
            )
            for name, label in self.candidates
        ]
        index = {row.name: i for i, row in enumerate(rows)}
        return sorted(rows, key=lambda row: (self._order_of(row.name), index[row.name]))

    def chosen_fields(self) -> list[dict[str, Any]]:
        """The fields to show, in order, as the service takes them (call after `is_valid()`)."""
        data = self.cleaned_data
        chosen = [
            (data.get(f"order_{name}") or LAST, position, name)
            for position, (name, _label) in enumerate(self.candidates)
            if data.get(f"show_{name}") or name == "last_name"
        ]
        return [
            {"name": name, "required": bool(data.get(f"required_{name}")), "label": data.get(f"label_{name}", "")}
            for _order, _position, name in sorted(chosen)
        ]

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        source = data.get("source")
        owner = data.get("owner")
        return {
            "name": data["name"],
            "fields": self.chosen_fields(),
            "source": source.pk if source is not None else None,
            "campaign": data.get("campaign", ""),
            "owner": owner.pk if owner is not None else None,
            "thank_you_url": data.get("thank_you_url", ""),
            "active": data.get("active", False),
        }


def _new_form_fields() -> list[dict[str, Any]]:
    return [{"name": name, "required": required, "label": ""} for name, required in NEW_FORM_FIELDS.items()]


# --- the public side: hosted page and snippet ---------------------------------------------------------

LEAD_FIELD_KINDS = {
    "email": "email",
    "phone": "tel",
    "website": "url",
    "need_description": "textarea",
    "description": "textarea",
}
CUSTOM_FIELD_KINDS = {
    CustomFieldType.TEXT: "text",
    CustomFieldType.NUMBER: "number",
    CustomFieldType.DATE: "date",
    CustomFieldType.CHOICE: "select",
    CustomFieldType.MULTI_CHOICE: "checkboxes",
    CustomFieldType.CHECKBOX: "checkbox",
    CustomFieldType.EMAIL: "email",
    CustomFieldType.URL: "url",
}


@dataclass
class PublicField:
    """One input of the public form, with what the visitor typed and what was wrong with it."""

    name: str
    label: str
    kind: str
    required: bool
    max_length: int | None = None
    choices: list[str] = field(default_factory=list)
    help_text: str = ""
    value: Any = ""
    errors: list[str] = field(default_factory=list)

    @property
    def html_id(self) -> str:
        return f"rapport-{self.name}"

    @property
    def selected(self) -> list[str]:
        """The chosen values of a multiple choice (or the one value of a select), as text."""
        values = self.value if isinstance(self.value, list) else [self.value]
        return [str(v) for v in values if v not in (None, "")]

    @property
    def checked(self) -> bool:
        return service.truthy(self.value) if self.value not in (None, "") else False

    @property
    def text(self) -> str:
        return "" if isinstance(self.value, list | dict) or self.value is None else str(self.value)


def public_fields(
    webform: WebForm, values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None
) -> list[PublicField]:
    """The form's inputs in order; custom fields deleted since the form was defined are left out."""
    values = values or {}
    errors = errors or {}
    custom = {f"{service.CUSTOM_PREFIX}{f.key}": f for f in service.custom_fields_for_forms()}
    shown: list[PublicField] = []
    for spec in webform.fields:
        name = spec["name"]
        if name.startswith(service.CUSTOM_PREFIX):
            if name not in custom:
                continue
            item = _custom_input(custom[name], spec)
        else:
            item = _lead_input(name, spec)
        item.value = values.get(name, "")
        item.errors = errors.get(name, [])
        shown.append(item)
    return shown


def _lead_input(name: str, spec: dict[str, Any]) -> PublicField:
    return PublicField(
        name=name,
        label=spec.get("label") or service.field_label(name),
        kind=LEAD_FIELD_KINDS.get(name, "text"),
        required=bool(spec.get("required")),
        max_length=service.lead_field(name).max_length,
    )


def _custom_input(custom: CustomField, spec: dict[str, Any]) -> PublicField:
    return PublicField(
        name=f"{service.CUSTOM_PREFIX}{custom.key}",
        label=spec.get("label") or custom.label,
        kind=CUSTOM_FIELD_KINDS.get(CustomFieldType(custom.field_type), "text"),
        # a custom field required on every lead is required here too (an unticked checkbox is an answer)
        required=bool(spec.get("required")) or (custom.required and custom.field_type != CustomFieldType.CHECKBOX),
        choices=list(custom.choices or []),
        help_text=custom.help_text,
    )
