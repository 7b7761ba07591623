"""Quote list, a new quote from an opportunity, the record page (header, totals, lines, versions,
workflow, timeline), its PDF and the product suggestions of the line editor. Every write goes through
`rapport.quotes.services`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from rapport.catalog.models import Product
from rapport.core import customfields
from rapport.core.errors import DomainError
from rapport.core.models import User
from rapport.core.visibility import can, visible_to
from rapport.customers.models import Contact
from rapport.pipeline import selectors as pipeline_selectors
from rapport.pipeline.models import Opportunity
from rapport.quotes import services
from rapport.quotes.forms import QuoteCreateForm
from rapport.quotes.models import QuoteLanguage, QuoteSettings, QuoteStatus
from rapport.quotes.services import acceptance
from rapport.quotes.views.common import actor_of, detail_context, get_quote, rights
from rapport.quotes.views.listing import QUOTE_LIST
from rapport.web.lists import Control, custom_field_controls, list_context, owner_control, render_list
from rapport.web.utils import add_domain_error, fetch, http_errors

QUOTE_CREATED = _("The quote %(number)s is created.")
QUOTE_SAVED = _("The quote %(number)s is saved.")
FROM_AN_OPPORTUNITY = _("Start a quote from an opportunity's page.")
SUGGEST_LIMIT = 20


# --- list -------------------------------------------------------------------------------------------


def _controls(fields: list[Any]) -> list[Control]:
    return [
        Control("status", _("Status"), options=[(value, label) for value, label in QuoteStatus.choices]),
        owner_control(),
        Control("created_from", _("Created from"), kind="date"),
        Control("created_to", _("Created until"), kind="date"),
        *custom_field_controls(fields),
    ]


@login_required
@require_GET
def quote_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can(actor, "read", "quote"):
        raise PermissionDenied
    fields = customfields.fields_for("quote")
    context = list_context(request, QUOTE_LIST, _controls(fields), custom_fields=fields)
    context.update(rights(actor))
    return render_list(request, "quotes/quote_list.html", context)


# --- a new quote ----------------------------------------------------------------------------------


def _opportunity_contacts(actor: User, opportunity: Opportunity) -> list[Contact]:
    """The contacts of the opportunity's account, then those named on the opportunity, that the
    person may see."""
    contacts = list(pipeline_selectors.account_contacts(actor, opportunity.account_id))
    known = {c.pk for c in contacts}
    named = [pk for pk in opportunity.contact_roles.values_list("contact_id", flat=True) if pk not in known]
    if named:
        others = visible_to(actor, Contact).filter(pk__in=named).order_by("last_name", "first_name", "id")
        contacts.extend(others)
    return contacts


def _default_contact_id(opportunity: Opportunity) -> str:
    links = list(opportunity.contact_roles.order_by("id").values_list("contact_id", "role"))
    for contact_id, role in links:
        if role == "decision_maker":
            return str(contact_id)
    return str(links[0][0]) if links else ""


@login_required
@require_http_methods(["GET", "POST"])
def quote_create(request: HttpRequest) -> HttpResponse:
    """A new draft from the opportunity in `?opportunity=`: language, contact, date and terms; the
    service copies the account, the currency and the product lines."""
    actor = actor_of(request)
    if not can(actor, "create", "quote"):
        raise PermissionDenied
    raw = request.GET.get("opportunity") or request.POST.get("opportunity") or ""
    if not raw.isdigit():
        messages.error(request, FROM_AN_OPPORTUNITY)
        return redirect("pipeline:opportunity_list")
    opportunity = fetch(pipeline_selectors.opportunity_get, actor=actor, opportunity_id=int(raw))
    contacts = _opportunity_contacts(actor, opportunity)
    if request.method == "GET":
        options = QuoteSettings.current()
        form = QuoteCreateForm(
            actor=actor,
            contacts=contacts,
            initial={
                "language": _ui_language(request),
                "contact": _default_contact_id(opportunity),
                "terms": options.default_terms,
            },
        )
        return _create_page(request, form, opportunity)
    form = QuoteCreateForm(request.POST, actor=actor, contacts=contacts)
    if form.is_valid():
        try:
            quote = services.quote_create(
                actor=actor,
                opportunity_id=opportunity.pk,
                custom_fields=form.custom_values(),
                **form.service_values(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, QUOTE_CREATED % {"number": quote.display_number})
            return redirect("quotes:quote_detail", quote.pk)
    return _create_page(request, form, opportunity, status=422)


def _ui_language(request: HttpRequest) -> str:
    code = (getattr(request, "LANGUAGE_CODE", "") or "en").lower()
    return code if code in QuoteLanguage.values else QuoteLanguage.ENGLISH


def _create_page(
    request: HttpRequest, form: QuoteCreateForm, opportunity: Opportunity, status: int = 200
) -> HttpResponse:
    options = QuoteSettings.current()
    context = {"form": form, "opportunity": opportunity, "validity_days": options.validity_days}
    return render(request, "quotes/quote_new.html", context, status=status)


# --- the header of a draft --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Language, contact, date and terms of a draft or returned quote (the service refuses others)."""
    actor = actor_of(request)
    quote = get_quote(actor, pk)
    if not can(actor, "edit", "quote"):
        raise PermissionDenied
    contacts = _opportunity_contacts(actor, quote.opportunity)
    if request.method == "GET":
        initial = {
            "language": quote.language,
            "contact": str(quote.contact_id or ""),
            "valid_until": quote.valid_until.isoformat(),
            "terms": quote.terms,
        }
        form = QuoteCreateForm(actor=actor, instance=quote, contacts=contacts, initial=initial)
        return render(request, "quotes/quote_edit.html", {"form": form, "quote": quote})
    form = QuoteCreateForm(request.POST, actor=actor, instance=quote, contacts=contacts)
    if form.is_valid():
        try:
            with http_errors():
                saved = services.quote_update(
                    actor=actor, quote_id=quote.pk, custom_fields=form.custom_values(), **form.service_values()
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, QUOTE_SAVED % {"number": saved.display_number})
            return redirect("quotes:quote_detail", saved.pk)
    return render(request, "quotes/quote_edit.html", {"form": form, "quote": quote}, status=422)


