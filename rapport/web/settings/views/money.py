"""Settings: currencies, exchange rates and the organisation."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.listing import paginate
from rapport.core.models import (
    Currency,
    ExchangeRate,
    OrganisationSettings,
)
from rapport.core.services import currency as currency_services
from rapport.core.services import org
from rapport.web.settings import forms as f
from rapport.web.settings.views._common import PAGE_SIZE, _actor, _page, _saved, administrator_required
from rapport.web.utils import add_domain_error

# --- currencies and organisation -----------------------------------------------------------------------


def _rate_today(field: str) -> Subquery:
    return Subquery(
        ExchangeRate.objects.filter(currency=OuterRef("pk"), valid_from__lte=timezone.localdate())
        .order_by("-valid_from")
        .values(field)[:1]
    )


@administrator_required
@require_GET
def currency_list(request: HttpRequest) -> HttpResponse:
    organisation = OrganisationSettings.objects.select_related("company_currency").get(pk=1)
    currencies = Currency.objects.annotate(
        rate_today=_rate_today("rate"), rate_since=_rate_today("valid_from"), rate_count=Count("rates")
    )
    context = {"organisation": organisation, "currencies": currencies, "today": timezone.localdate()}
    return _page(request, "currencies.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def currency_create(request: HttpRequest) -> HttpResponse:
    form = f.CurrencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            currency = currency_services.currency_create(actor=_actor(request), **form.cleaned_data)
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _saved(
                request, _("%(code)s was added.") % {"code": currency.code}, "settings:currency", currency.code
            )
    return _page(request, "currency_form.html", {"form": form})


@administrator_required
@require_http_methods(["GET", "POST"])
def currency_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A currency's rate history, newest first, and the form that adds a dated rate."""
    currency = get_object_or_404(Currency, code=code.upper())
    is_company = OrganisationSettings.objects.filter(pk=1, company_currency=currency).exists()
    form = f.ExchangeRateForm(request.POST or None, initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            rate = currency_services.exchange_rate_set(actor=_actor(request), currency=currency, **form.cleaned_data)
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            message = _("From %(day)s, 1 %(code)s = %(rate)s.") % {
                "day": rate.valid_from,
                "code": currency.code,
                "rate": rate.rate,
            }
            return _saved(request, message, "settings:currency", currency.code)
    page = paginate(currency.rates.order_by("-valid_from"), request.GET.get("page"), PAGE_SIZE)
    context = {"currency": currency, "is_company": is_company, "form": form, "page": page}
    return _page(request, "currency_detail.html", context)


@administrator_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest) -> HttpResponse:
    organisation = OrganisationSettings.objects.get(pk=1)
    form = f.OrganisationForm(
        request.POST or None,
        request.FILES or None,
        has_logo=bool(organisation.company_logo),
        initial={
            "company_name": organisation.company_name,
            "company_address": organisation.company_address,
            "company_currency": organisation.company_currency_id,
            "follow_up_days": organisation.follow_up_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes = {key: value for key, value in form.cleaned_data.items() if value is not None}
            org.organisation_update(actor=_actor(request), **changes)
        except (InvalidInput, RuleViolation) as exc:
            add_domain_error(form, exc)
        else:
            return _saved(request, _("Organisation settings were saved."), "settings:currencies")
    return _page(request, "organisation_form.html", {"form": form, "organisation": organisation})
