"""`/api/v1/quotes`: drafting from an opportunity, lines, the approval workflow, sending, the
customer's answer, versions and the PDF. Schemas in (`api_schemas`), the services, schemas out.

Every write answers the whole quote as stored (`QuoteDetailOut`: its totals and tax per rate follow
each line change); a line added is the last of `lines`. A quote is seen by whoever sees its
opportunity: a hidden one answers `404` on every route, a write the role does not allow `403`, and a
refusal of the workflow (`RuleViolation`) `409` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from rapport.core.api_support import ListOut, actor_of
from rapport.core.errors import InvalidInput, RecordNotFound
from rapport.core.listing import paginate
from rapport.core.models import User
from rapport.quotes import selectors, services
from rapport.quotes.api_schemas import (
    MAX_ID,
    QuoteDetailOut,
    QuoteFilters,
    QuoteIn,
    QuoteLineIn,
    QuoteLinePatch,
    QuoteNoteIn,
    QuoteOut,
    QuotePatch,
    QuoteReturnIn,
    QuoteSendIn,
)
from rapport.quotes.models import Quote, QuoteLine

quotes_router = Router(tags=["quotes"])

CANNOT_BE_EMPTY = gettext_lazy("This field cannot be empty.")
UNKNOWN_OPPORTUNITY = gettext_lazy("Choose an opportunity you can see.")

#: header fields that always have a value: PATCH null does not clear them
HEADER_NOT_NULL = ("language", "valid_until")
#: line figures that always have a value
LINE_NOT_NULL = ("quantity", "unit_price", "discount", "tax_rate")
PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The quote as a PDF, inline (`?download=1`: as an attachment).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


# --- helpers ---------------------------------------------------------------------------------------


def _checked(*ids: int) -> None:
    """An id no column can hold names nothing (and must not reach the database driver)."""
    if not all(0 < pk <= MAX_ID for pk in ids):
        raise RecordNotFound()


def _refuse_nulls(fields: Mapping[str, Any], names: tuple[str, ...]) -> None:
    empty = [name for name in names if name in fields and fields[name] is None]
    if empty:
        raise InvalidInput({name: [str(CANNOT_BE_EMPTY)] for name in empty})


def _note(payload: QuoteNoteIn | None) -> str:
    return payload.note if payload is not None else ""


def _with_lines(queryset: QuerySet[Quote]) -> QuerySet[Quote]:
    return queryset.prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "id")))


def _detail(actor: User, quote: Quote) -> Quote:
    """The quote with its versions attached, for `QuoteDetailOut`."""
    quote.series = list(selectors.quote_versions(actor=actor, quote=quote))  # type: ignore[attr-defined]
    return quote


def _as_stored(actor: User, quote: Quote) -> Quote:
    """The saved quote read back (decimals as stored, its lines in order, its versions) — the service
    has already checked the actor's rights."""
    stored = _with_lines(Quote.objects.all()).get(pk=quote.pk)
    return _detail(actor, stored)


def _list_params(filters: QuoteFilters, request: HttpRequest) -> dict[str, Any]:
    """Declared filters (statuses joined by commas) plus `cf_<key>` custom-field filters."""
    params = {k: v for k, v in filters.dict(exclude={"page", "limit", "status"}).items() if v is not None}
    if filters.status:
        params["status"] = ",".join(filters.status)
    params.update({k: v for k, v in request.GET.items() if k.startswith("cf_")})
    return params


# --- the list and one quote ------------------------------------------------------------------------


@quotes_router.get("", response=ListOut[QuoteOut], summary="List quotes (headers and totals, without lines)")
def list_quotes(request: HttpRequest, filters: Query[QuoteFilters]) -> dict[str, Any]:
    queryset = selectors.QUOTE_LIST.apply(actor_of(request), _list_params(filters, request))
    page = paginate(queryset, filters.page, filters.limit)
    return {"items": page.items, "count": page.count}


