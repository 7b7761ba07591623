"""Forms of the opportunity pages. They collect input; the services decide (gates, rules, audit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.catalog.models import Product
from rapport.core.models import Currency, User
from rapport.core.visibility import visible_to
from rapport.customers.forms import RecordForm
from rapport.customers.models import Account, Contact
from rapport.leads.models import Lead
from rapport.pipeline.gates import Missing
from rapport.pipeline.models import (
    CompetitorStatus,
    ContactRole,
    CostCategory,
    ForecastCategory,
    Opportunity,
    Pipeline,
    Stage,
)
from rapport.web.widgets import RecordSearchWidget

AMOUNT_HELP = _("Leave empty to add up the product lines.")
PROBABILITY_HELP = _("Leave empty to use the stage's probability.")
STAGE_HELP = _("Leave empty to start in the pipeline's first stage.")
MISSING_FOR_STAGE = _("Needed for the stage “%(stage)s”: %(what)s.")

#: gate field keys → the form field that fills them
GATE_FIELD_NAMES = {"amount": "amount_amount"}


def _users(current_id: int | None = None) -> Any:
    users = User.objects.filter(is_active=True)
    if current_id:
        users = User.objects.filter(Q(is_active=True) | Q(pk=current_id))
    return users.order_by("first_name", "last_name", "email")


def stage_label(stage: Stage) -> str:
    return f"{stage.pipeline.name} · {stage.name}"


class OpportunityForm(RecordForm):
    """The full opportunity form, with the opportunity's custom fields."""

    record_type = "opportunity"
    foreign_keys = ("owner", "pipeline", "amount_currency")
    raw_ids = ("account", "source_lead")
    not_model_fields = ("stage",)

    name = forms.CharField(label=_("Name"), max_length=200)
    account = forms.CharField(label=_("Account"))
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=Pipeline.objects.none(), required=False)
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    amount_amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, min_value=0, required=False, help_text=AMOUNT_HELP
    )
    amount_currency = forms.ModelChoiceField(
        label=_("Currency"), queryset=Currency.objects.none(), to_field_name="code", required=False
    )
    probability = forms.DecimalField(
        label=_("Probability (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        help_text=PROBABILITY_HELP,
    )
    close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    forecast_category = forms.ChoiceField(
        label=_("Forecast category"), choices=ForecastCategory.choices, initial=ForecastCategory.PIPELINE
    )
    closed_reason = forms.CharField(label=_("Won/lost reason"), max_length=300, required=False)
    source_lead = forms.CharField(label=_("Source lead"), required=False)
    campaign = forms.CharField(label=_("Campaign"), max_length=150, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    sections: Sequence[tuple[Any, Sequence[str]]] = (
        (_("Opportunity"), ("name", "account", "owner", "pipeline", "stage")),
        (_("Value"), ("amount_amount", "amount_currency", "probability", "close_date", "forecast_category")),
        (_("Progress"), ("next_step", "closed_reason")),
        (_("Origin"), ("source_lead", "campaign")),
        (_("Notes"), ("description",)),
    )

    def __init__(
        self,
        *args: Any,
        actor: User,
        instance: Opportunity | None = None,
        account: Account | None = None,
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = {}
        if instance is not None:
            initial = {
                "name": instance.name,
                "account": instance.account_id,
                "owner": instance.owner_id,
                "pipeline": instance.pipeline_id,
                "stage": instance.stage_id,
                "amount_amount": None if instance.amount_from_lines else instance.amount_amount,
                "amount_currency": instance.amount_currency_id,
                "probability": instance.probability if instance.probability_overridden else None,
                "close_date": instance.close_date,
                "next_step": instance.next_step,
                "forecast_category": instance.forecast_category,
                "closed_reason": instance.closed_reason,
                "source_lead": instance.source_lead_id,
                "campaign": instance.campaign,
                "description": instance.description,
            }
        elif account is not None:
            initial["account"] = account.pk
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, actor=actor, instance=instance, **kwargs)
        self.fields["owner"] = forms.ModelChoiceField(
            label=_("Owner"), queryset=_users(instance.owner_id if instance else None), empty_label=None
        )
        self.fields["owner"].initial = actor.pk
        self.order_fields([n for _title, section in self.sections for n in section])
        self.fields["account"].widget = account_widget(actor)
        self.fields["source_lead"].widget = lead_widget(actor)
        pipelines = Pipeline.objects.filter(active=True)
        if instance is not None:
            pipelines = Pipeline.objects.filter(Q(active=True) | Q(pk=instance.pipeline_id))
        pipeline_field = self.fields["pipeline"]
        pipeline_field.queryset = pipelines  # type: ignore[attr-defined]
        pipeline_field.empty_label = None if instance is not None else "—"  # type: ignore[attr-defined]
        stage_field = self.fields["stage"]
        stage_field.queryset = Stage.objects.filter(pipeline__in=pipelines).select_related("pipeline")  # type: ignore[attr-defined]
        stage_field.label_from_instance = stage_label  # type: ignore[attr-defined]
        if instance is None:
            stage_field.help_text = STAGE_HELP
        else:
            stage_field.empty_label = None  # type: ignore[attr-defined]
        self.fields["amount_currency"].queryset = Currency.objects.filter(active=True)  # type: ignore[attr-defined]

    def service_values(self) -> dict[str, Any]:
        values = super().service_values()
        if values.get("amount_currency") is None:
            values.pop("amount_currency", None)
        if values.get("pipeline") is None and self.instance is None:
            values.pop("pipeline", None)
        if self.instance is None and values.get("amount_amount") is None:
            values.pop("amount_amount", None)  # new: the amount follows the lines
        return values

    def stage_value(self) -> int | None:
        stage = self.cleaned_data.get("stage")
        return stage.pk if stage is not None else None

    def add_missing(self, stage: Stage, missing: Sequence[Missing]) -> None:
        """A refused gate: each missing field next to its input, the rest (roles, artefacts) on top."""
        others = []
        for item in missing:
            name = GATE_FIELD_NAMES.get(item.key, item.key)
            if item.kind == "field" and name.startswith("custom."):
                name = "cf_" + name.removeprefix("custom.")
            if item.kind == "field" and name in self.fields:
                self.add_error(name, MISSING_FOR_STAGE % {"stage": stage.name, "what": item.label})
            else:
                others.append(item.label)
        if others:
            self.add_error(None, MISSING_FOR_STAGE % {"stage": stage.name, "what": ", ".join(others)})


def account_widget(actor: User) -> RecordSearchWidget:
    """The account search select the lead and contact forms use."""
    return RecordSearchWidget(
        "customers:account_suggest", queryset=visible_to(actor, Account), placeholder=str(_("Search accounts…"))
    )


def lead_widget(actor: User) -> RecordSearchWidget:
    return RecordSearchWidget(
        "leads:lead_suggest", queryset=visible_to(actor, Lead), placeholder=str(_("Search leads…"))
    )


# --- the parts of an opportunity ---------------------------------------------------------------------


class LineForm(forms.Form):
    """A product line: the service reads the raw values (and prices the line from the price book)."""

    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    quantity = forms.CharField(
        label=_("Quantity"), initial="1", widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6})
    )
    discount = forms.CharField(
        label=_("Discount (%)"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5})
    )
    unit_price = forms.CharField(
        label=_("Unit price"),
        required=False,
        help_text=_("Empty: from the price book."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 9}),
    )

    def __init__(self, *args: Any, products: Sequence[Product] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        field.queryset = Product.objects.filter(active=True).order_by("name", "sku")  # type: ignore[attr-defined]
        if products is not None:
            field.choices = [("", "—"), *[(p.pk, str(p)) for p in products]]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {name: self.data.get(name, "") for name in ("product", "quantity", "discount", "unit_price")}


class ContactRoleForm(forms.Form):
    contact = forms.ChoiceField(label=_("Contact"))
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices, initial=ContactRole.DECISION_MAKER)

    def __init__(self, *args: Any, contacts: Sequence[Contact] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "—"), *[(str(c.pk), str(c)) for c in contacts]]  # type: ignore[attr-defined]


