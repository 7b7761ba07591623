"""Forms of the account and contact pages. They collect input; the services decide (rules, audit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.core import customfields
from rapport.core.errors import InvalidInput
from rapport.core.models import Currency, CustomField, Territory, User
from rapport.core.visibility import visible_to
from rapport.customers.models import (
    Account,
    AccountContact,
    AccountType,
    Consent,
    Contact,
    CustomerCategory,
    PreferredChannel,
    PurchaseRole,
)
from rapport.web.widgets import RecordSearchWidget

TEXT = {"class": "text"}
ADDRESS_FIELDS = ("street", "city", "postal_code", "region", "country")


def _owner_field(instance: Account | Contact | None) -> forms.ModelChoiceField[User]:
    users = User.objects.filter(is_active=True)
    if instance is not None and instance.owner_id:
        users = User.objects.filter(Q(is_active=True) | Q(pk=instance.owner_id))
    return forms.ModelChoiceField(
        label=_("Owner"), queryset=users.order_by("first_name", "last_name", "email"), empty_label=None
    )


class RecordForm(forms.Form):
    """Base for a record form with the record type's custom fields as `cf_<key>`."""

    record_type = ""
    sections: Sequence[tuple[Any, Sequence[str]]] = ()
    #: model foreign keys whose chosen record is passed to the service by id
    foreign_keys: Sequence[str] = ()
    #: fields passed to the service as they are typed (the service checks them, e.g. visibility)
    raw_ids: Sequence[str] = ()
    not_model_fields: Sequence[str] = ()

    def __init__(
        self,
        *args: Any,
        actor: User,
        instance: models.Model | None = None,
        custom_fields: list[CustomField] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.instance = instance
        self.custom_fields = custom_fields if custom_fields is not None else customfields.fields_for(self.record_type)
        stored = (getattr(instance, "custom", None) or {}) if instance is not None else {}
        for field in self.custom_fields:
            form_field = customfields.form_field(field)
            form_field.required = False
            if field.required:
                form_field.widget.attrs["aria-required"] = "true"
            self.fields[f"cf_{field.key}"] = form_field
            if instance is not None:
                self.initial[f"cf_{field.key}"] = customfields.form_value(field, stored.get(field.key))

    def model_field_names(self) -> list[str]:
        return [n for n in self.fields if not n.startswith("cf_") and n not in self.not_model_fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The same validation the service runs, so every wrong custom field shows at once.
        try:
            customfields.clean_values(self.record_type, self.custom_values(), fields=self.custom_fields)
        except InvalidInput as exc:
            for key, messages in exc.errors.items():
                name = "cf_" + key.removeprefix("custom_fields.")
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned

    def custom_values(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        return {f.key: data.get(f"cf_{f.key}") for f in self.custom_fields}

    def service_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in self.model_field_names():
            value = self.cleaned_data.get(name)
            if name in self.foreign_keys:
                value = value.pk if value is not None else None
            elif name in self.raw_ids:
                value = (value or "").strip() or None
            elif value is None and isinstance(self.fields[name], forms.CharField):
                value = ""
            values[name] = value
        return values

    def custom_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"cf_{f.key}"] for f in self.custom_fields]

    def required_custom(self) -> set[str]:
        return {f"cf_{f.key}" for f in self.custom_fields if f.required}

    def section_list(self) -> list[tuple[Any, list[forms.BoundField]]]:
        result = [(title, [self[name] for name in names if name in self.fields]) for title, names in self.sections]
        custom = self.custom_bound_fields()
        if custom:
            result.append((_("Custom fields"), custom))
        return result


def _initial(instance: models.Model | None, names: Sequence[str]) -> dict[str, Any]:
    if instance is None:
        return {}
    initial: dict[str, Any] = {}
    for name in names:
        field = instance._meta.get_field(name)
        initial[name] = getattr(instance, field.attname)  # type: ignore[union-attr]
    return initial


class AccountForm(RecordForm):
    record_type = "account"
    foreign_keys = ("category", "territory", "owner", "annual_revenue_currency")
    raw_ids = ("parent",)

    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=AccountType.choices, initial=AccountType.PROSPECT)
    category = forms.ModelChoiceField(
        label=_("Customer category"), queryset=CustomerCategory.objects.none(), required=False
    )
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    parent = forms.CharField(label=_("Parent account"), required=False)
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.none(), required=False)
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    employees = forms.IntegerField(label=_("Employees"), min_value=0, required=False)
    annual_revenue_amount = forms.DecimalField(
        label=_("Annual revenue"), max_digits=18, decimal_places=2, required=False
    )
    annual_revenue_currency = forms.ModelChoiceField(
        label=_("Revenue currency"), queryset=Currency.objects.none(), required=False, to_field_name="code"
    )
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    sections = (
        (_("Company"), ("name", "type", "category", "industry", "parent", "territory", "owner")),
        (_("Contact details"), ("website", "phone", "email")),
        (_("Size"), ("employees", "annual_revenue_amount", "annual_revenue_currency")),
        (_("Billing address"), ADDRESS_FIELDS),
        (_("Notes"), ("description",)),
    )

    def __init__(self, *args: Any, actor: User, instance: Account | None = None, **kwargs: Any) -> None:
        names = [n for _t, section in self.sections for n in section]
        kwargs.setdefault("initial", {})
        kwargs["initial"] = {**_initial(instance, names), **kwargs["initial"]}
        super().__init__(*args, actor=actor, instance=instance, **kwargs)
        self.fields["owner"] = _owner_field(instance)
        self.fields["owner"].initial = actor.pk
        self.order_fields(names)
        categories = CustomerCategory.objects.filter(active=True)
        if instance is not None and instance.category_id:
            categories = CustomerCategory.objects.filter(Q(active=True) | Q(pk=instance.category_id))
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["territory"].queryset = Territory.objects.order_by("path")  # type: ignore[attr-defined]
        self.fields["territory"].label_from_instance = lambda t: "— " * t.depth + t.name  # type: ignore[attr-defined]
        self.fields["annual_revenue_currency"].queryset = Currency.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["parent"].widget = RecordSearchWidget(
            "customers:account_suggest",
            queryset=visible_to(actor, Account),
            placeholder=str(_("Search accounts…")),
            exclude=instance.pk if instance is not None else None,
        )