@quotes_router.post("", response={201: QuoteDetailOut}, summary="Create a draft quote from an opportunity")
def create_quote(request: HttpRequest, payload: QuoteIn) -> Status[Quote]:
    actor = actor_of(request)
    data = payload.dict(exclude_unset=True)
    opportunity = data.pop("opportunity")
    custom = data.pop("custom_fields", None)
    if data.get("terms") is None:
        data.pop("terms", None)  # the default terms
    if data.get("valid_until") is None:
        data.pop("valid_until", None)  # the usual validity
    try:
        quote = services.quote_create(actor=actor, opportunity_id=opportunity, custom_fields=custom, **data)
    except RecordNotFound as exc:  # a hidden opportunity is a wrong value of this body
        raise InvalidInput({"opportunity": [str(UNKNOWN_OPPORTUNITY)]}) from exc
    return Status(201, _as_stored(actor, quote))


@quotes_router.get("/{int:quote_id}", response=QuoteDetailOut, summary="Get a quote with its lines and versions")
def get_quote(request: HttpRequest, quote_id: int) -> Quote:
    _checked(quote_id)
    actor = actor_of(request)
    return _detail(actor, selectors.quote_get(actor=actor, quote_id=quote_id))


@quotes_router.patch(
    "/{int:quote_id}",
    response=QuoteDetailOut,
    summary="Change the header of a draft or returned quote (contact, language, valid until, terms, custom fields)",
)
def update_quote(request: HttpRequest, quote_id: int, payload: QuotePatch) -> Quote:
    _checked(quote_id)
    actor = actor_of(request)
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, HEADER_NOT_NULL)
    custom = data.pop("custom_fields", None)
    quote = services.quote_update(actor=actor, quote_id=quote_id, custom_fields=custom, **data)
    return _as_stored(actor, quote)


# --- lines -----------------------------------------------------------------------------------------


@quotes_router.post(
    "/{int:quote_id}/lines",
    response={201: QuoteDetailOut},
    summary="Add a line (answers the quote; the new line is the last of `lines`)",
)
def add_line(request: HttpRequest, quote_id: int, payload: QuoteLineIn) -> Status[Quote]:
    _checked(quote_id)
    actor = actor_of(request)
    data = {name: value for name, value in payload.dict().items() if value is not None}
    line = services.quote_line_add(actor=actor, quote_id=quote_id, data=data)
    return Status(201, _as_stored(actor, line.quote))


@quotes_router.patch(
    "/{int:quote_id}/lines/{int:line_id}", response=QuoteDetailOut, summary="Change a line (answers the quote)"
)
def update_line(request: HttpRequest, quote_id: int, line_id: int, payload: QuoteLinePatch) -> Quote:
    _checked(quote_id, line_id)
    actor = actor_of(request)
    data = payload.dict(exclude_unset=True)
    _refuse_nulls(data, LINE_NOT_NULL)
    line = services.quote_line_update(actor=actor, quote_id=quote_id, line_id=line_id, data=data)
    return _as_stored(actor, line.quote)


@quotes_router.delete(
    "/{int:quote_id}/lines/{int:line_id}", response=QuoteDetailOut, summary="Remove a line (answers the quote)"
)
def delete_line(request: HttpRequest, quote_id: int, line_id: int) -> Quote:
    _checked(quote_id, line_id)
    actor = actor_of(request)
    services.quote_line_delete(actor=actor, quote_id=quote_id, line_id=line_id)
    return _as_stored(actor, Quote(pk=quote_id))


# --- the workflow ----------------------------------------------------------------------------------


@quotes_router.post(
    "/{int:quote_id}/submit",
    response=QuoteDetailOut,
    summary="Submit for approval (within the discount limits: approved at once)",
)
def submit_quote(request: HttpRequest, quote_id: int) -> Quote:
    _checked(quote_id)
    actor = actor_of(request)
    return _as_stored(actor, services.quote_submit(actor=actor, quote_id=quote_id))


