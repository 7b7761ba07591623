"""Forms of the lead pages. They collect input; the services decide (rules, assignment, audit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rapport.core.models import Currency, Territory, User
from rapport.core.visibility import visible_to
from rapport.customers.forms import ADDRESS_FIELDS, RecordForm
from rapport.customers.models import Account, Contact
from rapport.leads.models import Lead, LeadSource, LeadStatus
from rapport.leads.services.leads import VALUE_NEEDS_CURRENCY
from rapport.web.widgets import RecordSearchWidget

ASSIGNMENT_RULES = _("Leave empty to apply the assignment rules.")
TAGS_HELP = _("Separate tags with commas.")
OPPORTUNITY_HINT = _("In the first stage of the sales pipeline, with the estimated value of the lead as its amount.")
CHOOSE_OTHER_ACCOUNT = _("Choose the account among the suggestions.")


def split_tags(raw: str) -> list[str]:
    """Comma-separated tags as a list: "vip, fair 2026 ,," gives ["vip", "fair 2026"]."""
    return [part for part in (p.strip() for p in raw.split(",")) if part]


def _users(current_id: int | None = None) -> Any:
    users = User.objects.filter(is_active=True)
    if current_id:
        users = User.objects.filter(Q(is_active=True) | Q(pk=current_id))
    return users.order_by("first_name", "last_name", "email")


def _sources(current_id: int | None = None) -> Any:
    sources = LeadSource.objects.filter(active=True)
    if current_id:
        sources = LeadSource.objects.filter(Q(active=True) | Q(pk=current_id))
    return sources.order_by("position", "name")


class LeadForm(RecordForm):
    """The full lead form: every field a person types, tags as text, the lead's custom fields."""

    record_type = "lead"
    foreign_keys = ("owner", "territory", "source", "estimated_value_currency")
    not_model_fields = ("tags",)

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")
    territory = forms.ModelChoiceField(label=_("Territory"), queryset=Territory.objects.none(), required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    street = forms.CharField(label=_("Street"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=100, required=False)
    source = forms.ModelChoiceField(label=_("Source"), queryset=LeadSource.objects.none(), required=False)
    campaign = forms.CharField(label=_("Campaign"), max_length=150, required=False)
    need_identified = forms.BooleanField(label=_("Need identified"), required=False)
    need_description = forms.CharField(
        label=_("What is needed"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    estimated_value_amount = forms.DecimalField(
        label=_("Estimated value"), max_digits=18, decimal_places=2, required=False
    )
    estimated_value_currency = forms.ModelChoiceField(
        label=_("Currency"), queryset=Currency.objects.none(), required=False, to_field_name="code"
    )
    tags = forms.CharField(label=_("Tags"), max_length=1000, required=False, help_text=TAGS_HELP)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    sections: Sequence[tuple[Any, Sequence[str]]] = (
        (_("Person"), ("first_name", "last_name", "title", "owner")),
        (_("Company"), ("company", "industry", "website", "territory")),
        (_("Reaching them"), ("email", "phone")),
        (_("Address"), ADDRESS_FIELDS),
        (
            _("Qualification"),
            (
                "source",
                "campaign",
                "estimated_value_amount",
                "estimated_value_currency",
                "need_identified",
                "tags",
                "need_description",
            ),
        ),
        (_("Notes"), ("description",)),
    )

    def __init__(self, *args: Any, actor: User, instance: Lead | None = None, **kwargs: Any) -> None:
        names = [n for _title, section in self.sections for n in section if n not in ("owner", "tags")]
        initial: dict[str, Any] = {}
        if instance is not None:
            initial = {name: getattr(instance, Lead._meta.get_field(name).attname) for name in names}  # type: ignore[union-attr]
            initial["owner"] = instance.owner_id
            initial["tags"] = ", ".join(t.name for t in instance.tags.all())
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, actor=actor, instance=instance, **kwargs)
        self.fields["owner"] = forms.ModelChoiceField(
            label=_("Owner"),
            queryset=_users(instance.owner_id if instance is not None else None),
            required=instance is not None,
            empty_label=None if instance is not None else "—",
            help_text="" if instance is not None else ASSIGNMENT_RULES,
        )
        self.order_fields([n for _title, section in self.sections for n in section])
        self.fields["source"].queryset = _sources(instance.source_id if instance else None)  # type: ignore[attr-defined]
        self.fields["territory"].queryset = Territory.objects.order_by("path")  # type: ignore[attr-defined]
        self.fields["territory"].label_from_instance = lambda t: "— " * t.depth + t.name  # type: ignore[attr-defined]
        self.fields["estimated_value_currency"].queryset = Currency.objects.filter(active=True)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The model's constraint would say this too, but in words meant for a programmer.
        if cleaned.get("estimated_value_amount") is not None and not cleaned.get("estimated_value_currency"):
            self.add_error("estimated_value_currency", str(VALUE_NEEDS_CURRENCY))
        return cleaned

    def tag_values(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags") or "")


class QuickLeadForm(forms.Form):
    """The few fields to capture a lead in passing; the rest can follow on its page."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    company = forms.CharField(label=_("Company"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    source = forms.ModelChoiceField(label=_("Source"), queryset=LeadSource.objects.none(), required=False)

    prefix = "quick"

    def __init__(self, *args: Any, sources: Sequence[LeadSource] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        field.queryset = _sources()  # type: ignore[attr-defined]
        if sources is not None:  # the list page already read them: no second query to render the options
            field.choices = [("", "—"), *[(s.pk, str(s)) for s in sources]]  # type: ignore[attr-defined]

    def service_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) or "" for name in ("first_name", "last_name", "company")}
        values.update(email=self.cleaned_data.get("email") or "", phone=self.cleaned_data.get("phone") or "")
        source = self.cleaned_data.get("source")
        values["source"] = source.pk if source is not None else None
        return values


class DisqualifyForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for disqualifying"),
        max_length=300,
        required=False,  # the service says why an empty reason is refused, in its own words
        widget=forms.TextInput(attrs={"placeholder": _("e.g. no budget this year")}),
    )


#: at most this many leads in one bulk action (a page holds 50; "all on page" never more than 200)
MAX_BULK = 500
BULK_STATUSES = (LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED)


class BulkForm(forms.Form):
    """What to do with the ticked leads. `ids` are the ticked rows; `all_on_page` takes every row shown."""

    ACTIONS = ("reassign", "status", "tag", "delete")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    all_on_page = forms.BooleanField(required=False)
    page_ids = forms.CharField(required=False)
    owner = forms.ModelChoiceField(label=_("New owner"), queryset=User.objects.none(), required=False)
    status = forms.ChoiceField(
        label=_("New status"), choices=[(s.value, s.label) for s in BULK_STATUSES], required=False
    )
    reason = forms.CharField(label=_("Reason for disqualifying"), max_length=300, required=False)
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    confirm = forms.BooleanField(required=False)
    next = forms.CharField(required=False)

    def __init__(self, *args: Any, users: Sequence[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = _users()  # type: ignore[attr-defined]
        if users is not None:
            owner.choices = [("", "—"), *[(u.pk, str(u)) for u in users]]  # type: ignore[attr-defined]

    def chosen_ids(self) -> list[int]:
        """The ticked leads (any whole numbers: which of them the actor may touch is the service's question)."""
        if self.cleaned_data.get("all_on_page"):
            raw = (self.cleaned_data.get("page_ids") or "").split(",")
        else:
            raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        return [int(part) for part in raw if part.strip().isdigit()][:MAX_BULK]


class ConvertForm(forms.Form):
    """Where the lead goes: an account (suggested, another, a new one or none) and a contact."""

    account = forms.ChoiceField(label=_("Account"), widget=forms.RadioSelect)
    other_account = forms.CharField(label=_("Another account"), required=False)
    contact = forms.ChoiceField(label=_("Contact"), widget=forms.RadioSelect)
    create_opportunity = forms.BooleanField(
        label=_("Create an opportunity"), required=False, help_text=OPPORTUNITY_HINT
    )

    def __init__(
        self,
        *args: Any,
        actor: User,
        lead: Lead,
        accounts: Sequence[Account],
        contacts: Sequence[Contact],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        account_choices: list[tuple[str, Any]] = [
            (str(a.pk), _("Existing account: %(name)s") % {"name": a.name}) for a in accounts
        ]
        if lead.company.strip():
            account_choices.append(("new", _("Create a new account from “%(company)s”") % {"company": lead.company}))
        account_choices += [("other", _("Another existing account")), ("none", _("No account"))]
        self.fields["account"].choices = account_choices  # type: ignore[attr-defined]
        self.fields["account"].initial = account_choices[0][0] if accounts or lead.company.strip() else "none"
        contact_choices: list[tuple[str, Any]] = [
            (str(c.pk), _("Existing contact: %(name)s") % {"name": _contact_label(c)}) for c in contacts
        ]
        contact_choices.append(("new", _("Create a new contact “%(name)s”") % {"name": lead.full_name}))
        self.fields["contact"].choices = contact_choices  # type: ignore[attr-defined]
        self.fields["contact"].initial = contact_choices[0][0]
        self.fields["other_account"].widget = RecordSearchWidget(
            "customers:account_suggest", queryset=visible_to(actor, Account), placeholder=str(_("Search accounts…"))
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("account") == "other" and not str(cleaned.get("other_account") or "").strip().isdigit():
            self.add_error("other_account", CHOOSE_OTHER_ACCOUNT)
        return cleaned

    def service_values(self) -> dict[str, Any]:
        account = self.cleaned_data["account"]
        contact = self.cleaned_data["contact"]
        account_id: Any = None
        if account == "other":
            account_id = self.cleaned_data["other_account"].strip()
        elif account not in ("new", "none"):
            account_id = account
        return {
            "account_id": account_id,
            "create_account": account == "new",
            "contact_id": None if contact == "new" else contact,
            "create_opportunity": bool(self.cleaned_data.get("create_opportunity")),
        }


def _contact_label(contact: Contact) -> str:
    parts = [contact.full_name]
    if contact.account_id and contact.account is not None:
        parts.append(f"({contact.account.name})")
    if contact.email:
        parts.append(f"· {contact.email}")
    return " ".join(parts)


class MergeChooseForm(forms.Form):
    duplicate = forms.CharField(label=_("Duplicate lead"))

    def __init__(self, *args: Any, actor: User, keep: Lead, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].widget = RecordSearchWidget(
            "leads:lead_suggest",
            queryset=visible_to(actor, Lead),
            placeholder=str(_("Search the duplicate…")),
            exclude=keep.pk,
        )
