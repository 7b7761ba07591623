"""A quote's life after drafting (decision 0011):

    draft ─┬─ (within the discount limits) ──────────────────────────┬─ sent ─┬─ accepted
           └─ submitted → pending approval ─┬─ approved ─────────────┘        ├─ rejected
    returned ←──────────────────────────────┘ (by the owner's manager)        └─ expired (scheduler)

A sent, rejected or expired quote is revised into the next version (a new draft with the same
number); a sent one it replaces becomes `superseded`. Only draft and returned quotes change, so
earlier versions stay as they were sent. Accepting a quote makes the opportunity's product lines
and amount those of the quote. Every refusal is a `RuleViolation` naming why.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from rapport.core import audit
from rapport.core.errors import InvalidInput, RuleViolation
from rapport.core.models import User
from rapport.core.services.notifications import notify
from rapport.pipeline.services.parts import lines_replace
from rapport.quotes import totals
from rapport.quotes.models import Quote, QuoteLine, QuoteSettings, QuoteStatus
from rapport.quotes.services.acceptance import ensure_link, move_on_acceptance
from rapport.quotes.services.common import (
    NEEDS_APPROVAL,
    NO_APPROVER,
    NO_LINES,
    NOT_LATEST,
    NOT_THE_APPROVER,
    PAST_VALIDITY,
    REASON_REQUIRED,
    approval_reasons,
    manager_of,
    may_approve,
    quote_for,
    refresh_totals,
    refuse_status,
)

QUOTE_EXPIRED = gettext_lazy("The quote expired on %(day)s; revise it to make a new offer.")
NOTE_TOO_LONG = gettext_lazy("Keep this under 500 characters.")
ASKS_APPROVAL = gettext_lazy("%(actor)s asks you to approve the quote %(number)s.")
APPROVED_NOTICE = gettext_lazy("%(actor)s approved the quote %(number)s.")
RETURNED_NOTICE = gettext_lazy("%(actor)s returned the quote %(number)s.")

#: statuses a quote may be revised from
REVISABLE = (QuoteStatus.SENT, QuoteStatus.REJECTED, QuoteStatus.EXPIRED)
EXPIRY_BATCH = 500


def _change(actor: User | None, quote: Quote, status: str, note: str = "", **fields: Any) -> None:
    """Move the quote to `status` (with the fields that go with it) and write the audit entry."""
    before = audit.snapshot(quote)
    quote.status = status
    for name, value in fields.items():
        setattr(quote, name, value)
    quote.owner_id = quote.opportunity.owner_id  # the opportunity may have changed hands
    quote.save()
    audit.log_update(actor, quote, before, note=note)


def _approver_name(quote: Quote) -> str:
    manager = manager_of(quote.owner)
    return str(manager) if manager is not None else str(NO_APPROVER)


def _day(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _note(value: Any) -> str:
    text = str(value or "").strip()
    if len(text) > 500:
        raise InvalidInput({"note": [str(NOTE_TOO_LONG)]})
    return text


def _figures(quote: Quote) -> totals.Totals:
    return totals.compute(quote.lines.all())


def _is_latest(quote: Quote) -> bool:
    return not Quote.objects.filter(root_id=quote.root_id, version__gt=quote.version).exists()


# --- approval ------------------------------------------------------------------------------------------


@transaction.atomic
def quote_submit(*, actor: User, quote_id: Any) -> Quote:
    """Ask for approval. A quote within the discount limits needs none and is approved at once;
    one beyond them waits for the owner's manager, who is notified."""
    quote = quote_for(actor, quote_id)
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.RETURNED):
        raise refuse_status(quote, "submitted")
    if not quote.lines.exists():
        raise RuleViolation(str(NO_LINES))
    now = timezone.now()
    reasons = approval_reasons(quote, _figures(quote), QuoteSettings.current())
    if not reasons:
        _change(actor, quote, QuoteStatus.APPROVED, _("No approval needed: the discounts are within the limits."),
                submitted_at=now, approved_at=now, approved_by=None, return_reason="")  # fmt: skip
        return quote
    _change(actor, quote, QuoteStatus.PENDING_APPROVAL, "; ".join(reasons), submitted_at=now, return_reason="")
    approver = manager_of(quote.owner)
    if approver is not None:
        _tell(actor, approver, quote, ASKS_APPROVAL)
    return quote