class ContactForm(RecordForm):
    record_type = "contact"
    foreign_keys = ("owner",)
    raw_ids = ("account",)
    not_model_fields = ("purchase_role",)

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    account = forms.CharField(label=_("Account"), required=False)
    purchase_role = forms.ChoiceField(
        label=_("Role in the purchase"), choices=[("", "—"), *PurchaseRole.choices], required=False
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=40, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=PreferredChannel.choices, required=False
    )
    marketing_consent = forms.ChoiceField(
        label=_("Marketing consent"), choices=Consent.choices, initial=Consent.UNKNOWN
    )
    do_not_contact = forms.BooleanField(label=_("Do not contact"), required=False)
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    sections = (
        (_("Person"), ("first_name", "last_name", "title", "owner")),
        (_("Account"), ("account", "purchase_role")),
        (_("Reaching them"), ("email", "phone", "mobile", "preferred_channel", "marketing_consent", "do_not_contact")),
        (_("Mailing address"), ADDRESS_FIELDS),
        (_("Notes"), ("description",)),
    )

    def __init__(self, *args: Any, actor: User, instance: Contact | None = None, **kwargs: Any) -> None:
        names = [n for _t, section in self.sections for n in section if n not in ("purchase_role", "owner")]
        initial = _initial(instance, names)
        if instance is not None and instance.account_id:
            link = AccountContact.objects.filter(contact=instance, account_id=instance.account_id).first()
            initial["purchase_role"] = link.purchase_role if link else ""
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, actor=actor, instance=instance, **kwargs)
        self.fields["owner"] = _owner_field(instance)
        self.fields["owner"].initial = actor.pk
        if instance is not None:
            self.initial["owner"] = instance.owner_id
        self.order_fields([n for _t, section in self.sections for n in section])
        self.fields["account"].widget = RecordSearchWidget(
            "customers:account_suggest", queryset=visible_to(actor, Account), placeholder=str(_("Search accounts…"))
        )

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        values["do_not_contact"] = bool(self.cleaned_data.get("do_not_contact"))
        return values

    def purchase_role_value(self) -> str:
        return str(self.cleaned_data.get("purchase_role") or "")


class LinkAccountForm(forms.Form):
    """Link the contact to one more account, with their role in its purchases."""

    account = forms.CharField(label=_("Account"))
    purchase_role = forms.ChoiceField(
        label=_("Role in the purchase"), choices=[("", "—"), *PurchaseRole.choices], required=False
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].widget = RecordSearchWidget(
            "customers:account_suggest", queryset=visible_to(actor, Account), placeholder=str(_("Search accounts…"))
        )
        self.fields["account"].widget.attrs["id"] = "id_link_account"


class MergeForm(forms.Form):
    duplicate = forms.CharField(label=_("Duplicate account"))

    def __init__(self, *args: Any, actor: User, keep: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].widget = RecordSearchWidget(
            "customers:account_suggest",
            queryset=visible_to(actor, Account),
            placeholder=str(_("Search the duplicate…")),
            exclude=keep.pk,
        )