@quotes_router.post(
    "/{int:quote_id}/approve",
    response=QuoteDetailOut,
    summary="Approve a quote waiting for approval (the owner's manager)",
)
def approve_quote(request: HttpRequest, quote_id: int, payload: QuoteNoteIn | None = None) -> Quote:
    _checked(quote_id)
    actor = actor_of(request)
    return _as_stored(actor, services.quote_approve(actor=actor, quote_id=quote_id, note=_note(payload)))


@quotes_router.post(
    "/{int:quote_id}/return",
    response=QuoteDetailOut,
    summary="Return a quote waiting for approval to its owner, with a reason (the owner's manager)",
)
def return_quote(request: HttpRequest, quote_id: int, payload: QuoteReturnIn) -> Quote:
    _checked(quote_id)
    actor = actor_of(request)
    return _as_stored(actor, services.quote_return(actor=actor, quote_id=quote_id, reason=payload.reason))


@quotes_router.post(
    "/{int:quote_id}/send",
    response=QuoteDetailOut,
    summary="E-mail the quote's PDF to the customer and mark it sent",
    description="Approved, or a draft within the discount limits; with at least one line and a valid-until "
    "date from today on. `to` defaults to the quote's contact.",
)
def send_quote(request: HttpRequest, quote_id: int, payload: QuoteSendIn | None = None) -> Quote:
    _checked(quote_id)
    actor = actor_of(request)
    options = payload if payload is not None else QuoteSendIn.model_validate({})
    quote = services.quote_send(
        actor=actor,
        quote_id=quote_id,
        to=options.to,
        cc=options.cc,
        subject=options.subject,
        message=options.message,
    )
    return _as_stored(actor, quote)


@quotes_router.post(
    "/{int:quote_id}/accept",
    response=QuoteDetailOut,
    summary="Record that the customer accepted (the opportunity takes the quote's lines and amount)",
)
def accept_quote(request: HttpRequest, quote_id: int, payload: QuoteNoteIn | None = None) -> Quote:
    _checked(quote_id)
    actor = actor_of(request)
    return _as_stored(actor, services.quote_accept(actor=actor, quote_id=quote_id, note=_note(payload)))


@quotes_router.post(
    "/{int:quote_id}/reject", response=QuoteDetailOut, summary="Record that the customer rejected the quote"
)
def reject_quote(request: HttpRequest, quote_id: int, payload: QuoteNoteIn | None = None) -> Quote:
    _checked(quote_id)
    actor = actor_of(request)
    return _as_stored(actor, services.quote_reject(actor=actor, quote_id=quote_id, note=_note(payload)))


@quotes_router.post(
    "/{int:quote_id}/revise",
    response={201: QuoteDetailOut},
    summary="Make the next version of a sent, rejected or expired quote (a sent one is superseded)",
)
def revise_quote(request: HttpRequest, quote_id: int) -> Status[Quote]:
    _checked(quote_id)
    actor = actor_of(request)
    return Status(201, _as_stored(actor, services.quote_revise(actor=actor, quote_id=quote_id)))


# --- the PDF ---------------------------------------------------------------------------------------


@quotes_router.get("/{int:quote_id}/pdf", summary="The quote as a PDF", openapi_extra=PDF_RESPONSE)
def quote_pdf(request: HttpRequest, quote_id: int, download: bool = False) -> HttpResponse:
    from rapport.quotes.pdf import PDF_CONTENT_TYPE, pdf_filename, render_quote_pdf  # fpdf2: loaded when used

    _checked(quote_id)
    quote = selectors.quote_get(actor=actor_of(request), quote_id=quote_id)
    response = HttpResponse(render_quote_pdf(quote), content_type=PDF_CONTENT_TYPE)
    disposition = content_disposition_header(download, pdf_filename(quote))
    if disposition:
        response["Content-Disposition"] = disposition
    return response