@transaction.atomic
def quote_approve(*, actor: User, quote_id: Any, note: str = "") -> Quote:
    """The owner's manager approves a quote waiting for approval; it may then be sent."""
    quote = quote_for(actor, quote_id, "read")
    if quote.status != QuoteStatus.PENDING_APPROVAL:
        raise refuse_status(quote, "approved")
    if not may_approve(actor, quote):
        raise RuleViolation(str(NOT_THE_APPROVER % {"approver": _approver_name(quote)}))
    _change(actor, quote, QuoteStatus.APPROVED, _note(note), approved_by=actor, approved_at=timezone.now())
    _tell(actor, quote.owner, quote, APPROVED_NOTICE)
    return quote


@transaction.atomic
def quote_return(*, actor: User, quote_id: Any, reason: str) -> Quote:
    """The owner's manager sends the quote back to its owner with a reason; it is editable again."""
    quote = quote_for(actor, quote_id, "read")
    if quote.status != QuoteStatus.PENDING_APPROVAL:
        raise refuse_status(quote, "returned")
    if not may_approve(actor, quote):
        raise RuleViolation(str(NOT_THE_APPROVER % {"approver": _approver_name(quote)}))
    text = _note(reason)
    if not text:
        raise InvalidInput({"reason": [str(REASON_REQUIRED)]})
    _change(actor, quote, QuoteStatus.RETURNED, text, return_reason=text, approved_by=None, approved_at=None)
    _tell(actor, quote.owner, quote, RETURNED_NOTICE)
    return quote


def _tell(actor: User, recipient: User, quote: Quote, message: Any) -> None:
    """Notify `recipient` (not the actor themselves) in their own language."""
    if recipient.pk == actor.pk:
        return
    with override(recipient.language):
        text = str(message) % {"actor": actor, "number": quote.display_number}
    notify(recipient=recipient, message=text, url=quote.opportunity.get_absolute_url())


# --- sending and the customer's answer -------------------------------------------------------------------


@transaction.atomic
def quote_mark_sent(*, actor: User, quote_id: Any) -> Quote:
    """Record that the quote went to the customer. An approved quote may go; a draft (or a returned
    quote, changed since) only while its discounts need no approval. `sending.quote_send` calls this
    before the message goes, so a refusal sends nothing. The quote gets its customer link here."""
    quote = quote_for(actor, quote_id)
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.RETURNED, QuoteStatus.APPROVED):
        raise refuse_status(quote, "sent")
    if not quote.lines.exists():
        raise RuleViolation(str(NO_LINES))
    if quote.valid_until < timezone.localdate():
        raise RuleViolation(str(PAST_VALIDITY % {"day": _day(quote.valid_until)}))
    if quote.status != QuoteStatus.APPROVED:
        reasons = approval_reasons(quote, _figures(quote), QuoteSettings.current())
        if reasons:
            raise RuleViolation(
                str(NEEDS_APPROVAL % {"approver": _approver_name(quote), "reasons": "; ".join(reasons)})
            )
    ensure_link(quote)
    _change(actor, quote, QuoteStatus.SENT, sent_at=timezone.now())
    return quote


@transaction.atomic
def quote_accept(*, actor: User | None, quote_id: Any, note: str = "", quote: Quote | None = None) -> Quote:
    """The customer accepted: the opportunity's product lines, amount and currency become the
    quote's, and it moves to the pipeline's stage after acceptance if one is set. `actor` None
    with `quote` given is the customer's own answer on the quote's page (`acceptance`)."""
    if quote is None:
        assert actor is not None
        quote = quote_for(actor, quote_id)
    if quote.status != QuoteStatus.SENT:
        raise refuse_status(quote, "accepted")
    if quote.valid_until < timezone.localdate():
        raise RuleViolation(str(QUOTE_EXPIRED % {"day": _day(quote.valid_until)}))
    _change(actor, quote, QuoteStatus.ACCEPTED, _note(note), closed_at=timezone.now(), decision_note=_note(note))
    adopt_on_opportunity(actor, quote)
    move_on_acceptance(actor, quote)
    return quote


