"""The quote's workflow buttons: submit for approval, approve, return with a reason, send by e-mail,
mark accepted or rejected, revise into the next version. Each is a POST calling one service; a
refusal comes back as a message on the quote's page (or next to the field), never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from rapport.core.errors import DomainError
from rapport.core.models import User
from rapport.leads.views.support import error_text
from rapport.quotes import services
from rapport.quotes.forms import DecisionForm, SendForm
from rapport.quotes.models import Quote
from rapport.quotes.services.sending import default_message, default_subject
from rapport.quotes.views.common import actor_of, get_quote
from rapport.web.utils import add_domain_error, http_errors

SUBMITTED = _("The quote %(number)s is submitted for approval.")
APPROVED_AT_ONCE = _("The quote %(number)s is within the discount limits: approved, it can be sent.")
APPROVED = _("The quote %(number)s is approved.")
RETURNED = _("The quote %(number)s is returned to its owner.")
SENT = _("The quote %(number)s is sent to %(to)s.")
ACCEPTED = _("The quote %(number)s is accepted; the opportunity now has its lines and amount.")
REJECTED = _("The quote %(number)s is marked as rejected.")
REVISED = _("Version %(version)s of %(number)s is a new draft.")


def _run(request: HttpRequest, pk: int, call: Callable[[User], Quote], success: Any) -> HttpResponse:
    """Run one workflow service; its refusal is a message, its result the quote's page."""
    actor = actor_of(request)
    quote = get_quote(actor, pk)  # hidden → 404 before anything else
    try:
        with http_errors():
            result = call(actor)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("quotes:quote_detail", quote.pk)
    messages.success(request, str(success(result)))
    return redirect("quotes:quote_detail", result.pk)


@login_required
@require_POST
def quote_submit(request: HttpRequest, pk: int) -> HttpResponse:
    def message(quote: Quote) -> str:
        text = APPROVED_AT_ONCE if quote.status == "approved" else SUBMITTED
        return str(text % {"number": quote.display_number})

    return _run(request, pk, lambda actor: services.quote_submit(actor=actor, quote_id=pk), message)


@login_required
@require_POST
def quote_approve(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _run(
        request,
        pk,
        lambda actor: services.quote_approve(actor=actor, quote_id=pk, note=note),
        lambda q: APPROVED % {"number": q.display_number},
    )


@login_required
@require_POST
def quote_return(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _run(
        request,
        pk,
        lambda actor: services.quote_return(actor=actor, quote_id=pk, reason=reason),
        lambda q: RETURNED % {"number": q.display_number},
    )


@login_required
@require_POST
def quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _run(
        request,
        pk,
        lambda actor: services.quote_accept(actor=actor, quote_id=pk, note=note),
        lambda q: ACCEPTED % {"number": q.display_number},
    )


@login_required
@require_http_methods(["GET", "POST"])
def quote_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Rejecting cannot be undone: a page asks first (with the customer's reason, if any)."""
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        note = request.POST.get("note", "")
        return _run(
            request,
            pk,
            lambda actor: services.quote_reject(actor=actor, quote_id=pk, note=note),
            lambda q: REJECTED % {"number": q.display_number},
        )
    quote = get_quote(actor_of(request), pk)
    form = DecisionForm(initial={"note": request.POST.get("note", "")})
    return render(request, "quotes/quote_reject.html", {"quote": quote, "form": form})


@login_required
@require_POST
def quote_revise(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(
        request,
        pk,
        lambda actor: services.quote_revise(actor=actor, quote_id=pk),
        lambda q: REVISED % {"version": q.version, "number": q.number},
    )


@login_required
@require_http_methods(["GET", "POST"])
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The e-mail form, prefilled with the contact's address and the quote language's wording."""
    actor = actor_of(request)
    quote = get_quote(actor, pk)
    if request.method == "GET":
        initial = {
            "to": quote.contact.email if quote.contact_id and quote.contact else "",
            "subject": default_subject(quote),
            "message": default_message(quote, actor),
        }
        return _send_page(request, quote, SendForm(initial=initial))
    form = SendForm(request.POST)
    if form.is_valid():
        values = form.service_values()
        try:
            with http_errors():
                sent = services.quote_send(actor=actor, quote_id=quote.pk, **values)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            address = values["to"] or (sent.contact.email if sent.contact else "")
            messages.success(request, SENT % {"number": sent.display_number, "to": address})
            return redirect("quotes:quote_detail", sent.pk)
    return _send_page(request, quote, form, status=422)


def _send_page(request: HttpRequest, quote: Quote, form: SendForm, status: int = 200) -> HttpResponse:
    return render(request, "quotes/quote_send.html", {"quote": quote, "form": form}, status=status)
