"""The quote's page for the customer, opened from the link in the e-mail: read it, download the
PDF, accept or reject it by typing their name. No account, no sign-in: the link's key is the
only credential (`services.acceptance`), so an unknown or wrong key gets the same 404 page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language_from_request
from django.views.decorators.http import require_http_methods

from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import OrganisationSettings
from rapport.quotes.models import Quote
from rapport.quotes.pdf.formats import Formatter
from rapport.quotes.pdf.labels import labels_for as pdf_labels
from rapport.quotes.services import acceptance
from rapport.quotes.wording import page_words
from rapport.web.utils import client_ip


def _private(response: HttpResponse) -> HttpResponse:
    """The page carries a secret in its address: kept out of caches, search engines and referrers."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    language = get_language_from_request(request) or "en"
    words = page_words(language)
    context = {"words": words, "language": language, "message": words["not_found"]}
    return _private(render(request, "quotes/public/closed.html", context, status=404))


def _closed(request: HttpRequest, quote: Quote) -> HttpResponse:
    """Expired, replaced or past its date: the link no longer shows the quote."""
    words = page_words(quote.language)
    context = {"words": words, "language": quote.language, "message": words["closed"]}
    return _private(render(request, "quotes/public/closed.html", context, status=410))


def _context(quote: Quote, key: str, errors: dict[str, list[str]] | None = None, values: Any = None) -> dict[str, Any]:
    language = quote.language
    words = page_words(language)
    shown = Formatter(language)
    company = OrganisationSettings.objects.values_list("company_name", flat=True).first() or ""
    lines = [
        {
            "description": line.description or (line.product.name if line.product else ""),
            "quantity": shown.quantity(line.quantity),
            "unit": line.unit,
            "unit_price": shown.amount(line.unit_price),
            "discount": shown.percent(line.discount) if line.discount else "",
            "net": shown.amount(line.net_amount),
        }
        for line in quote.lines.select_related("product").order_by("position", "id")
    ]
    state = acceptance.link_state(quote)
    answered = ""
    if state == acceptance.LinkState.ANSWERED and quote.closed_at:
        key = "accepted" if quote.status == "accepted" else "rejected"
        answered = words[key].format(
            name=quote.customer_name or quote.account, day=shown.date(timezone.localdate(quote.closed_at))
        )
    return {
        "quote": quote,
        "key": key,
        "language": language,
        "labels": pdf_labels(language),
        "words": words,
        "title": words["title"].format(number=quote.display_number),
        "company": words["from"].format(company=company),
        "valid_until": words["valid_until"].format(day=shown.date(quote.valid_until)),
        "lines": lines,
        "totals": {
            "subtotal": shown.amount(quote.subtotal),
            "discounts": shown.amount(quote.discount_total),
            "net": shown.amount(quote.net_total),
            "tax": shown.amount(quote.tax_total),
            "total": shown.amount(quote.total),
        },
        "state": state.value,
        "answered": answered,
        "errors": errors or {},
        "values": values or {},
    }


def _in_words(errors: dict[str, list[str]], words: dict[str, str]) -> dict[str, list[str]]:
    """The service's messages are in the UI's languages; the customer reads the quote's."""
    known = {
        str(acceptance.NAME_REQUIRED): words["name_required"],
        str(acceptance.NAME_TOO_LONG): words["name_too_long"],
    }
    return {field: [known.get(message, message) for message in messages] for field, messages in errors.items()}


@require_http_methods(["GET", "HEAD", "POST"])
def offer(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    quote = acceptance.quote_for_link(pk, key)
    if quote is None:
        return _not_found(request)
    if acceptance.link_state(quote) == acceptance.LinkState.CLOSED:
        return _closed(request, quote)
    if request.method != "POST":
        return _private(render(request, "quotes/public/offer.html", _context(quote, key)))
    try:
        acceptance.quote_answer_by_customer(
            quote_id=quote.pk,
            key=key,
            accept=request.POST.get("answer") == "accept",
            name=request.POST.get("name", ""),
            note=request.POST.get("note", ""),
            ip=client_ip(request) or None,
        )
    except InvalidInput as exc:
        context = _context(quote, key, _in_words(exc.errors, page_words(quote.language)), request.POST)
        return _private(render(request, "quotes/public/offer.html", context, status=400))
    except RuleViolation:
        context = _context(quote, key, {"form": [page_words(quote.language)["no_longer"]]}, request.POST)
        return _private(render(request, "quotes/public/offer.html", context, status=409))
    return redirect("quotes_public:offer", pk=quote.pk, key=key)


@require_http_methods(["GET", "HEAD"])
def offer_pdf(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    from rapport.quotes.pdf import PDF_CONTENT_TYPE, pdf_filename, render_quote_pdf

    quote = acceptance.quote_for_link(pk, key)
    if quote is None:
        return _not_found(request)
    if acceptance.link_state(quote) == acceptance.LinkState.CLOSED:
        return _closed(request, quote)
    response = HttpResponse(render_quote_pdf(quote), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(quote)}"'
    return _private(response)