def adopt_on_opportunity(actor: User | None, quote: Quote) -> None:
    """The accepted quote's lines become the opportunity's. Free-text lines cannot be opportunity
    lines, so with any of them the opportunity's amount is the quote's net total, typed in."""
    lines = list(quote.lines.order_by("position", "id"))
    products = [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.discount,
        }
        for line in lines
        if line.product_id is not None
    ]
    amount = None if len(products) == len(lines) else quote.net_total
    lines_replace(
        actor=actor,
        opportunity_id=quote.opportunity_id,
        lines=products,
        currency=quote.currency_id,
        amount=amount,
        note=_("Lines and amount from the accepted quote %(number)s") % {"number": quote.display_number},
    )


@transaction.atomic
def quote_reject(*, actor: User | None, quote_id: Any, note: str = "", quote: Quote | None = None) -> Quote:
    """The customer said no (the reason, if they gave one, in `note`)."""
    if quote is None:
        assert actor is not None
        quote = quote_for(actor, quote_id)
    if quote.status != QuoteStatus.SENT:
        raise refuse_status(quote, "rejected")
    _change(actor, quote, QuoteStatus.REJECTED, _note(note), closed_at=timezone.now(), decision_note=_note(note))
    return quote


def quotes_expire(now: dt.datetime | None = None) -> int:
    """Expire every sent quote whose valid-until day has passed (in the company's time zone);
    answers how many. For the periodic scheduler: safe to run twice or in two processes at once."""
    today = timezone.localdate(now or timezone.now())
    moment = now or timezone.now()
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                Quote.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("opportunity")
                .filter(status=QuoteStatus.SENT, valid_until__lt=today)
                .order_by("valid_until", "id")[:EXPIRY_BATCH]
            )
            for quote in batch:
                _change(None, quote, QuoteStatus.EXPIRED, closed_at=moment)
        expired += len(batch)
        if len(batch) < EXPIRY_BATCH:
            return expired


# --- versions --------------------------------------------------------------------------------------------


@transaction.atomic
def quote_revise(*, actor: User, quote_id: Any) -> Quote:
    """The next version of a sent, rejected or expired quote: a draft with the same number, header
    and lines, valid for the usual period from today. The sent version it replaces is superseded;
    earlier versions are never changed again."""
    quote = quote_for(actor, quote_id)
    if quote.status not in REVISABLE:
        raise refuse_status(quote, "revised")
    if not _is_latest(quote):
        latest = Quote.objects.filter(root_id=quote.root_id).order_by("-version").values_list("version", flat=True)
        raise RuleViolation(str(NOT_LATEST % {"version": latest.first()}))
    options = QuoteSettings.current()
    revision = Quote.objects.create(
        opportunity=quote.opportunity,
        account=quote.account,
        contact=quote.contact,
        owner_id=quote.opportunity.owner_id,
        number=quote.number,
        version=quote.version + 1,
        root_id=quote.root_id,
        currency_id=quote.currency_id,
        language=quote.language,
        valid_until=timezone.localdate() + dt.timedelta(days=options.validity_days),
        terms=quote.terms,
        custom=dict(quote.custom or {}),
        created_by=actor,
    )
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=revision,
            position=line.position,
            product_id=line.product_id,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount=line.discount,
            tax_rate=line.tax_rate,
            gross_amount=line.gross_amount,
            net_amount=line.net_amount,
        )
        for line in quote.lines.order_by("position", "id")
    )
    refresh_totals(revision)
    if quote.status == QuoteStatus.SENT:
        _change(actor, quote, QuoteStatus.SUPERSEDED, _("Replaced by version %(version)s") % {
            "version": revision.version
        })  # fmt: skip
    audit.log_create(actor, revision, note=_("Version %(version)s of %(number)s") % {
        "version": revision.version, "number": quote.number
    })  # fmt: skip
    return revision
