"""Forms of the settings pages. They only collect input; the services validate the rules."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from functools import cache
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from rapport.core.models import (
    Currency,
    CustomField,
    CustomFieldType,
    Role,
    RoleCode,
    RolePermission,
    Scope,
    Team,
    Territory,
    User,
)
from rapport.core.models.customfields import key_validator
from rapport.core.models.org import TreeNode
from rapport.core.records import RecordType

YES_NO_ANY = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]
CURRENCY_CODE_HELP = _("Three letters, ISO 4217 (e.g. CHF).")
CHOICES_HELP = _("For choice and multiple-choice fields: one choice per line.")


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def role_label(role: Role) -> str:
    return str(RoleCode(role.code).label) if role.code in RoleCode.values else role.name


class RoleChoiceField(forms.ModelChoiceField[Role]):
    def label_from_instance(self, obj: Role) -> str:
        return role_label(obj)


class TreeChoiceField(forms.ModelChoiceField[Any]):
    """A team or territory select that shows the tree by indenting each node under its parent."""

    def label_from_instance(self, obj: Model) -> str:
        assert isinstance(obj, TreeNode)
        return "\u2014 " * obj.depth + obj.name


class UserChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} <{obj.email}>" if name else obj.email


def _active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "email")


# --- users -------------------------------------------------------------------------------------------


class FilterForm(forms.Form):
    """A GET form above a list: labels without the trailing colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class UserFilterForm(FilterForm):
    ORDERINGS = {
        "name": ("first_name", "last_name", "email"),
        "email": ("email",),
        "role": ("role__name", "first_name", "last_name"),
        "team": ("team__name", "first_name", "last_name"),
        "last_login": ("last_login",),
    }

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = RoleChoiceField(label=_("Role"), queryset=Role.objects.all(), required=False, empty_label=_("Any role"))
    team = TreeChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("path"), required=False, empty_label=_("Any team")
    )
    active = forms.ChoiceField(label=_("Active"), choices=YES_NO_ANY, required=False)
    ordering = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("-name", _("Name, Z to A")),
            ("email", _("E-mail")),
            ("role", _("Role")),
            ("team", _("Team")),
            ("-last_login", _("Last login, newest first")),
            ("last_login", _("Last login, oldest first")),
        ],
    )


class UserForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = RoleChoiceField(label=_("Role"), queryset=Role.objects.all(), initial=RoleCode.SALESPERSON)
    team = TreeChoiceField(
        label=_("Team"), queryset=Team.objects.order_by("path"), required=False, empty_label=_("No team")
    )
    territory = TreeChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.order_by("path"),
        required=False,
        empty_label=_("No territory"),
    )
    manager = UserChoiceField(
        label=_("Manager"), queryset=User.objects.none(), required=False, empty_label=_("No manager")
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices, initial="UTC")
    hourly_cost_rate = forms.DecimalField(
        label=_("Hourly cost rate"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        initial=Decimal("0.00"),
        help_text=_("In the company currency; used to cost activities."),
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("An inactive user cannot log in; their records stay.")
    )

    PROFILE_FIELDS = (
        "email",
        "first_name",
        "last_name",
        "role",
        "team",
        "territory",
        "manager",
        "language",
        "time_zone",
        "hourly_cost_rate",
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        self.user = user
        if user is not None:
            kwargs.setdefault("initial", {name: getattr(user, name) for name in (*self.PROFILE_FIELDS, "is_active")})
        super().__init__(*args, **kwargs)
        manager_field = self.fields["manager"]
        assert isinstance(manager_field, UserChoiceField)
        managers = _active_users()
        if user is not None and user.manager_id is not None:
            managers = managers | User.objects.filter(pk=user.manager_id)
        manager_field.queryset = managers
        if user is None:
            del self.fields["is_active"]
        else:
            password = self.fields["password"]
            password.required = False
            password.label = _("New password")
            password.help_text = _("Leave empty to keep the current password.")

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.PROFILE_FIELDS}
        if "is_active" in self.fields:
            data["is_active"] = self.cleaned_data["is_active"]
        return data


# --- teams and territories ---------------------------------------------------------------------------


class TreeNodeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = TreeChoiceField(label=_("Parent"), queryset=Team.objects.none(), required=False, empty_label=_("(top)"))

    def __init__(self, *args: Any, model: type[TreeNode], node: TreeNode | None = None, **kwargs: Any) -> None:
        if node is not None:
            kwargs.setdefault("initial", {"name": node.name, "parent": node.parent})
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        assert isinstance(parent, TreeChoiceField)
        # Every node is offered: the service refuses a move under the node itself or its subtree.
        parent.queryset = model._default_manager.order_by("path")


class TeamForm(TreeNodeForm):
    manager = UserChoiceField(
        label=_("Manager"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No manager"),
        help_text=_("The manager sees the records of everyone in this team and its sub-teams."),
    )

    def __init__(self, *args: Any, node: TreeNode | None = None, **kwargs: Any) -> None:
        super().__init__(*args, model=Team, node=node, **kwargs)
        manager = self.fields["manager"]
        assert isinstance(manager, UserChoiceField)
        queryset = _active_users()
        if isinstance(node, Team) and node.manager_id is not None:
            queryset = queryset | User.objects.filter(pk=node.manager_id)
            self.initial.setdefault("manager", node.manager)
        manager.queryset = queryset


class TerritoryForm(TreeNodeForm):
    def __init__(self, *args: Any, node: TreeNode | None = None, **kwargs: Any) -> None:
        super().__init__(*args, model=Territory, node=node, **kwargs)


# --- roles -------------------------------------------------------------------------------------------

ACTIONS = ("create", "read", "edit", "delete")
ACTION_LABELS = {"create": _("Create"), "read": _("Read"), "edit": _("Edit"), "delete": _("Delete")}


class RoleMatrixForm(forms.Form):
    """One row per record type: four rights and a visibility scope."""

    def __init__(self, *args: Any, role: Role, record_types: list[RecordType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role = role
        self.record_types = record_types
        existing = {p.record_type: p for p in RolePermission.objects.filter(role=role)}
        self.existing = existing
        for record_type in record_types:
            permission = existing.get(record_type.key)
            for action in ACTIONS:
                self.fields[f"{record_type.key}__{action}"] = forms.BooleanField(
                    label=format_lazy("{}: {}", record_type.label_plural, ACTION_LABELS[action]),
                    required=False,
                    initial=bool(permission and permission.allows(action)),
                )
            self.fields[f"{record_type.key}__scope"] = forms.ChoiceField(
                label=_("Visibility"),
                choices=Scope.choices,
                initial=permission.scope if permission else Scope.OWN,
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "record_type": rt,
                "rights": [(ACTION_LABELS[action], self[f"{rt.key}__{action}"]) for action in ACTIONS],
                "scope": self[f"{rt.key}__scope"],
            }
            for rt in self.record_types
        ]

    def values_for(self, key: str) -> dict[str, Any]:
        values: dict[str, Any] = {f"can_{action}": self.cleaned_data[f"{key}__{action}"] for action in ACTIONS}
        values["scope"] = self.cleaned_data[f"{key}__scope"]
        return values

    def changed_types(self) -> list[str]:
        changed = []
        for record_type in self.record_types:
            values = self.values_for(record_type.key)
            permission = self.existing.get(record_type.key)
            if permission is None or any(getattr(permission, name) != value for name, value in values.items()):
                changed.append(record_type.key)
        return changed


# --- custom fields -----------------------------------------------------------------------------------


class CustomFieldEditForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=120)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 5}), help_text=CHOICES_HELP
    )
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    position = forms.IntegerField(
        label=_("Position"), min_value=0, required=False, help_text=_("Fields are shown in this order.")
    )

    def __init__(self, *args: Any, field: CustomField | None = None, **kwargs: Any) -> None:
        if field is not None:
            kwargs.setdefault(
                "initial",
                {
                    "label": field.label,
                    "required": field.required,
                    "choices": "\n".join(field.choices),
                    "help_text": field.help_text,
                    "position": field.position,
                },
            )
        super().__init__(*args, **kwargs)
        if field is not None:
            self.fields["position"].required = True
            if field.field_type not in {CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE}:
                del self.fields["choices"]

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class CustomFieldCreateForm(CustomFieldEditForm):
    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        validators=[key_validator],
        help_text=_("The name used in the API, exports and imports; cannot change later."),
    )
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)

    field_order = ["key", "label", "field_type", "required", "choices", "help_text", "position"]


# --- customer categories -----------------------------------------------------------------------------


class CustomerCategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0)


# --- currencies --------------------------------------------------------------------------------------


class CurrencyForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        min_length=3,
        max_length=3,
        help_text=CURRENCY_CODE_HELP,
    )
    name = forms.CharField(label=_("Name"), max_length=80)
    symbol = forms.CharField(label=_("Symbol"), max_length=8, required=False)
    decimal_places = forms.IntegerField(label=_("Decimal places"), min_value=0, max_value=4, initial=2)

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).upper()


class ExchangeRateForm(forms.Form):
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=18,
        decimal_places=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("How many units of the company currency one unit of this currency is worth."),
    )


class OrganisationForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    company_address = forms.CharField(
        label=_("Company address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Printed under the company name on quotes, one line per line."),
    )
    company_logo = forms.FileField(
        label=_("Company logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_("PNG or JPEG, at most 1 MB; printed at the top of quotes."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    company_currency = forms.ModelChoiceField(
        label=_("Company currency"),
        queryset=Currency.objects.filter(active=True),
        empty_label=None,
        help_text=_("Exchange rates are entered against this currency; review them after changing it."),
    )
    follow_up_days = forms.IntegerField(
        label=_("Follow up leads after (days)"),
        required=False,  # left empty: unchanged
        min_value=1,
        max_value=365,
        help_text=_("An open lead with no activity for this many days shows on its owner's Today page."),
    )

    def __init__(self, *args: Any, has_logo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_logo:
            del self.fields["remove_logo"]


# --- login history -----------------------------------------------------------------------------------


class LoginFilterForm(FilterForm):
    user = UserChoiceField(
        label=_("User"),
        queryset=User.objects.order_by("first_name", "last_name", "email"),
        required=False,
        empty_label=_("Everyone"),
    )
    succeeded = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Succeeded")), ("no", _("Failed"))],
    )