class CompetitorForm(forms.Form):
    competitor = forms.CharField(label=_("Competitor"))
    status = forms.ChoiceField(label=_("Status"), choices=CompetitorStatus.choices, initial=CompetitorStatus.ACTIVE)
    strengths = forms.CharField(label=_("Strengths"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    weaknesses = forms.CharField(label=_("Weaknesses"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = account_widget(actor)
        widget.attrs["id"] = "id_competitor"
        self.fields["competitor"].widget = widget


class CostForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices, initial=CostCategory.OTHER)
    amount_amount = forms.CharField(label=_("Amount"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    amount_currency = forms.ModelChoiceField(
        label=_("Currency"), queryset=Currency.objects.none(), to_field_name="code", required=False
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args: Any, currencies: Sequence[Currency] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["amount_currency"]
        field.queryset = Currency.objects.filter(active=True)  # type: ignore[attr-defined]
        if currencies is not None:
            field.choices = [(c.code, c.code) for c in currencies]  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        currency = data.get("amount_currency")
        return {
            "date": data["date"],
            "category": data["category"],
            "amount_amount": data["amount_amount"],
            "amount_currency": currency.code if currency is not None else "",
            "description": data.get("description") or "",
        }


# --- bulk ------------------------------------------------------------------------------------------------

#: at most this many opportunities in one bulk action
MAX_BULK = 500


class BulkForm(forms.Form):
    """What to do with the ticked opportunities. `ids` are the ticked rows; `all_on_page` takes every row shown."""

    ACTIONS = ("reassign", "close_date", "move")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    all_on_page = forms.BooleanField(required=False)
    page_ids = forms.CharField(required=False)
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none(), required=False)
    close_date = forms.DateField(
        label=_("New close date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    stage = forms.ModelChoiceField(label=_("Move to stage"), queryset=Stage.objects.none(), required=False)
    next = forms.CharField(required=False)

    def __init__(
        self, *args: Any, users: Sequence[User] | None = None, stages: Sequence[Stage] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = _users()  # type: ignore[attr-defined]
        if users is not None:
            owner.choices = [("", "—"), *[(u.pk, str(u)) for u in users]]  # type: ignore[attr-defined]
        stage = self.fields["stage"]
        stage.queryset = Stage.objects.filter(pipeline__active=True).select_related("pipeline")  # type: ignore[attr-defined]
        stage.label_from_instance = stage_label  # type: ignore[attr-defined]
        if stages is not None:
            stage.choices = [("", "—"), *[(s.pk, stage_label(s)) for s in stages]]  # type: ignore[attr-defined]

    def chosen_ids(self) -> list[int]:
        if self.cleaned_data.get("all_on_page"):
            raw = (self.cleaned_data.get("page_ids") or "").split(",")
        else:
            raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        return [int(part) for part in raw if part.strip().isdigit()][:MAX_BULK]


# --- a refused move: the missing values asked for on the spot ----------------------------------------

#: gate fields that can be typed in when moving (lines and competitors are added on the page)
TYPED_GATE_FIELDS = ("amount", "close_date", "next_step", "closed_reason", "description", "campaign")


class GateValuesForm(forms.Form):
    """Inputs for the fields a stage's gate asked for: `v_<key>` for standard fields, `cf_<key>` for custom ones."""

    def __init__(self, *args: Any, missing: Sequence[Missing], custom_fields: Sequence[Any] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        from rapport.core import customfields

        by_key = {f.key: f for f in custom_fields}
        for item in missing:
            if item.kind != "field":
                continue
            if item.key.startswith("custom."):
                custom = by_key.get(item.key.removeprefix("custom."))
                if custom is not None:
                    self.fields[f"cf_{custom.key}"] = customfields.form_field(custom)
            elif item.key in TYPED_GATE_FIELDS:
                self.fields[f"v_{item.key}"] = _gate_field(item.key, item.label)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name.startswith("v_") and value not in (None, ""):
                key = name.removeprefix("v_")
                values[GATE_FIELD_NAMES.get(key, key)] = value
        return values

    def custom_values(self) -> dict[str, Any]:
        return {
            name.removeprefix("cf_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("cf_") and value not in (None, "", [])
        }


def _gate_field(key: str, label: str) -> forms.Field:
    if key == "close_date":
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    if key == "amount":
        return forms.DecimalField(label=label, required=False, min_value=0, max_digits=18, decimal_places=2)
    if key == "description":
        return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    return forms.CharField(label=label, required=False, max_length=300)