# --- record page ----------------------------------------------------------------------------------


@login_required
@require_GET
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    quote = get_quote(actor, pk)
    context = detail_context(actor, quote)
    context["tab"] = "pdf" if request.GET.get("tab") == "pdf" else ""
    # The page the customer answers on, for the salesperson to pass on (while it is open).
    if acceptance.link_state(quote) != acceptance.LinkState.CLOSED:
        context["customer_url"] = acceptance.customer_url(quote)
    return render(request, "quotes/quote_detail.html", context)


#: the PDF may be shown in a frame of Rapport's own pages (the preview), and only there
PDF_CSP = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}


@login_required
@require_GET
@xframe_options_sameorigin
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The quote as a PDF: shown in the browser (the preview's frame), or downloaded with `?download=1`."""
    from rapport.quotes.pdf import PDF_CONTENT_TYPE, pdf_filename, render_quote_pdf

    actor = actor_of(request)
    quote = get_quote(actor, pk)
    response = HttpResponse(render_quote_pdf(quote), content_type=PDF_CONTENT_TYPE)
    disposition = "attachment" if request.GET.get("download") == "1" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{pdf_filename(quote)}"'
    response._csp_config = PDF_CSP  # type: ignore[attr-defined]
    return response


# --- the line editor's product suggestions -----------------------------------------------------------


@login_required
@require_GET
def product_suggest(request: HttpRequest) -> HttpResponse:
    """Up to 20 active products whose name or SKU contains `term`: the options of the product search."""
    term = request.GET.get("term", "").strip()[:100]
    products = Product.objects.filter(active=True).select_related("list_price_currency")
    if term:
        products = products.filter(Q(name__icontains=term) | Q(sku__icontains=term))
    options = [
        {
            "pk": p.pk,
            "label": str(p),
            "describe": f"{p.list_price_amount} {p.list_price_currency_id}",
        }
        for p in products.order_by("name", "id")[:SUGGEST_LIMIT]
    ]
    return render(request, "web/widgets/record_options.html", {"options": options, "term": term})
