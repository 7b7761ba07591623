"""The quote's line editor (htmx). A row saved in place answers the row again and, out of band, the
totals block, so the totals follow without a page load; adding or removing a line answers the whole
list. A refused value shows its message next to the field and nothing is saved. Without htmx each
form is a plain POST and the browser goes back to the quote's page with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from rapport.core.errors import DomainError
from rapport.core.models import User
from rapport.leads.views.support import error_text, is_htmx
from rapport.quotes import services
from rapport.quotes.forms import LineForm
from rapport.quotes.models import Quote, QuoteLine
from rapport.quotes.views.common import actor_of, get_quote, lines_context
from rapport.web.utils import add_domain_error, http_errors

LINE_SAVED = _("The line is saved.")
LINE_ADDED = _("The line is added.")
LINE_REMOVED = _("The line is removed.")


def _back(request: HttpRequest, quote: Quote, *, error: str = "", success: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    elif success:
        messages.success(request, success)
    return redirect(reverse("quotes:quote_detail", args=[quote.pk]) + "#quote-lines")


def _line_of(quote: Quote, line_id: int) -> QuoteLine:
    for line in quote.lines.all():
        if line.pk == line_id:
            return line
    raise Http404


def _general(form: LineForm, exc: DomainError) -> str:
    """A refusal not about one field (the quote is no longer a draft…): shown above the row."""
    general = " ".join(str(message) for message in form.non_field_errors())
    return general or ("" if form.errors else error_text(exc))


def _row(
    request: HttpRequest, actor: User, quote: Quote, line: QuoteLine, form: LineForm, error: str = ""
) -> HttpResponse:
    context = lines_context(actor, quote)
    context.update({"row": {"line": line, "form": form}, "row_error": error, "oob": True})
    return render(request, "quotes/_line_answer.html", context)


def _lines(
    request: HttpRequest, actor: User, quote: Quote, *, new_form: LineForm | None = None, error: str = ""
) -> HttpResponse:
    context = lines_context(actor, quote, new_form=new_form)
    context.update({"lines_error": error, "oob": True})
    return render(request, "quotes/_lines_answer.html", context)


@login_required
@require_POST
def line_edit(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    actor = actor_of(request)
    quote = get_quote(actor, pk)
    line = _line_of(quote, line_id)
    form = LineForm(request.POST, line=line)
    data = form.changed_data_for_service()
    if not data:  # saved unchanged (or a search box lost focus): nothing to write, nothing to swap
        return HttpResponse(status=204) if is_htmx(request) else _back(request, quote)
    try:
        with http_errors():
            services.quote_line_update(actor=actor, quote_id=quote.pk, line_id=line.pk, data=data)
    except DomainError as exc:
        if not is_htmx(request):
            return _back(request, quote, error=error_text(exc))
        add_domain_error(form, exc)
        return _row(request, actor, quote, line, form, error=_general(form, exc))
    if not is_htmx(request):
        return _back(request, quote, success=str(LINE_SAVED))
    fresh = get_quote(actor, quote.pk)
    saved = _line_of(fresh, line.pk)
    return _row(request, actor, fresh, saved, LineForm(line=saved))


@login_required
@require_POST
def line_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    quote = get_quote(actor, pk)
    form = LineForm(request.POST)
    try:
        with http_errors():
            services.quote_line_add(actor=actor, quote_id=quote.pk, data=form.service_data())
    except DomainError as exc:
        if not is_htmx(request):
            return _back(request, quote, error=error_text(exc))
        add_domain_error(form, exc)
        return _lines(request, actor, quote, new_form=form, error=_general(form, exc))
    if not is_htmx(request):
        return _back(request, quote, success=str(LINE_ADDED))
    return _lines(request, actor, get_quote(actor, quote.pk))


@login_required
@require_POST
def line_delete(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    actor = actor_of(request)
    quote = get_quote(actor, pk)
    try:
        with http_errors():
            services.quote_line_delete(actor=actor, quote_id=quote.pk, line_id=line_id)
    except DomainError as exc:
        if not is_htmx(request):
            return _back(request, quote, error=error_text(exc))
        return _lines(request, actor, quote, error=error_text(exc))
    if not is_htmx(request):
        return _back(request, quote, success=str(LINE_REMOVED))
    return _lines(request, actor, get_quote(actor, quote.pk))
