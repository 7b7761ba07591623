"""Converting a lead (to an account and a contact, new or existing) and merging two leads field by field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rapport.core import customfields
from rapport.core.errors import DomainError
from rapport.core.models import User
from rapport.core.visibility import can, is_visible, visible_to
from rapport.leads.forms import ConvertForm, MergeChooseForm
from rapport.leads.models import Lead, LeadStatus
from rapport.leads.services import convert, merge
from rapport.leads.services.leads import CONVERTED_READ_ONLY
from rapport.leads.views.support import actor_of, get_lead
from rapport.web.utils import add_domain_error

CONVERTED_TO_CONTACT = gettext_lazy("The lead %(name)s is converted into the contact %(contact)s.")
CONVERTED_TO_BOTH = gettext_lazy(
    "The lead %(name)s is converted into the account %(account)s and the contact %(contact)s."
)
LEADS_MERGED = gettext_lazy("The lead %(duplicate)s is merged into %(name)s.")
CHOOSE_DUPLICATE = gettext_lazy("Choose the duplicate among the open leads you can see.")


def _refused_because_closed(request: HttpRequest, lead: Lead) -> HttpResponse | None:
    """A converted lead is read-only and a disqualified one cannot be converted: say so on its page."""
    if lead.is_converted:
        messages.error(request, CONVERTED_READ_ONLY)
        return redirect(lead)
    return None


# --- convert ---------------------------------------------------------------------------------------


def _converted_message(lead: Lead, conversion: convert.Conversion) -> str:
    if conversion.account is None:
        return str(CONVERTED_TO_CONTACT) % {"name": lead, "contact": conversion.contact}
    return str(CONVERTED_TO_BOTH) % {"name": lead, "account": conversion.account, "contact": conversion.contact}


def _after_conversion(actor: User, lead: Lead, conversion: convert.Conversion) -> str:
    """The opportunity it opened, else the contact it became (or its account, or the lead) — whichever
    the actor may open."""
    if conversion.opportunity_id is not None:
        from django.urls import reverse

        return reverse("pipeline:opportunity_detail", args=[conversion.opportunity_id])
    if is_visible(actor, conversion.contact):
        return conversion.contact.get_absolute_url()
    if conversion.account is not None and is_visible(actor, conversion.account):
        return conversion.account.get_absolute_url()
    return lead.get_absolute_url()


@login_required
@require_http_methods(["GET", "POST"])
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    lead = get_lead(actor, lead_id)
    if not can(actor, "edit", "lead"):
        raise PermissionDenied
    refused = _refused_because_closed(request, lead)
    if refused is not None:
        return refused
    if lead.status == LeadStatus.DISQUALIFIED:
        messages.error(request, convert.DISQUALIFIED_NOT_CONVERTIBLE)
        return redirect(lead)
    suggestions = convert.conversion_suggestions(actor=actor, lead=lead)
    form = ConvertForm(
        request.POST if request.method == "POST" else None,
        actor=actor,
        lead=lead,
        accounts=suggestions.accounts,
        contacts=suggestions.contacts,
    )
    if request.method == "POST" and form.is_valid():
        try:
            conversion = convert.lead_convert(actor=actor, lead_id=lead.pk, **form.service_values())
        except DomainError as exc:
            add_domain_error(form, exc, renames={"opportunity": "create_opportunity"})
        else:
            messages.success(request, _converted_message(lead, conversion))
            return redirect(_after_conversion(actor, lead, conversion))
    context = {"lead": lead, "form": form, "suggestions": suggestions}
    return render(request, "leads/lead_convert.html", context, status=422 if form.errors else 200)


# --- merge -------------------------------------------------------------------------------------------


def _shown(name: str, value: Any, custom: dict[str, Any]) -> str:
    """A value of a merge row as a person reads it."""
    if value is None or value == "":
        return ""
    if name.startswith("custom."):
        field = custom.get(name.removeprefix("custom."))
        return customfields.display(field, value) if field is not None else str(value)
    if name == "status":
        return str(LeadStatus(value).label)
    if name == "estimated_value_amount":
        amount, currency = value
        return f"{amount} {currency}"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def _label(name: str, custom: dict[str, Any]) -> str:
    if name.startswith("custom."):
        field = custom.get(name.removeprefix("custom."))
        return field.label if field is not None else name
    return str(Lead._meta.get_field(name).verbose_name)  # type: ignore[union-attr]


def merge_rows(keep: Lead, duplicate: Lead) -> list[dict[str, Any]]:
    """Each differing field: its label, both values, and whether the duplicate's is taken by default
    (only where the kept lead has nothing: a blank never wins over a value)."""
    custom = {f.key: f for f in customfields.fields_for("lead")}
    return [
        {
            "name": name,
            "label": _label(name, custom),
            "keep": _shown(name, ours, custom),
            "duplicate": _shown(name, theirs, custom),
            "take": ours is None or ours == "" or (name.startswith("custom.") and customfields.is_empty(ours)),
        }
        for name, ours, theirs in merge.merge_differences(keep, duplicate)
    ]


def _duplicate_chosen(actor: User, keep: Lead, form: MergeChooseForm) -> Lead | None:
    if not (form.is_bound and form.is_valid()):
        return None
    raw = str(form.cleaned_data["duplicate"]).strip()
    duplicate = None
    if raw.isdigit() and int(raw) != keep.pk:
        duplicate = visible_to(actor, Lead).exclude(status=LeadStatus.CONVERTED).filter(pk=int(raw)).first()
    if duplicate is None:
        form.add_error("duplicate", CHOOSE_DUPLICATE)
    return duplicate


@login_required
@require_http_methods(["GET", "POST"])
def lead_merge(request: HttpRequest, lead_id: int) -> HttpResponse:
    actor = actor_of(request)
    keep = get_lead(actor, lead_id)
    if not (can(actor, "edit", "lead") and can(actor, "delete", "lead")):
        raise PermissionDenied
    refused = _refused_because_closed(request, keep)
    if refused is not None:
        return refused
    data = request.POST if request.method == "POST" else (request.GET if "duplicate" in request.GET else None)
    form = MergeChooseForm(data, actor=actor, keep=keep)
    duplicate = _duplicate_chosen(actor, keep, form)
    rows = merge_rows(keep, duplicate) if duplicate is not None else []
    if request.method == "POST" and duplicate is not None:
        take = [row["name"] for row in rows if request.POST.get(f"field_{row['name']}") == "take"]
        try:
            kept = merge.lead_merge(actor=actor, keep_id=keep.pk, duplicate_id=duplicate.pk, take_from_duplicate=take)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, str(LEADS_MERGED) % {"duplicate": duplicate, "name": kept})
            return redirect(kept)
    context = {"lead": keep, "form": form, "duplicate": duplicate, "rows": rows}
    return render(request, "leads/lead_merge.html", context, status=422 if form.errors else 200)
